/** `tensorgrad evaluate`: loads a trained model (a run's .safetensors) and scores it on a split. */
import * as path from 'node:path';
import { TensorDataset } from '../data/dataset';
import { DataLoader } from '../data/loader';
import { crossEntropy } from '../nn/functional/loss';
import { type Evaluation, Trainer } from '../train/trainer';
import { loadData } from './data-source';
import { makeOptimizer } from './optimizer-factory';
import { loadTrainedMlp, modelFileOf } from './trained-model';
import type { Output } from './train-command';

export interface EvaluateOptions {
  /** A .safetensors file written by train, or a run directory (its best model). */
  model: string;
  /** Data to score on (default: the data the model was trained on). */
  data?: string;
  split?: 'test' | 'validation' | 'train';
  out?: Output;
}

export async function runEvaluate(options: EvaluateOptions): Promise<Evaluation & { split: string; data: string; samples: number }> {
  const out = options.out ?? process.stdout;
  const { model, run, file } = loadTrainedMlp(modelFileOf(options.model, 'evaluate'), 'evaluate');
  const dataName = options.data ?? run.config.data;
  const split = options.split ?? 'test';
  if (!['test', 'validation', 'train'].includes(split)) throw new RangeError(`evaluate: Expected --split test, validation or train but received "${split}"`);
  const data = loadData(dataName);
  if (data.inputs !== run.sizes[0] || data.classes !== run.sizes.at(-1)) {
    throw new RangeError(`evaluate: the model takes ${run.sizes[0]} inputs and ${run.sizes.at(-1)} classes but ${dataName} has ${data.inputs} and ${data.classes}`);
  }
  const part = data[split];
  const trainer = new Trainer({ model, loss: (o, t) => crossEntropy(o, t), optimizer: makeOptimizer(model.parameters(), run.config), metrics: ['accuracy'] });
  const result = await trainer.evaluate(new DataLoader(new TensorDataset(part.x, part.y), { batchSize: 1024 }));
  const samples = part.x.shape[0]!;
  out.write(`${path.basename(file)} on ${dataName} ${split} (${samples} samples): loss ${result.loss.toFixed(6)}, accuracy ${(100 * result.metrics['accuracy']!).toFixed(2)}%\n`);
  return { ...result, split, data: dataName, samples };
}

/**
 * `tensorgrad evaluate`: loads a trained model (a run's .safetensors) and scores it on a split.
 * A table is encoded, filled in and standardized by the spec saved with the model (the run's
 * preprocess.json beside the weights, else the model file's own metadata): nothing is refitted.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TensorDataset } from '../data/dataset';
import { DataLoader } from '../data/loader';
import { TabularSpec } from '../data/tabular/tabular-spec';
import { load } from '../io/safetensors';
import { dataDefaults, dataKind, isTable } from '../train/data-config';
import { type Split, loadData, loadWithSpec } from '../train/data-source';
import { buildNetwork } from '../train/build-run';
import { makeOptimizer } from '../train/optimizer-factory';
import type { RunConfig } from '../train/run-config';
import { type Output, RUN_FILES } from '../train/run-dir';
import { PREPROCESS_FILE, PREPROCESS_METADATA, lossFor, metricsFor } from '../train/run-task';
import { type Evaluation, Trainer } from '../train/trainer';

export type EvaluateSplit = 'test' | 'validation' | 'train' | 'all';

export interface EvaluateOptions {
  /** A .safetensors file written by train, or a run directory (its best model). */
  model: string;
  /** Data to score on (default: the data the model was trained on). */
  data?: string;
  /** The targets of NPY data (default: the training labels when data is the training file). */
  labels?: string;
  /** Default test; for a table file other than the training one, all of its rows. */
  split?: EvaluateSplit;
  out?: Output;
}

function modelFile(given: string): string {
  let file = given;
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) {
    const best = path.join(file, RUN_FILES.bestModel);
    file = fs.existsSync(best) ? best : path.join(file, RUN_FILES.finalModel);
  }
  if (!fs.existsSync(file)) throw new Error(`evaluate: ${given} is neither a model file nor a run directory with one`);
  return file;
}

/** The encoding saved with the model: preprocess.json beside it, else the file's metadata. */
function savedSpec(file: string, metadata: Record<string, string>): TabularSpec {
  const beside = path.join(path.dirname(file), PREPROCESS_FILE);
  let text: string | undefined;
  if (fs.existsSync(beside)) text = fs.readFileSync(beside, 'utf8');
  else text = metadata[PREPROCESS_METADATA];
  if (text === undefined) throw new Error(`evaluate: ${file} was trained on a table but neither ${beside} nor the file's ${PREPROCESS_METADATA} metadata holds its encoding`);
  return TabularSpec.fromStateDict(JSON.parse(text));
}

export async function runEvaluate(options: EvaluateOptions): Promise<Evaluation & { split: string; data: string; samples: number }> {
  const out = options.out ?? process.stdout;
  const file = modelFile(options.model);
  const content = load(file);
  const runText = content.metadata['tensorgrad.run'];
  if (!runText) throw new Error(`evaluate: ${file} has no tensorgrad.run metadata (was it written by tensorgrad train?)`);
  const run = JSON.parse(runText) as { config: RunConfig; sizes: number[] };
  // Runs from before the data settings existed read as their defaults.
  const config: RunConfig = { ...dataDefaults(run.config.data), ...run.config };
  const dataName = options.data ?? config.data;
  const table = isTable(config.data);
  if (isTable(dataName) !== table) {
    throw new RangeError(`evaluate: the model was trained on ${table ? 'a table' : 'images'} (${config.data}) but --data ${dataName} is ${table ? 'not a table' : 'a table'}`);
  }
  const sameFile = path.resolve(dataName) === path.resolve(config.data);
  const split = options.split ?? (table && !sameFile ? 'all' : 'test');
  if (!['test', 'validation', 'train', 'all'].includes(split)) throw new RangeError(`evaluate: Expected --split test, validation, train or all but received "${split}"`);
  let part: Split;
  let spec: TabularSpec | undefined;
  let imageShape: readonly [number, number, number] | undefined;
  if (table) {
    spec = savedSpec(file, content.metadata);
    const labels = options.labels ?? (sameFile ? config.labels : '');
    if (dataKind(dataName) === 'npy' && labels === '') throw new RangeError(`evaluate: NPY data needs its targets to be scored (--labels y.npy)`);
    part = loadWithSpec({ ...config, data: dataName, labels }, spec, split);
  } else {
    if (split === 'all') throw new RangeError('evaluate: --split all is for table files; the images have train, validation and test splits');
    const data = loadData({ ...config, data: dataName });
    if (data.inputs !== run.sizes[0] || data.classes !== run.sizes.at(-1)) {
      throw new RangeError(`evaluate: the model takes ${run.sizes[0]} inputs and ${run.sizes.at(-1)} classes but ${dataName} has ${data.inputs} and ${data.classes}`);
    }
    part = data[split];
    imageShape = data.image;
  }
  if (part.x.shape[1] !== run.sizes[0]) throw new RangeError(`evaluate: the model takes ${run.sizes[0]} inputs but ${dataName} encodes to ${part.x.shape[1]}`);
  const { model } = buildNetwork(config, { name: dataName, inputs: run.sizes[0]!, classes: run.sizes.at(-1)!, ...(imageShape ? { image: imageShape } : {}) });
  model.loadStateDict(content.tensors);
  const task = spec?.task ?? 'classification';
  // Scored in the precision the run trained in (runs from before --precision have none: fp32).
  const trainer = new Trainer({
    model, loss: lossFor(task), optimizer: makeOptimizer(model.parameters(), config), metrics: metricsFor({ task, ...(spec ? { spec } : {}) }),
    precision: config.precision ?? 'fp32',
  });
  const result = await trainer.evaluate(new DataLoader(new TensorDataset(part.x, part.y), { batchSize: 1024 }));
  const samples = part.x.shape[0]!;
  const m = result.metrics;
  const scores = task === 'classification'
    ? `loss ${result.loss.toFixed(6)}, accuracy ${(100 * m['accuracy']!).toFixed(2)}%`
    : `MAE ${m['mae']!.toPrecision(6)}, RMSE ${m['rmse']!.toPrecision(6)}, R² ${m['r2']!.toFixed(4)} (loss ${result.loss.toFixed(6)}: the MSE of ${spec?.targetScaling ? 'standardized targets' : 'the targets'})`;
  out.write(`${path.basename(file)} on ${dataName} ${split} (${samples} samples): ${scores}\n`);
  return { ...result, split, data: dataName, samples };
}

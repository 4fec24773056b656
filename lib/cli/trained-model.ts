/** The model a run left: its file (a run directory's best model, else its final one) and the module rebuilt from it. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { load } from '../io/safetensors';
import type { CharLM } from '../nn/models/char-lm';
import type { Sequential } from '../nn/sequential';
import type { RunConfig } from '../train/run-config';
import { CHARLM_FORMAT, loadLanguageModel } from './language-model-file';
import { isConvModel } from '../train/conv-spec';
import { buildModel } from '../train/model-spec';
import { RUN_FILES } from '../train/run-dir';

/** A model file, or the run directory's best.safetensors (model.safetensors when it has none). */
export function modelFileOf(where: string, command: string): string {
  let file = where;
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) {
    const best = path.join(file, RUN_FILES.bestModel);
    file = fs.existsSync(best) ? best : path.join(file, RUN_FILES.finalModel);
  }
  if (!fs.existsSync(file)) throw new Error(`${command}: ${where} is neither a model file nor a run directory with one`);
  return file;
}

export interface TrainedMlp {
  kind: 'mlp';
  model: Sequential;
  run: { config: RunConfig; sizes: number[] };
  file: string;
}

/** The MLP `tensorgrad train` wrote to `file`, with the run's config from its metadata. */
export function loadTrainedMlp(file: string, command: string): TrainedMlp {
  const content = load(file);
  const runText = content.metadata['tensorgrad.run'];
  if (!runText) throw new Error(`${command}: ${file} has no tensorgrad.run metadata (was it written by tensorgrad train?)`);
  const run = JSON.parse(runText) as { config: RunConfig; sizes: number[] };
  if (isConvModel(run.config.model)) throw new RangeError(`${command}: ${file} holds a convolutional model (${run.config.model}), which the ONNX exporter does not map yet; MLP and language-model runs export`);
  const model = buildModel({ sizes: run.sizes, activation: run.config.activation, batchNorm: run.config.batchNorm, dropout: run.config.dropout });
  model.loadStateDict(content.tensors);
  return { kind: 'mlp', model, run, file };
}

/** Whichever model the run trained: the MLP of train or the character LM of train-lm. */
export function loadTrainedModel(where: string, command: string): TrainedMlp | { kind: 'charlm'; model: CharLM; file: string } {
  const file = modelFileOf(where, command);
  if (load(file).metadata['format'] === CHARLM_FORMAT) return { kind: 'charlm', model: loadLanguageModel(file).model, file };
  return loadTrainedMlp(file, command);
}

/** The model a run left: its file (a run directory's best model, else its final one) and the module rebuilt from it. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Tensor } from '../autograd/tensor';
import { load } from '../io/safetensors';
import type { CharLM } from '../nn/models/char-lm';
import type { Sequential } from '../nn/sequential';
import type { RunConfig } from '../train/run-config';
import { CHARLM_FORMAT, loadLanguageModel } from './language-model-file';
import { convModelFrom, isConvModel } from '../train/conv-spec';
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
  /** An MLP of widths, or a convolutional model of a spec (which takes the same flat rows and unflattens them). */
  kind: 'mlp';
  model: Sequential;
  run: { config: RunConfig; sizes: number[] };
  file: string;
  /** A convolutional model's image shape [C, H, W]. */
  image?: readonly [number, number, number];
}

/**
 * The image shapes a run's data can have for `pixels` values per row: MNIST-layout square grey
 * images, and CIFAR-10's three channels (data-source.ts). A run records its widths but not the
 * image, so the candidates are tried against the saved weights.
 */
function imageCandidates(pixels: number): [number, number, number][] {
  const out: [number, number, number][] = [];
  for (const channels of [1, 3]) {
    const side = Math.round(Math.sqrt(pixels / channels));
    if (side >= 1 && channels * side * side === pixels) out.push([channels, side, side]);
  }
  return out;
}

/** The convolutional model of the run, rebuilt for the image shape whose layers take the saved weights. */
function loadConvModel(run: { config: RunConfig; sizes: number[] }, tensors: Record<string, Tensor>, file: string, command: string): { model: Sequential; image: [number, number, number] } {
  const [pixels, classes] = [run.sizes[0]!, run.sizes.at(-1)!];
  const reasons: string[] = [];
  for (const image of imageCandidates(pixels)) {
    try {
      const { model } = convModelFrom(run.config.model, image, classes, { activation: run.config.activation, flatInput: true });
      model.loadStateDict(tensors);
      return { model, image };
    } catch (e) {
      reasons.push(`[${image.join(', ')}]: ${(e as Error).message}`);
    }
  }
  throw new RangeError(`${command}: ${file} holds the convolutional model ${run.config.model} for rows of ${pixels} values, but no image shape fits its weights${reasons.length ? ` (${reasons.join('; ')})` : ''}`);
}

/** The model `tensorgrad train` wrote to `file` (an MLP or a convolutional model), with the run's config from its metadata. */
export function loadTrainedMlp(file: string, command: string): TrainedMlp {
  const content = load(file);
  const runText = content.metadata['tensorgrad.run'];
  if (!runText) throw new Error(`${command}: ${file} has no tensorgrad.run metadata (was it written by tensorgrad train?)`);
  const run = JSON.parse(runText) as { config: RunConfig; sizes: number[] };
  if (isConvModel(run.config.model)) {
    const { model, image } = loadConvModel(run, content.tensors, file, command);
    return { kind: 'mlp', model, run, file, image };
  }
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

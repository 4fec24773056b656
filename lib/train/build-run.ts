/** What every command trains: the seeded model, optimizer, schedule and loaders of a config. */
import { manualSeed } from '../autograd/random';
import { gather } from '../autograd/ops/shape';
import type { Tensor } from '../autograd/tensor';
import { setBackend } from '../backend/select';
import { setNumThreads } from '../backend/threads';
import { TensorDataset } from '../data/dataset';
import { DataLoader } from '../data/loader';
import { crossEntropy } from '../nn/functional/loss';
import type { Sequential } from '../nn/sequential';
import type { BaseHyper, Optimizer } from '../optim/optimizer';
import type { LRScheduler } from '../optim/lr-scheduler/scheduler';
import type { RunConfig } from './run-config';
import type { Splits } from './data-source';
import { buildModel, parseSizes } from './model-spec';
import { makeOptimizer, makeSchedule } from './optimizer-factory';
import { type SanityCheckResult, sanityCheck } from './sanity-check';

export interface Run {
  sizes: number[];
  model: Sequential;
  optimizer: Optimizer<BaseHyper>;
  scheduler: LRScheduler | undefined;
  batches: { train: DataLoader; validation: DataLoader; test: DataLoader };
}

/** Softmax cross-entropy on the class labels: the loss of every command. */
export const classificationLoss = (output: Tensor, target: Tensor): Tensor => crossEntropy(output, target);

/** Applies the process-wide settings: backend and GEMM threads. */
export function applyRuntime(config: Pick<RunConfig, 'backend' | 'threads'>): void {
  if (config.backend !== 'auto') setBackend(config.backend);
  if (config.threads > 0) setNumThreads(config.threads);
}

/** Seeds the generator with config.seed, then builds the model and what trains it. */
export function buildRun(config: RunConfig, data: Splits): Run {
  manualSeed(config.seed);
  const sizes = parseSizes(config.model, data.inputs, data.classes);
  const model = buildModel({ sizes, activation: config.activation, batchNorm: config.batchNorm, dropout: config.dropout });
  const optimizer = makeOptimizer(model.parameters(), config);
  const scheduler = makeSchedule(config.schedule, optimizer, config.epochs);
  const train = new DataLoader(new TensorDataset(data.train.x, data.train.y), { batchSize: config.batchSize, shuffle: true, seed: config.seed });
  const evalLoader = (d: Splits['test']) => new DataLoader(new TensorDataset(d.x, d.y), { batchSize: 1024 });
  return { sizes, model, optimizer, scheduler, batches: { train, validation: evalLoader(data.validation), test: evalLoader(data.test) } };
}

/** The first 256 validation examples: the fixed batch the layer diagnostics look at. */
export function probeBatch(split: Splits['validation']): { x: Tensor; y: Tensor } {
  const n = Math.min(256, split.x.shape[0]!);
  const rows = Array.from({ length: n }, (_, i) => i);
  return { x: gather(split.x, rows), y: gather(split.y, rows) };
}

/** The notes' sanity checks on a freshly built model (which they leave exactly as they found it). */
export function checkRun(data: Splits, model: Parameters<typeof sanityCheck>[0]): SanityCheckResult[] {
  if (data.task === 'regression') return []; // the checks are a classifier's (initial loss ln C)
  return sanityCheck(model, classificationLoss, { x: data.train.x, y: data.train.y }, { classes: data.classes });
}

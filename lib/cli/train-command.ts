/**
 * `tensorgrad train`: builds the MLP, trains it with the Trainer on the chosen data, and leaves a
 * run directory behind (config.json, metrics.jsonl, train.log, model.safetensors,
 * best.safetensors, summary.json, checkpoints/ for --resume).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { manualSeed } from '../autograd/random';
import type { Tensor } from '../autograd/tensor';
import { setBackend } from '../backend/select';
import { setNumThreads } from '../backend/threads';
import { TensorDataset } from '../data/dataset';
import { DataLoader } from '../data/loader';
import { loadCheckpoint } from '../io/checkpoint';
import { save } from '../io/safetensors';
import { crossEntropy } from '../nn/functional/loss';
import { Checkpoint } from '../train/callbacks/checkpoint';
import { EarlyStopping } from '../train/callbacks/early-stopping';
import { ExplosionGuard } from '../train/callbacks/explosion-guard';
import { MetricsLogger } from '../train/callbacks/metrics-logger';
import { Progress } from '../train/callbacks/progress';
import type { Callback } from '../train/callback';
import { type Evaluation, type FitResult, Trainer } from '../train/trainer';
import { type TrainConfig, validate } from './config';
import { type Splits, loadData } from './data-source';
import { buildModel, parseSizes } from './model-spec';
import { makeOptimizer, makeSchedule } from './optimizer-factory';
import { RUN_FILES, Tee, defaultRunDir, readJson, writeJson } from './run-dir';

export interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface TrainSummary {
  runDir: string;
  sizes: number[];
  epochs: number;
  stoppedEarly?: string;
  seconds: number;
  bestEpoch: number;
  validation: Evaluation;
  /** The test split, on the final and on the best weights. */
  test: Evaluation;
  bestTest: Evaluation;
}

function loaders(data: Splits, config: TrainConfig) {
  const train = new DataLoader(new TensorDataset(data.train.x, data.train.y), { batchSize: config.batchSize, shuffle: true, seed: config.seed });
  const evalLoader = (d: Splits['test']) => new DataLoader(new TensorDataset(d.x, d.y), { batchSize: 1024 });
  return { train, validation: evalLoader(data.validation), test: evalLoader(data.test) };
}

/** Applies the process-wide settings: backend and GEMM threads. */
export function applyRuntime(config: Pick<TrainConfig, 'backend' | 'threads'>): void {
  if (config.backend !== 'auto') setBackend(config.backend);
  if (config.threads > 0) setNumThreads(config.threads);
}

export interface TrainRunOptions {
  out?: Output;
  signal?: AbortSignal;
  /** Set by resumeTrain: continue config.out from its latest checkpoint. */
  resume?: boolean;
}

/**
 * Continues a run from its latest checkpoint with the config it was started with; only the
 * number of epochs may change (to train longer than first planned).
 */
export async function resumeTrain(runDir: string, options: { epochs?: number; out?: Output; signal?: AbortSignal } = {}): Promise<TrainSummary> {
  const saved = readJson(path.join(runDir, RUN_FILES.config), '--resume') as { config: TrainConfig };
  const config = validate({ ...saved.config, ...(options.epochs !== undefined ? { epochs: options.epochs } : {}), out: runDir });
  return runTrain(config, { ...options, resume: true });
}

export async function runTrain(given: TrainConfig, options: TrainRunOptions = {}): Promise<TrainSummary> {
  const started = performance.now();
  const out = options.out ?? process.stdout;
  let config = validate({ ...given });
  const runDir = config.out || defaultRunDir(config.data);
  config = { ...config, out: runDir };
  applyRuntime(config);
  manualSeed(config.seed);

  const data = loadData(config.data);
  const sizes = parseSizes(config.model, data.inputs, data.classes);
  const model = buildModel({ sizes, activation: config.activation, batchNorm: config.batchNorm, dropout: config.dropout });
  const optimizer = makeOptimizer(model.parameters(), config);
  const scheduler = makeSchedule(config.schedule, optimizer, config.epochs);
  const batches = loaders(data, config);

  fs.mkdirSync(runDir, { recursive: true });
  const log = new Tee(out, path.join(runDir, RUN_FILES.log));
  const record = { config, sizes, data: { name: data.name, train: data.train.x.shape[0], validation: data.validation.x.shape[0], test: data.test.x.shape[0] } };
  writeJson(path.join(runDir, RUN_FILES.config), record);

  const callbacks: Callback[] = [
    new Progress({ stream: log, epochs: config.epochs, batchesPerEpoch: Math.ceil(data.train.x.shape[0]! / config.batchSize) }),
    new MetricsLogger(path.join(runDir, RUN_FILES.metrics)),
    new ExplosionGuard(),
    new Checkpoint(path.join(runDir, RUN_FILES.checkpoints), { keepLast: 2, config: record }),
  ];
  if (config.patience > 0) callbacks.push(new EarlyStopping({ monitor: 'valLoss', patience: config.patience }));
  const loss = (output: Tensor, target: Tensor) => crossEntropy(output, target);
  const trainer = new Trainer({ model, loss, optimizer, ...(scheduler ? { scheduler } : {}), metrics: ['accuracy'], callbacks });

  let done = 0;
  if (options.resume) {
    done = loadCheckpoint(path.join(runDir, RUN_FILES.checkpoints), { model, optimizer, ...(scheduler ? { scheduler } : {}), trainer }).step;
    log.write(`Resuming ${runDir} after epoch ${done} of ${config.epochs}\n`);
  } else {
    log.write(`Training ${sizes.join('-')} (${config.activation}) on ${data.name}: ${record.data.train} train, ${record.data.validation} validation, ${record.data.test} test; ${config.optimizer} lr ${config.lr}, batch ${config.batchSize}, ${config.epochs} epochs -> ${runDir}\n`);
  }
  const result: FitResult = await trainer.fit(batches.train, {
    epochs: Math.max(config.epochs - done, 0), validation: batches.validation, monitor: 'valLoss', ...(options.signal ? { signal: options.signal } : {}),
  });
  if (result.stoppedEarly) log.write(`Stopped early: ${result.stoppedEarly}\n`);

  const metadata = { 'tensorgrad.run': JSON.stringify(record) };
  model.save(path.join(runDir, RUN_FILES.finalModel), { metadata });
  const test = await trainer.evaluate(batches.test);
  const validation = await trainer.evaluate(batches.validation);
  let bestTest = test;
  if (trainer.bestState) {
    save(trainer.bestState, path.join(runDir, RUN_FILES.bestModel), { metadata });
    model.loadStateDict(trainer.bestState);
    bestTest = await trainer.evaluate(batches.test);
  }
  const summary: TrainSummary = {
    runDir, sizes, epochs: trainer.history.length, ...(result.stoppedEarly ? { stoppedEarly: result.stoppedEarly } : {}),
    seconds: (performance.now() - started) / 1000, bestEpoch: trainer.bestEpoch + 1, validation, test, bestTest,
  };
  writeJson(path.join(runDir, RUN_FILES.summary), summary);
  const pct = (e: Evaluation) => `${(100 * (e.metrics['accuracy'] ?? NaN)).toFixed(2)}%`;
  log.write(`Test accuracy ${pct(test)} (final weights), ${pct(bestTest)} (best epoch ${summary.bestEpoch}); ${summary.seconds.toFixed(1)} s. Run directory: ${runDir}\n`);
  return summary;
}

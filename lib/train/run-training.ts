/**
 * runTraining: one whole training run, as `tensorgrad train` does it and as a script can call
 * it. Builds the MLP of the config, trains it with the Trainer on the config's data, and leaves a
 * run directory behind (config.json, metrics.jsonl, layers.jsonl, train.log, model.safetensors,
 * best.safetensors, summary.json, report.html, checkpoints/ for resuming; with `tensorboard`,
 * TensorBoard event files). With config.distributed, every rank of an mpirun or srun job calls it
 * and they train one model (distributed-run.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { getNumThreads } from '../backend/threads';
import { save } from '../io/safetensors';
import type { Callback } from './trainer';
import { latestCheckpoint, loadCheckpoint } from './checkpoints';
import { EarlyStopping } from './callbacks/early-stopping';
import { ExplosionGuard } from './callbacks/explosion-guard';
import { LayerStatsLogger, readLayerStats } from './callbacks/layer-stats-logger';
import { MetricsLogger } from './callbacks/metrics-logger';
import { Progress } from './callbacks/progress';
import { StallGuard } from './callbacks/stall-guard';
import { TensorBoardLogger } from './callbacks/tensorboard-logger';
import { WholeEpochCheckpoint } from './callbacks/whole-epoch-checkpoint';
import { applyRuntime, buildRun, checkRun, probeBatch } from './build-run';
import { distributedRun } from './distributed-run';
import { loadData } from './data-source';
import { writeReport } from './report/report';
import { type RunConfig, resolveRunConfig } from './run-config';
import { type Output, RUN_FILES, Tee, defaultRunDir, keepEpochsBefore, readJson, writeJson } from './run-dir';
import { lossFor, metricsFor, saveDataSpec, testSummaryFor, verdictLine } from './run-task';
import { formatSanityChecks } from './sanity-check';
import { type Evaluation, type FitResult, Trainer } from './trainer';

export interface TrainingSummary {
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
  /** What the run's diagnostics advised (a learning rate too low, …). */
  advice?: string[];
}

export interface TrainingOptions {
  /** Where progress is printed (default process.stdout); train.log gets the same lines. */
  out?: Output;
  /** Aborting it stops the run after the current batch, leaving what resumes it. */
  signal?: AbortSignal;
  /** Continue config.out from its latest checkpoint (what resumeTraining sets). */
  resume?: boolean;
}

/**
 * Continues a run from its latest checkpoint with the config it was started with; only the
 * number of epochs may change (to train longer than first planned).
 */
export async function resumeTraining(
  runDir: string, options: { epochs?: number; tensorboard?: boolean | string; out?: Output; signal?: AbortSignal } = {},
): Promise<TrainingSummary> {
  const saved = readJson(path.join(runDir, RUN_FILES.config), 'resume') as { config: RunConfig };
  // Settings added since the run was started take their defaults (runTraining resolves them);
  // TensorBoard logging may be turned on for the rest of a run (it does not change the training).
  const config = {
    ...saved.config, ...(options.epochs !== undefined ? { epochs: options.epochs } : {}),
    ...(options.tensorboard !== undefined ? { tensorboard: options.tensorboard } : {}), out: runDir,
  };
  const { epochs: _epochs, tensorboard: _tensorboard, ...rest } = options;
  return runTraining(config, { ...rest, resume: true });
}

/**
 * Trains the config's model on its data (settings not given take the data set's defaults, see
 * runDefaults) and writes the run directory config.out (default runs/<data>-<time>).
 */
export async function runTraining(given: Partial<RunConfig>, options: TrainingOptions = {}): Promise<TrainingSummary> {
  const started = performance.now();
  const out = options.out ?? process.stdout;
  let config = resolveRunConfig(given);
  const runDir = config.out || defaultRunDir(config.data);
  config = { ...config, out: runDir };
  applyRuntime(config);
  const data = loadData(config);
  const { sizes, description, layers, model, optimizer, scheduler, batches } = buildRun(config, data);
  // Distributed (lib/train/distributed-run.ts): rank 0 alone writes the run directory and prints.
  const shared = config.distributed ? distributedRun(model, batches.train, config.seed, { threads: config.threads, ...(options.signal ? { signal: options.signal } : {}) }) : undefined;
  const writer = (shared?.group.rank ?? 0) === 0;
  const ranks = shared?.group.size ?? 1;

  // A run resumed on another number of ranks takes steps of another global batch: say so.
  const configFile = path.join(runDir, RUN_FILES.config);
  const ranksBefore = options.resume && fs.existsSync(configFile) ? ((readJson(configFile, 'resume') as { ranks?: number }).ranks ?? 1) : ranks;
  if (writer) fs.mkdirSync(runDir, { recursive: true });
  const log = writer ? new Tee(out, path.join(runDir, RUN_FILES.log)) : { write: () => true };
  const record = {
    config, sizes, data: { name: data.name, train: data.train.x.shape[0], validation: data.validation.x.shape[0], test: data.test.x.shape[0] },
    ...(shared ? { ranks } : {}),
  };
  if (writer) writeJson(configFile, record);
  const dataMetadata = writer ? saveDataSpec(runDir, data) : {};

  const checkpoints = path.join(runDir, RUN_FILES.checkpoints);
  const trainLoader = shared?.train ?? batches.train;
  const callbacks: Callback[] = [
    ...(shared?.first ?? []),
    ...(writer ? [
      new Progress({ stream: log, epochs: config.epochs, batchesPerEpoch: trainLoader.length, ranks }),
      new MetricsLogger(path.join(runDir, RUN_FILES.metrics)),
    ] : []),
    new ExplosionGuard(),
    new StallGuard(),
    ...(writer ? [
      new WholeEpochCheckpoint(checkpoints, trainLoader.length, { keepLast: 2, config: record }),
      // About 20 snapshots whatever the run length keeps the report small.
      new LayerStatsLogger(path.join(runDir, RUN_FILES.layers), probeBatch(data.validation), { every: Math.max(1, Math.ceil(config.epochs / 20)) }),
    ] : []),
  ];
  if (config.patience > 0) callbacks.push(new EarlyStopping({ monitor: 'valLoss', patience: config.patience }));
  // After the checkpoint callback: an epoch in the event files is one a resumed run does not repeat.
  // Rank 0 alone writes them, like the rest of the run directory.
  const tensorboard = !writer ? null : config.tensorboard === true ? path.join(runDir, RUN_FILES.tensorboard) : config.tensorboard || null;
  if (tensorboard) {
    callbacks.push(new TensorBoardLogger(tensorboard, {
      histograms: Math.max(1, Math.ceil(config.epochs / 20)), probe: probeBatch(data.validation), config: record, batchesPerEpoch: trainLoader.length,
    }));
  }
  callbacks.push(...(shared?.last ?? []));
  const trained = shared?.model ?? model;
  const trainer = new Trainer({
    model: trained, loss: lossFor(data.task), optimizer, ...(scheduler ? { scheduler } : {}), metrics: metricsFor(data), callbacks, precision: config.precision,
  });

  // The notes' sanity checks on the untrained model; they leave it (and the generator) as it was.
  const sanity = options.resume || !writer ? [] : checkRun(data, model);
  if (sanity.length > 0) log.write(formatSanityChecks(sanity));
  let done = 0;
  if (options.resume) {
    // A run stopped before its first checkpoint starts over: the same seed gives the same run.
    // Every rank of a distributed run reads the same checkpoint: the same weights, optimizer
    // state and epoch (so the same sampler shards) everywhere.
    if (latestCheckpoint(checkpoints) !== null) done = loadCheckpoint(checkpoints, { model, optimizer, ...(scheduler ? { scheduler } : {}), trainer }).step;
    if (writer) for (const file of [RUN_FILES.metrics, RUN_FILES.layers]) keepEpochsBefore(path.join(runDir, file), done);
    log.write(done > 0 ? `Resuming ${runDir} after epoch ${done} of ${config.epochs}\n` : `Resuming ${runDir} from the start (it stopped before its first checkpoint)\n`);
    if (ranksBefore !== ranks) {
      log.write(`Note: this run trained on ${ranksBefore} rank${ranksBefore > 1 ? 's' : ''} and resumes on ${ranks}: ${config.batchSize * ranksBefore} samples per step become ${config.batchSize * ranks}, so it will not reach the weights of an uninterrupted run\n`);
    }
  } else {
    if (layers) log.write(`Model ${description}:\n${layers.map((l) => `  ${l}\n`).join('')}`);
    log.write(`Training ${description} (${config.activation}) on ${data.name}: ${record.data.train} train, ${record.data.validation} validation, ${record.data.test} test; ${config.optimizer} lr ${config.lr}, batch ${config.batchSize}, ${config.epochs} epochs${config.precision === 'bf16' ? ', bf16 matrix products' : ''} -> ${runDir}\n`);
  }
  if (tensorboard) log.write(`TensorBoard logs: ${tensorboard} (view with: tensorboard --logdir ${tensorboard})\n`);
  if (shared) log.write(`Distributed over ${ranks} ranks (${shared.group.library.split(',')[0]}): batch ${config.batchSize} per rank, ${config.batchSize * ranks} per step; rank 0 writes the run directory; ${getNumThreads()} GEMM thread${getNumThreads() > 1 ? 's' : ''} per rank\n`);
  const result: FitResult = await trainer.fit(trainLoader, {
    epochs: Math.max(config.epochs - done, 0), validation: batches.validation, monitor: 'valLoss', ...(options.signal ? { signal: options.signal } : {}),
  });
  if (result.stoppedEarly) log.write(`Stopped early: ${result.stoppedEarly}\n`);
  for (const advice of result.advice ?? []) log.write(`Advice: ${advice}\n`);
  if (options.signal?.aborted) log.write(`Interrupted: continue with tensorgrad train --resume ${runDir}\n`);

  const metadata = { 'tensorgrad.run': JSON.stringify(record), ...dataMetadata };
  if (writer) model.save(path.join(runDir, RUN_FILES.finalModel), { metadata });
  const test = await trainer.evaluate(batches.test);
  const validation = await trainer.evaluate(batches.validation);
  let bestTest = test;
  if (trainer.bestState) {
    if (writer) save(trainer.bestState, path.join(runDir, RUN_FILES.bestModel), { metadata });
    trainer.restoreBest();
    bestTest = await trainer.evaluate(batches.test);
  }
  const summary: TrainingSummary = {
    runDir, sizes, epochs: trainer.history.length, ...(result.stoppedEarly ? { stoppedEarly: result.stoppedEarly } : {}),
    seconds: (performance.now() - started) / 1000, bestEpoch: trainer.bestEpoch + 1, validation, test, bestTest,
    ...(result.advice ? { advice: result.advice } : {}),
  };
  if (!writer) return summary;
  writeJson(path.join(runDir, RUN_FILES.summary), summary);
  const verdict = verdictLine(data.task, test, bestTest, summary.bestEpoch, summary.seconds);
  writeReport(runDir, {
    title: `tensorgrad: ${description} on ${data.name}`, config: record, history: trainer.history,
    diagnostics: readLayerStats(path.join(runDir, RUN_FILES.layers)), ...(sanity.length > 0 ? { sanity } : {}),
    test: testSummaryFor(model, batches.test, data, trainer.bestState ? `the best epoch's weights (${summary.bestEpoch})` : 'the final weights'),
    notes: [verdict, ...(result.stoppedEarly ? [`Stopped early: ${result.stoppedEarly}`] : []), ...(result.advice ?? []).map((a) => `Advice: ${a}`)],
  });
  log.write(`${verdict} Run directory: ${runDir}\n`);
  return summary;
}

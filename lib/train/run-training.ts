/**
 * runTraining: one whole training run, as `tensorgrad train` does it and as a script can call
 * it. Builds the MLP of the config, trains it with the Trainer on the config's data, and leaves a
 * run directory behind (config.json, metrics.jsonl, layers.jsonl, train.log, model.safetensors,
 * best.safetensors, summary.json, report.html, checkpoints/ for resuming).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { save } from '../io/safetensors';
import type { Callback } from './trainer';
import { latestCheckpoint, loadCheckpoint } from './checkpoints';
import { EarlyStopping } from './callbacks/early-stopping';
import { ExplosionGuard } from './callbacks/explosion-guard';
import { LayerStatsLogger, readLayerStats } from './callbacks/layer-stats-logger';
import { MetricsLogger } from './callbacks/metrics-logger';
import { Progress } from './callbacks/progress';
import { StallGuard } from './callbacks/stall-guard';
import { WholeEpochCheckpoint } from './callbacks/whole-epoch-checkpoint';
import { applyRuntime, buildRun, checkRun, probeBatch } from './build-run';
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
export async function resumeTraining(runDir: string, options: { epochs?: number; out?: Output; signal?: AbortSignal } = {}): Promise<TrainingSummary> {
  const saved = readJson(path.join(runDir, RUN_FILES.config), 'resume') as { config: RunConfig };
  const config = { ...saved.config, ...(options.epochs !== undefined ? { epochs: options.epochs } : {}), out: runDir };
  const { epochs: _epochs, ...rest } = options;
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
  const { sizes, model, optimizer, scheduler, batches } = buildRun(config, data);

  fs.mkdirSync(runDir, { recursive: true });
  const log = new Tee(out, path.join(runDir, RUN_FILES.log));
  const record = { config, sizes, data: { name: data.name, train: data.train.x.shape[0], validation: data.validation.x.shape[0], test: data.test.x.shape[0] } };
  writeJson(path.join(runDir, RUN_FILES.config), record);
  const dataMetadata = saveDataSpec(runDir, data);

  const checkpoints = path.join(runDir, RUN_FILES.checkpoints);
  const callbacks: Callback[] = [
    new Progress({ stream: log, epochs: config.epochs, batchesPerEpoch: batches.train.length }),
    new MetricsLogger(path.join(runDir, RUN_FILES.metrics)),
    new ExplosionGuard(),
    new StallGuard(),
    new WholeEpochCheckpoint(checkpoints, batches.train.length, { keepLast: 2, config: record }),
    // About 20 snapshots whatever the run length keeps the report small.
    new LayerStatsLogger(path.join(runDir, RUN_FILES.layers), probeBatch(data.validation), { every: Math.max(1, Math.ceil(config.epochs / 20)) }),
  ];
  if (config.patience > 0) callbacks.push(new EarlyStopping({ monitor: 'valLoss', patience: config.patience }));
  const trainer = new Trainer({ model, loss: lossFor(data.task), optimizer, ...(scheduler ? { scheduler } : {}), metrics: metricsFor(data), callbacks });

  // The notes' sanity checks on the untrained model; they leave it (and the generator) as it was.
  const sanity = options.resume ? [] : checkRun(data, model);
  if (sanity.length > 0) log.write(formatSanityChecks(sanity));
  let done = 0;
  if (options.resume) {
    // A run stopped before its first checkpoint starts over: the same seed gives the same run.
    if (latestCheckpoint(checkpoints) !== null) done = loadCheckpoint(checkpoints, { model, optimizer, ...(scheduler ? { scheduler } : {}), trainer }).step;
    for (const file of [RUN_FILES.metrics, RUN_FILES.layers]) keepEpochsBefore(path.join(runDir, file), done);
    log.write(done > 0 ? `Resuming ${runDir} after epoch ${done} of ${config.epochs}\n` : `Resuming ${runDir} from the start (it stopped before its first checkpoint)\n`);
  } else {
    log.write(`Training ${sizes.join('-')} (${config.activation}) on ${data.name}: ${record.data.train} train, ${record.data.validation} validation, ${record.data.test} test; ${config.optimizer} lr ${config.lr}, batch ${config.batchSize}, ${config.epochs} epochs -> ${runDir}\n`);
  }
  const result: FitResult = await trainer.fit(batches.train, {
    epochs: Math.max(config.epochs - done, 0), validation: batches.validation, monitor: 'valLoss', ...(options.signal ? { signal: options.signal } : {}),
  });
  if (result.stoppedEarly) log.write(`Stopped early: ${result.stoppedEarly}\n`);
  for (const advice of result.advice ?? []) log.write(`Advice: ${advice}\n`);
  if (options.signal?.aborted) log.write(`Interrupted: continue with tensorgrad train --resume ${runDir}\n`);

  const metadata = { 'tensorgrad.run': JSON.stringify(record), ...dataMetadata };
  model.save(path.join(runDir, RUN_FILES.finalModel), { metadata });
  const test = await trainer.evaluate(batches.test);
  const validation = await trainer.evaluate(batches.validation);
  let bestTest = test;
  if (trainer.bestState) {
    save(trainer.bestState, path.join(runDir, RUN_FILES.bestModel), { metadata });
    trainer.restoreBest();
    bestTest = await trainer.evaluate(batches.test);
  }
  const summary: TrainingSummary = {
    runDir, sizes, epochs: trainer.history.length, ...(result.stoppedEarly ? { stoppedEarly: result.stoppedEarly } : {}),
    seconds: (performance.now() - started) / 1000, bestEpoch: trainer.bestEpoch + 1, validation, test, bestTest,
    ...(result.advice ? { advice: result.advice } : {}),
  };
  writeJson(path.join(runDir, RUN_FILES.summary), summary);
  const verdict = verdictLine(data.task, test, bestTest, summary.bestEpoch, summary.seconds);
  writeReport(runDir, {
    title: `tensorgrad: ${sizes.join('-')} on ${data.name}`, config: record, history: trainer.history,
    diagnostics: readLayerStats(path.join(runDir, RUN_FILES.layers)), ...(sanity.length > 0 ? { sanity } : {}),
    test: testSummaryFor(model, batches.test, data, trainer.bestState ? `the best epoch's weights (${summary.bestEpoch})` : 'the final weights'),
    notes: [verdict, ...(result.stoppedEarly ? [`Stopped early: ${result.stoppedEarly}`] : []), ...(result.advice ?? []).map((a) => `Advice: ${a}`)],
  });
  log.write(`${verdict} Run directory: ${runDir}\n`);
  return summary;
}

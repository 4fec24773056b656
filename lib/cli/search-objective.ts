/**
 * One trial of `tensorgrad search`: the base config with the sampled hyper-parameters, trained
 * without a run directory, scored by its best validation accuracy. Also loaded by search's
 * worker threads (the base config then comes from TENSORGRAD_SEARCH_BASE).
 */
import '../index';
import { ExplosionGuard } from '../train/callbacks/explosion-guard';
import type { Params, TrialResult } from '../train/search';
import { Trainer } from '../train/trainer';
import { applyRuntime, buildRun } from '../train/build-run';
import { lossFor, metricsFor } from '../train/run-task';
import { type Splits, loadData } from '../train/data-source';
import { type RunConfig, validateRunConfig } from '../train/run-config';

export const SEARCH_BASE_ENV = 'TENSORGRAD_SEARCH_BASE';

const cache = new Map<string, Splits>();

/** The trials share the data's settings (the searched ones are the optimizer's and dropout). */
function dataFor(config: RunConfig): Splits {
  const key = JSON.stringify([config.data, config.target, config.labels, config.task, config.impute, config.standardize, config.categorical, config.drop, config.validationSplit, config.testSplit, config.splitSeed]);
  let data = cache.get(key);
  if (!data) cache.set(key, (data = loadData(config)));
  return data;
}

/** What a trial is scored by: validation accuracy, or a regressor's validation R². */
export function scoreName(task: RunConfig['task']): 'accuracy' | 'r2' {
  return task === 'regression' ? 'r2' : 'accuracy';
}

export async function trial(base: RunConfig, params: Params): Promise<TrialResult> {
  const config = validateRunConfig({ ...base, ...params } as RunConfig);
  applyRuntime(config);
  const data = dataFor(config);
  const { model, optimizer, scheduler, batches } = buildRun(config, data);
  const trainer = new Trainer({
    model, loss: lossFor(data.task), optimizer, ...(scheduler ? { scheduler } : {}), metrics: metricsFor(data), callbacks: [new ExplosionGuard()],
    precision: config.precision,
  });
  const { history, stoppedEarly } = await trainer.fit(batches.train, { epochs: config.epochs, validation: batches.validation });
  const accuracies = history.map((r) => r.val?.[scoreName(data.task)] ?? Number.NaN);
  const exploded = stoppedEarly?.startsWith('explosion guard') ?? false;
  return {
    score: Math.max(...accuracies), ...(exploded ? { exploded: true } : {}),
    epochs: history.length, finalTrainLoss: history.at(-1)?.trainLoss ?? Number.NaN, ...(stoppedEarly ? { stoppedEarly } : {}),
  };
}

/** The worker-thread entry point (search's objectiveModule). */
export async function objective(params: Params): Promise<TrialResult> {
  const text = process.env[SEARCH_BASE_ENV];
  if (!text) throw new Error(`search worker: ${SEARCH_BASE_ENV} is not set`);
  return trial(JSON.parse(text) as RunConfig, params);
}

/**
 * What a run's task decides: a classifier trains on softmax cross-entropy and is scored by
 * accuracy and its confusion matrix; a regressor trains on the mean squared error of its
 * (standardized) targets and is scored by MAE, RMSE and R² in the target's own units and by its
 * predictions against the actual values. A table's encoding spec is saved beside the weights
 * (preprocess.json) and inside every model file's metadata, so a model file alone can be scored.
 */
import * as path from 'node:path';
import type { Tensor } from '../autograd/tensor';
import type { Batch } from '../data/dataset';
import { mseLoss } from '../nn/functional/loss';
import type { Module } from '../nn/module';
import { classificationLoss } from './build-run';
import type { Splits } from './data-source';
import { type Metric, type MetricSpec, MeanAbsoluteError, R2Score, RootMeanSquaredError } from './metrics';
import { type TestSummary, summarizeTest } from './report/test-summary';
import { writeJson } from './run-dir';
import type { Evaluation, LossFunction } from './trainer';
import type { Task } from '../data/tabular/schema';

/** The file beside the weights that holds a table's encoding spec. */
export const PREPROCESS_FILE = 'preprocess.json';
/** The safetensors metadata key that holds it inside a model file. */
export const PREPROCESS_METADATA = 'tensorgrad.preprocess';

const regressionLoss = (output: Tensor, target: Tensor): Tensor => mseLoss(output, target);

export function lossFor(task: Task): LossFunction {
  return task === 'regression' ? regressionLoss : classificationLoss;
}

/** Accuracy, or MAE, RMSE and R² in the target's units (through the spec's target scaling). */
export function metricsFor(data: Pick<Splits, 'task' | 'spec'>): MetricSpec[] {
  if (data.task === 'classification') return ['accuracy'];
  const scaling = data.spec?.targetScaling;
  const options = scaling ? { units: scaling } : {};
  const metrics: Metric[] = [new MeanAbsoluteError(options), new RootMeanSquaredError(options), new R2Score(options)];
  return metrics;
}

/** The run's closing line: test accuracy, or test RMSE and R², on the final and the best weights. */
export function verdictLine(task: Task, test: Evaluation, bestTest: Evaluation, bestEpoch: number, seconds: number): string {
  const tail = `(best epoch ${bestEpoch}); ${seconds.toFixed(1)} s.`;
  if (task === 'classification') {
    const pct = (e: Evaluation) => `${(100 * (e.metrics['accuracy'] ?? Number.NaN)).toFixed(2)}%`;
    return `Test accuracy ${pct(test)} (final weights), ${pct(bestTest)} ${tail}`;
  }
  const fit = (e: Evaluation) => `RMSE ${(e.metrics['rmse'] ?? Number.NaN).toPrecision(5)}, R² ${(e.metrics['r2'] ?? Number.NaN).toFixed(4)}`;
  return `Test ${fit(test)} (final weights), ${fit(bestTest)} ${tail}`;
}

/** The test split's confusion matrix or predicted-vs-actual values, for the report. */
export function testSummaryFor(model: Module, loader: Iterable<Batch>, data: Splits, weights: string): TestSummary {
  const label = `test split, ${data.test.x.shape[0]} rows, ${weights}`;
  if (data.task === 'classification') {
    return summarizeTest(model, loader, { task: 'classification', label, classes: data.classNames ?? Array.from({ length: data.classes }, (_, i) => String(i)) });
  }
  const scaling = data.spec?.targetScaling;
  const target = data.spec?.target.name;
  return summarizeTest(model, loader, {
    task: 'regression', label, ...(scaling ? { units: scaling } : {}),
    ...(target !== undefined && data.classes === 1 ? { targets: [target] } : {}),
  });
}

/** Writes runDir/preprocess.json for a table (nothing for images) and returns the model files' metadata entry. */
export function saveDataSpec(runDir: string, data: Splits): Record<string, string> {
  if (!data.spec) return {};
  const state = data.spec.stateDict();
  writeJson(path.join(runDir, PREPROCESS_FILE), state);
  return { [PREPROCESS_METADATA]: JSON.stringify(state) };
}

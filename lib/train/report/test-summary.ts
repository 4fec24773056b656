/**
 * What the report shows of the test split after training: a classifier's confusion matrix (and
 * from it the per-class accuracy), a regressor's predictions against the actual targets (in the
 * target's own units) with MAE, RMSE and R². Computed in evaluation mode without gradients.
 */
import { noGrad } from '../../autograd/grad-mode';
import type { Batch } from '../../data/dataset';
import type { Module } from '../../nn/module';
import { ConfusionMatrix, MeanAbsoluteError, R2Score, RootMeanSquaredError, type TargetUnits } from '../metrics';

export interface ClassificationSummary {
  task: 'classification';
  /** What was scored ("test split, 359 rows, weights of epoch 12"). */
  label: string;
  classes: string[];
  /** counts[t][p]: test rows of class t predicted as p. */
  counts: number[][];
}

export interface RegressionSummary {
  task: 'regression';
  label: string;
  rows: number;
  /** Per target, the actual and predicted values of (at most maxPoints) test rows, in the target's units. */
  targets: { name: string; actual: number[]; predicted: number[] }[];
  /** Over every test row. */
  metrics: { mae: number; rmse: number; r2: number };
}

export type TestSummary = ClassificationSummary | RegressionSummary;

export interface TestSummaryOptions {
  task: 'classification' | 'regression';
  label?: string;
  /** Class names (default "0", "1", …). */
  classes?: readonly string[];
  /** Target names for a regressor (default "target", or "target 0", "target 1", …). */
  targets?: readonly string[];
  /** A regressor's inverse target standardization. */
  units?: TargetUnits;
  /** The most points kept per target for the scatter plot (default 2000, evenly spread). */
  maxPoints?: number;
}

function eachOutput(model: Module, loader: Iterable<Batch>, visit: (output: Batch['x'], batch: Batch) => void): void {
  const wasTraining = model.training;
  model.eval();
  try {
    noGrad(() => {
      for (const batch of loader) visit(model.call(batch.x), batch);
    });
  } finally {
    model.train(wasTraining);
  }
}

export function summarizeTest(model: Module, loader: Iterable<Batch>, options: TestSummaryOptions): TestSummary {
  const label = options.label ?? 'test split';
  if (options.task === 'classification') {
    let matrix: ConfusionMatrix | null = null;
    eachOutput(model, loader, (output, batch) => {
      matrix ??= new ConfusionMatrix(output.shape[1] ?? 1);
      matrix.update(output, batch.y);
    });
    const counts = (matrix as ConfusionMatrix | null)?.counts ?? [];
    const classes = options.classes ? [...options.classes] : counts.map((_, i) => String(i));
    if (classes.length !== counts.length && counts.length > 0) {
      throw new RangeError(`summarizeTest: Expected ${counts.length} class names (the model's outputs) but received ${classes.length}`);
    }
    return { task: 'classification', label, classes, counts };
  }
  const metrics = [new MeanAbsoluteError(options.units ? { units: options.units } : {}), new RootMeanSquaredError(options.units ? { units: options.units } : {}), new R2Score(options.units ? { units: options.units } : {})];
  const actual: number[][] = [];
  const predicted: number[][] = [];
  let rows = 0;
  eachOutput(model, loader, (output, batch) => {
    for (const m of metrics) m.update(output, batch.y);
    const n = output.shape[0] ?? 1;
    const width = n > 0 ? output.size / n : 1;
    for (let i = 0; i < output.size; i++) {
      const k = i % width;
      const scale = options.units?.scale[k] ?? 1;
      const mean = options.units?.mean[k] ?? 0;
      (actual[k] ??= []).push(batch.y.data[i]! * scale + mean);
      (predicted[k] ??= []).push(output.data[i]! * scale + mean);
    }
    rows += n;
  });
  const maxPoints = options.maxPoints ?? 2000;
  const step = Math.max(1, Math.ceil(rows / maxPoints));
  const thin = (values: number[]) => values.filter((_, i) => i % step === 0);
  const names = options.targets ?? (actual.length === 1 ? ['target'] : actual.map((_, k) => `target ${k}`));
  return {
    task: 'regression', label, rows,
    targets: actual.map((a, k) => ({ name: names[k] ?? `target ${k}`, actual: thin(a), predicted: thin(predicted[k]!) })),
    metrics: { mae: metrics[0]!.compute(), rmse: metrics[1]!.compute(), r2: metrics[2]!.compute() },
  };
}

/**
 * Metrics accumulated over the batches of an epoch: accuracy for classifiers; mean absolute
 * error, root mean squared error and R² for regressors (in the target's own units when the model
 * learns standardized targets); and the confusion matrix of a classifier's predictions.
 */
import type { Tensor } from '../autograd/tensor';

export interface Metric {
  readonly name: string;
  /** Whether a larger value is better (for choosing the best model). */
  readonly higherIsBetter: boolean;
  reset(): void;
  update(output: Tensor, target: Tensor): void;
  compute(): number;
}

/** The fraction of rows whose largest output is at the target class (ties: the first). */
export class Accuracy implements Metric {
  readonly name = 'accuracy';
  readonly higherIsBetter = true;
  private correct = 0;
  private total = 0;

  reset(): void {
    this.correct = 0;
    this.total = 0;
  }

  update(output: Tensor, target: Tensor): void {
    if (output.ndim !== 2 || target.size !== output.shape[0]) {
      throw new RangeError(`accuracy: Expected outputs [N, C] and N targets but received [${output.shape.join(', ')}] and [${target.shape.join(', ')}]`);
    }
    const predicted = predictedClasses(output);
    predicted.forEach((p, r) => {
      if (p === target.data[r]) this.correct++;
    });
    this.total += predicted.length;
  }

  compute(): number {
    return this.total === 0 ? Number.NaN : this.correct / this.total;
  }
}

/**
 * How a regressor's outputs map to the target's units, per output column: value·scale + mean
 * (the inverse of the targets' standardization). Without it outputs are in the target's units.
 */
export interface TargetUnits {
  mean: ArrayLike<number>;
  scale: ArrayLike<number>;
}

/** The shared part of the regression metrics: shape checks and the pairs in the target's units. */
abstract class RegressionMetric implements Metric {
  abstract readonly name: string;
  abstract readonly higherIsBetter: boolean;
  readonly #units: TargetUnits | null;

  constructor(options: { units?: TargetUnits } = {}) {
    const units = options.units;
    if (units && (units.mean.length !== units.scale.length || units.mean.length < 1)) {
      throw new RangeError(`metrics: Expected units with as many means as scales but received ${units.mean.length} and ${units.scale.length}`);
    }
    this.#units = units ?? null;
  }

  abstract reset(): void;
  abstract compute(): number;
  /** One prediction and its target (in the target's units), for output column k. */
  protected abstract add(predicted: number, actual: number, k: number): void;

  update(output: Tensor, target: Tensor): void {
    if (output.size !== target.size || output.shape[0] !== target.shape[0]) {
      throw new RangeError(`${this.name}: Expected outputs and targets of the same shape but received [${output.shape.join(', ')}] and [${target.shape.join(', ')}]`);
    }
    const rows = output.shape[0] ?? 1;
    const width = rows > 0 ? output.size / rows : 1;
    if (this.#units && this.#units.mean.length !== width) {
      throw new RangeError(`${this.name}: Expected ${this.#units.mean.length} outputs per row (as the units say) but received [${output.shape.join(', ')}]`);
    }
    const mean = this.#units?.mean;
    const scale = this.#units?.scale;
    for (let i = 0; i < output.size; i++) {
      const k = i % width;
      const p = output.data[i]!;
      const a = target.data[i]!;
      this.add(scale ? p * scale[k]! + mean![k]! : p, scale ? a * scale[k]! + mean![k]! : a, k);
    }
  }
}

/** Mean absolute error: mean of |prediction − target| over every output of every row. */
export class MeanAbsoluteError extends RegressionMetric {
  readonly name = 'mae';
  readonly higherIsBetter = false;
  #sum = 0;
  #count = 0;

  reset(): void {
    this.#sum = 0;
    this.#count = 0;
  }

  protected add(predicted: number, actual: number): void {
    this.#sum += Math.abs(predicted - actual);
    this.#count++;
  }

  compute(): number {
    return this.#count === 0 ? Number.NaN : this.#sum / this.#count;
  }
}

/** Root mean squared error: √(mean of (prediction − target)²) over every output of every row. */
export class RootMeanSquaredError extends RegressionMetric {
  readonly name = 'rmse';
  readonly higherIsBetter = false;
  #sum = 0;
  #count = 0;

  reset(): void {
    this.#sum = 0;
    this.#count = 0;
  }

  protected add(predicted: number, actual: number): void {
    this.#sum += (predicted - actual) ** 2;
    this.#count++;
  }

  compute(): number {
    return this.#count === 0 ? Number.NaN : Math.sqrt(this.#sum / this.#count);
  }
}

/**
 * The coefficient of determination R² = 1 − Σ(y − ŷ)² / Σ(y − ȳ)², per output column and
 * averaged over them (scikit-learn's r2_score, uniform average). The targets' spread is
 * accumulated with Welford's update, so no large sums cancel. A column whose targets are all
 * equal scores 1 when predicted exactly and 0 otherwise, as scikit-learn does.
 */
export class R2Score extends RegressionMetric {
  readonly name = 'r2';
  readonly higherIsBetter = true;
  #columns: { n: number; mean: number; m2: number; residual: number }[] = [];

  reset(): void {
    this.#columns = [];
  }

  protected add(predicted: number, actual: number, k: number): void {
    const c = (this.#columns[k] ??= { n: 0, mean: 0, m2: 0, residual: 0 });
    c.n++;
    const delta = actual - c.mean;
    c.mean += delta / c.n;
    c.m2 += delta * (actual - c.mean);
    c.residual += (predicted - actual) ** 2;
  }

  compute(): number {
    if (this.#columns.length === 0) return Number.NaN;
    let sum = 0;
    for (const c of this.#columns) sum += c.m2 > 0 ? 1 - c.residual / c.m2 : c.residual === 0 ? 1 : 0;
    return sum / this.#columns.length;
  }
}

/** The argmax of each row of outputs [N, C] (ties: the first). */
export function predictedClasses(output: Tensor): Int32Array {
  if (output.ndim !== 2) throw new RangeError(`predictedClasses: Expected outputs [N, C] but received [${output.shape.join(', ')}]`);
  const [rows, cols] = output.shape as [number, number];
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < cols; c++) if (output.data[r * cols + c]! > output.data[r * cols + best]!) best = c;
    out[r] = best;
  }
  return out;
}

/** Counts of (true class, predicted class) pairs over batches: row = the target, column = the prediction. */
export class ConfusionMatrix {
  readonly classes: number;
  readonly counts: number[][];

  constructor(classes: number) {
    if (!Number.isInteger(classes) || classes < 1) throw new RangeError(`ConfusionMatrix: Expected a positive integer number of classes but received ${classes}`);
    this.classes = classes;
    this.counts = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  }

  reset(): void {
    for (const row of this.counts) row.fill(0);
  }

  update(output: Tensor, target: Tensor): void {
    if (output.ndim !== 2 || output.shape[1] !== this.classes || target.size !== output.shape[0]) {
      throw new RangeError(`ConfusionMatrix: Expected outputs [N, ${this.classes}] and N targets but received [${output.shape.join(', ')}] and [${target.shape.join(', ')}]`);
    }
    const predicted = predictedClasses(output);
    predicted.forEach((p, r) => {
      const t = target.data[r]!;
      if (!Number.isInteger(t) || t < 0 || t >= this.classes) throw new RangeError(`ConfusionMatrix: Expected class indices in [0, ${this.classes - 1}] but target ${r} is ${t}`);
      this.counts[t]![p]!++;
    });
  }

  /** Per class, the fraction of its examples predicted as it (its recall); NaN for a class with none. */
  perClassAccuracy(): number[] {
    return this.counts.map((row, c) => {
      const total = row.reduce((a, b) => a + b, 0);
      return total === 0 ? Number.NaN : row[c]! / total;
    });
  }

  get total(): number {
    return this.counts.reduce((sum, row) => sum + row.reduce((a, b) => a + b, 0), 0);
  }

  /** The fraction of all examples on the diagonal. */
  accuracy(): number {
    const total = this.total;
    return total === 0 ? Number.NaN : this.counts.reduce((sum, row, c) => sum + row[c]!, 0) / total;
  }
}

export type MetricName = 'accuracy' | 'mae' | 'rmse' | 'r2';
export type MetricSpec = MetricName | Metric;

export function makeMetric(spec: MetricSpec): Metric {
  switch (spec) {
    case 'accuracy': return new Accuracy();
    case 'mae': return new MeanAbsoluteError();
    case 'rmse': return new RootMeanSquaredError();
    case 'r2': return new R2Score();
  }
  if (spec && typeof spec === 'object' && typeof spec.update === 'function') return spec;
  throw new TypeError(`metrics: Expected "accuracy", "mae", "rmse", "r2" or a Metric but received ${String(spec)}`);
}

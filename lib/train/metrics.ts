/** Metrics accumulated over the batches of an epoch. */
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
    const [rows, cols] = output.shape as [number, number];
    for (let r = 0; r < rows; r++) {
      let best = 0;
      for (let c = 1; c < cols; c++) if (output.data[r * cols + c]! > output.data[r * cols + best]!) best = c;
      if (best === target.data[r]) this.correct++;
    }
    this.total += rows;
  }

  compute(): number {
    return this.total === 0 ? Number.NaN : this.correct / this.total;
  }
}

export type MetricSpec = 'accuracy' | Metric;

export function makeMetric(spec: MetricSpec): Metric {
  if (spec === 'accuracy') return new Accuracy();
  if (spec && typeof spec === 'object' && typeof spec.update === 'function') return spec;
  throw new TypeError(`metrics: Expected "accuracy" or a Metric but received ${String(spec)}`);
}

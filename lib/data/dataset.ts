/** Datasets: examples addressed by index, gathered a batch at a time. */
import { gather } from '../autograd/ops/shape';
import type { Tensor } from '../autograd/tensor';
import { formatShape } from '../format-shape';

export interface Batch {
  x: Tensor;
  y: Tensor;
}

export interface Dataset {
  readonly length: number;
  /** The examples at these indices, as one batch (rows in index order). */
  batch(indices: Int32Array): Batch;
}

/** Examples stored as the rows of two tensors: inputs x [N, …] and targets y [N, …]. */
export class TensorDataset implements Dataset {
  readonly x: Tensor;
  readonly y: Tensor;

  constructor(x: Tensor, y: Tensor) {
    if (x.ndim < 1 || y.ndim < 1 || x.shape[0] !== y.shape[0]) {
      throw new RangeError(`TensorDataset: Expected x and y with the same number of rows but received ${formatShape(x.shape)} and ${formatShape(y.shape)}`);
    }
    this.x = x.detach();
    this.y = y.detach();
  }

  get length(): number {
    return this.x.shape[0]!;
  }

  batch(indices: Int32Array): Batch {
    return { x: gather(this.x, indices), y: gather(this.y, indices) };
  }

  /** The examples at these indices as a new dataset (a split). */
  subset(indices: ArrayLike<number>): TensorDataset {
    return new TensorDataset(gather(this.x, indices), gather(this.y, indices));
  }
}

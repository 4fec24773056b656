/** Dropout2d(p): whole channels dropped in training, the identity in evaluation. */
import { dropout2d } from '../../autograd/ops/dropout2d';
import type { Tensor } from '../../autograd/tensor';
import { Module } from '../module';

export class Dropout2d extends Module {
  /** p is the probability of dropping a channel (PyTorch's p). */
  constructor(readonly p = 0.5) {
    super();
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new RangeError(`Dropout2d: Expected a drop probability p in [0, 1] but received ${String(p)}`);
  }
  forward(x: Tensor): Tensor {
    return dropout2d(x, this.p, this.training, `Dropout2d(p=${this.p})`);
  }
}

/** Dropout(p): inverted dropout in training, the identity in evaluation. */
import type { Tensor } from '../../autograd/tensor';
import { dropout } from '../../autograd/ops/dropout';
import { Module } from '../module';

export class Dropout extends Module {
  /** p is the probability of dropping an element (PyTorch's p), not of keeping it. */
  constructor(readonly p = 0.5) {
    super();
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new RangeError(`Dropout: Expected a drop probability p in [0, 1] but received ${String(p)}`);
  }
  forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.training);
  }
}

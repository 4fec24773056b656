/** A Parameter is a leaf tensor that a Module owns and an optimizer updates. */
import { Tensor } from '../autograd/tensor';
import type { FloatArray, Shape } from '../autograd/tensor';

export class Parameter extends Tensor {
  // Writable here (read-only on Tensor): a ParameterArena moves the values into its storage.
  declare data: FloatArray;

  /** Wraps a tensor's values (shared, not copied) as a trainable leaf. */
  constructor(value: Tensor | FloatArray, shape?: Shape, requiresGrad = true) {
    if (value instanceof Tensor) super(value.data, value.shape, { requiresGrad });
    else super(value, shape ?? [value.length], { requiresGrad });
  }

  /**
   * Copies the values into `storage` (of this parameter's dtype and size) and keeps them there
   * from now on: arrays taken from .data before are no longer this parameter's. What
   * ParameterArena does to put every parameter into one contiguous array.
   */
  moveTo(storage: FloatArray): void {
    if (storage.constructor !== this.data.constructor || storage.length !== this.size) {
      throw new TypeError(`Parameter.moveTo: Expected a ${this.data.constructor.name} of ${this.size} values but received a ${storage.constructor.name} of ${storage.length}`);
    }
    if (storage === this.data) return;
    storage.set(this.data);
    this.data = storage;
  }
}

/** A Parameter is a leaf tensor that a Module owns and an optimizer updates. */
import { Tensor } from '../autograd/tensor';
import type { FloatArray, Shape } from '../autograd/tensor';

export class Parameter extends Tensor {
  /** Wraps a tensor's values (shared, not copied) as a trainable leaf. */
  constructor(value: Tensor | FloatArray, shape?: Shape, requiresGrad = true) {
    if (value instanceof Tensor) super(value.data, value.shape, { requiresGrad });
    else super(value, shape ?? [value.length], { requiresGrad });
  }
}

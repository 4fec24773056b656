/** How an op puts its output on the tape. */
import { isGradEnabled } from './grad-mode';
import type { FloatArray, OpAttributes, Shape, Tensor as TensorType } from './tensor';
import { Tensor } from './tensor';

/** The attributes of an op that has none. */
export const NO_ATTRIBUTES: OpAttributes = Object.freeze({});

/**
 * Given ∂L/∂output, returns ∂L/∂input for each input, or null for inputs that do not require
 * a gradient. The engine owns `grad`: return it itself or new arrays, never an array a tensor
 * still uses (the engine adds into them in place).
 */
export type Backward = (grad: FloatArray) => (FloatArray | null)[];

/**
 * Wraps an op's result: with a Node (op name, attributes, inputs, backward) when recording is
 * on and some input requires a gradient, as a plain tensor otherwise. `attributes` is frozen
 * as it is: pass arrays of your own (copies), not the caller's.
 */
export function record(
  op: string, attributes: OpAttributes, inputs: readonly TensorType[], data: FloatArray, shape: Shape,
  backward: Backward,
): Tensor {
  if (!isGradEnabled() || !inputs.some((t) => t.requiresGrad)) return new Tensor(data, shape);
  const node = {
    op,
    attributes: Object.isFrozen(attributes) ? attributes : Object.freeze(attributes),
    inputs,
    outputCount: 1,
    backward: (grads: readonly (FloatArray | null)[]) => backward(grads[0]!),
  };
  return new Tensor(data, shape, { node });
}

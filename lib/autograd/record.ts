/** How an op puts its output on the tape. */
import { isGradEnabled } from './grad-mode';
import type { FloatArray, Node, Shape, Tensor as TensorType } from './tensor';
import { Tensor } from './tensor';

/**
 * Wraps an op's result: with a Node (op name, inputs, backward) when recording is on and some
 * input requires a gradient, as a plain tensor otherwise.
 */
export function record(
  op: string, inputs: readonly TensorType[], data: FloatArray, shape: Shape,
  backward: Node['backward'],
): Tensor {
  if (!isGradEnabled() || !inputs.some((t) => t.requiresGrad)) return new Tensor(data, shape);
  return new Tensor(data, shape, { node: { op, inputs, backward } });
}

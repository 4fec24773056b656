/** Ops that change a tensor's shape, not its values. */
import { record } from '../record';
import type { Tensor } from '../tensor';
import { checkShape, formatShape, sizeOf } from '../tensor';

/**
 * The same values under another shape (one dimension may be -1: inferred). Shares the data, as
 * a PyTorch view does; the gradient is reshaped back.
 */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const inferred = shape.filter((d) => d === -1).length;
  let target = [...shape];
  if (inferred > 1) throw new RangeError(`reshape: Expected at most one -1 in ${formatShape(shape)}`);
  if (inferred === 1) {
    const known = sizeOf(shape.filter((d) => d !== -1));
    if (known === 0 || x.size % known !== 0) {
      throw new RangeError(`reshape: cannot infer the -1 of ${formatShape(shape)} for ${x.size} elements`);
    }
    target = shape.map((d) => (d === -1 ? x.size / known : d));
  }
  checkShape('reshape', target);
  if (sizeOf(target) !== x.size) {
    throw new RangeError(`reshape: cannot view shape ${formatShape(x.shape)} (${x.size} elements) as ${formatShape(shape)} (${sizeOf(target)})`);
  }
  return record('reshape', [x], x.data, target, (grad) => [grad]);
}

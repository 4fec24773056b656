/** Softmax and log-softmax along a dimension (the last by default), max-subtracted. Attributes: { dim } (non-negative). */
import { record } from '../record';
import { Tensor, allocate, formatShape, kernelsFor } from '../tensor';
import { moveDimBack, moveDimToEnd, splitAt } from './move-dim';
import { normalizeDim } from './reduce';

type RowKernel = 'softmax' | 'logSoftmax';

function alongDim(op: RowKernel, x: Tensor, dim: number): Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`${op}: Expected a Tensor but received ${typeof x}`);
  if (x.ndim === 0) throw new RangeError(`${op}: Expected a tensor of at least 1 dimension but received shape ${formatShape(x.shape)}`);
  const d = normalizeDim(op, dim, x.ndim, x.shape);
  const kernels = kernelsFor(x.dtype);
  const split = splitAt(x.shape, d);
  const rows = split.outer * split.inner;
  const xs = moveDimToEnd(kernels, x.data, split, x.dtype);
  const ys = allocate(x.shape, x.dtype);
  kernels[op](xs, rows, split.length, ys);
  const out = moveDimBack(kernels, ys, split, x.dtype);
  return record(op, { dim: d }, [x], out, x.shape, (grad) => {
    const dy = moveDimToEnd(kernels, grad, split, x.dtype);
    const dx = allocate(x.shape, x.dtype);
    if (op === 'softmax') kernels.softmaxBackward(ys, dy, rows, split.length, dx);
    else kernels.logSoftmaxBackward(ys, dy, rows, split.length, dx);
    return [moveDimBack(kernels, dx, split, x.dtype)];
  });
}

/** e^(x_i − max) / Σ_j e^(x_j − max) along dim. ∂/∂x = y ⊙ (g − Σ g⊙y). */
export function softmax(x: Tensor, dim = -1): Tensor {
  return alongDim('softmax', x, dim);
}

/** x_i − max − log Σ_j e^(x_j − max) along dim. ∂/∂x = g − e^y · Σ g. */
export function logSoftmax(x: Tensor, dim = -1): Tensor {
  return alongDim('logSoftmax', x, dim);
}

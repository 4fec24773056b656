/** Embedding lookup: rows of a weight table, with a gradient that touches only the rows used. */
import { record } from '../../autograd/record';
import { Tensor, allocate, formatShape, kernelsFor } from '../../autograd/tensor';

export type Indices = Tensor | Int32Array | readonly number[];

/** The indices as an Int32Array and the shape they come in, each an integer in [0, rows). */
export function toIndices(op: string, indices: Indices, rows: number): { index: Int32Array; shape: number[] } {
  const isTensor = indices instanceof Tensor;
  if (!isTensor && !(indices instanceof Int32Array) && !Array.isArray(indices)) {
    throw new TypeError(`${op}: Expected indices as an Int32Array, an array of integers or a Tensor of integers`);
  }
  const values: ArrayLike<number> = isTensor ? indices.data : indices;
  const index = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isInteger(v) || v < 0 || v >= rows) {
      throw new RangeError(`${op}: Expected every index to be an integer in [0, ${rows}) but index ${i} is ${v}`);
    }
    index[i] = v;
  }
  return { index, shape: isTensor ? [...indices.shape] : [values.length] };
}

/**
 * weight [numEmbeddings, dim] looked up at each index → [...indices' shape, dim]. The backward
 * scatter-adds each output row's gradient into its index's row, so only the rows used receive
 * anything; the row paddingIdx (when given) never does, as in PyTorch.
 */
export function embedding(indices: Indices, weight: Tensor, paddingIdx: number | null = null): Tensor {
  if (!(weight instanceof Tensor) || weight.ndim !== 2) {
    throw new RangeError(`embedding: Expected a 2-D weight [numEmbeddings, dim] but received ${weight instanceof Tensor ? formatShape(weight.shape) : typeof weight}`);
  }
  const [rows, dim] = weight.shape as [number, number];
  const { index, shape } = toIndices('embedding', indices, rows);
  const outShape = [...shape, dim];
  const kernels = kernelsFor(weight.dtype);
  const out = allocate(outShape, weight.dtype);
  kernels.gatherRows(weight.data, rows, dim, index, out);
  return record('embedding', [weight], out, outShape, (grad) => {
    const dw = allocate(weight.shape, weight.dtype);
    kernels.scatterAddRows(grad, index, rows, dim, dw);
    if (paddingIdx !== null) dw.fill(0, paddingIdx * dim, (paddingIdx + 1) * dim);
    return [dw];
  });
}

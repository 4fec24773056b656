/**
 * Embedding lookup: rows of a weight table, with a gradient that touches only the rows used.
 * Attributes: { paddingIdx (null for none), sparse }.
 */
import { record } from '../record';
import { Tensor, allocate, formatShape, kernelsFor } from '../tensor';
import { addGradRows, rowSparseGrad, uniqueSorted } from '../sparse-grad';

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
 * anything; the row paddingIdx (when given; negative counts from the end) never does, as in PyTorch.
 * sparse (PyTorch's sparse=True): when the weight is a leaf without hooks (a Parameter), the
 * rows are added straight into weight.grad and recorded in weight.gradRows, with no dense
 * [numEmbeddings, dim] gradient per step (lib/autograd/sparse-grad.ts); otherwise as dense.
 */
export function embedding(indices: Indices, weight: Tensor, padding: number | null = null, sparse = false): Tensor {
  if (!(weight instanceof Tensor) || weight.ndim !== 2) {
    throw new RangeError(`embedding: Expected a 2-D weight [numEmbeddings, dim] but received ${weight instanceof Tensor ? formatShape(weight.shape) : typeof weight}`);
  }
  const [rows, dim] = weight.shape as [number, number];
  if (padding !== null && !(Number.isInteger(padding) && padding >= -rows && padding < rows)) {
    throw new RangeError(`embedding: Expected paddingIdx to be null or an integer in [${-rows}, ${rows}) but received ${String(padding)}`);
  }
  const paddingIdx = padding !== null && padding < 0 ? padding + rows : padding; // negative counts from the end
  const { index, shape } = toIndices('embedding', indices, rows);
  const outShape = [...shape, dim];
  const kernels = kernelsFor(weight.dtype);
  const out = allocate(outShape, weight.dtype);
  kernels.gatherRows(weight.data, rows, dim, index, out);
  if (typeof sparse !== 'boolean') throw new TypeError(`embedding: Expected a boolean for sparse but received ${typeof sparse}`);
  return record('embedding', { paddingIdx, sparse }, [weight], out, outShape, (grad) => {
    if (sparse && weight.node === null && weight.requiresGrad && !weight.hooks) {
      const dw = rowSparseGrad(weight).data;
      // The padding row receives nothing from this op: put back what the grad held there.
      const padding = paddingIdx === null ? null : dw.slice(paddingIdx * dim, (paddingIdx + 1) * dim);
      kernels.scatterAddRows(grad, index, rows, dim, dw);
      if (padding) dw.set(padding, paddingIdx! * dim);
      const used = uniqueSorted(index, rows);
      addGradRows(weight, paddingIdx === null ? used : used.filter((r) => r !== paddingIdx));
      return [null];
    }
    const dw = allocate(weight.shape, weight.dtype);
    kernels.scatterAddRows(grad, index, rows, dim, dw);
    if (paddingIdx !== null) dw.fill(0, paddingIdx * dim, (paddingIdx + 1) * dim);
    return [dw];
  });
}

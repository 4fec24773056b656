/** Class labels as the losses take them: an Int32Array, a number array, or a tensor of integers. */
import { Tensor } from '../tensor';

export type Labels = Tensor | Int32Array | readonly number[];

/** The labels as an Int32Array of length n, each an integer in [0, classes), or a clear error. */
export function toLabels(op: string, labels: Labels, n: number, classes: number): Int32Array {
  const values: ArrayLike<number> = labels instanceof Tensor ? labels.data : labels;
  if (!values || typeof values.length !== 'number' || (!(labels instanceof Tensor) && !ArrayBuffer.isView(labels) && !Array.isArray(labels))) {
    throw new TypeError(`${op}: Expected labels as an Int32Array, an array of numbers or a Tensor`);
  }
  if (values.length !== n) throw new RangeError(`${op}: Expected ${n} labels (one per row) but received ${values.length}`);
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (!Number.isInteger(v) || v < 0 || v >= classes) {
      throw new RangeError(`${op}: Expected every label to be an integer in [0, ${classes}) but labels[${i}] is ${v}`);
    }
  }
  return values instanceof Int32Array ? values : Int32Array.from(values);
}

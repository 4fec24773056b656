/** Reference layout kernels: index loops. */
import type { Floats, ReferenceContext } from '../declare';

export function transpose(this: ReferenceContext, x: Floats, rows: number, cols: number, out: Floats): void {
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = x[i * cols + j]!;
}

export function gatherRows(this: ReferenceContext, x: Floats, _rows: number, cols: number, indices: Int32Array, out: Floats): void {
  for (let r = 0; r < indices.length; r++) {
    for (let j = 0; j < cols; j++) out[r * cols + j] = x[indices[r]! * cols + j]!;
  }
}

export function scatterAddRows(this: ReferenceContext, src: Floats, indices: Int32Array, _rows: number, cols: number, out: Floats): void {
  for (let r = 0; r < indices.length; r++) {
    for (let j = 0; j < cols; j++) out[indices[r]! * cols + j] += src[r * cols + j]!;
  }
}

/** Reference layout kernels: index loops. */
import type { LayoutKernels } from '../contract/layout';
import { checkCount, checkDisjoint, checkLength, f32, i32, index, product } from '../validate';

/** Every index in [0, rows), or a RangeError naming the first one outside. */
function checkIndices(fn: string, indices: Int32Array, rows: number): void {
  for (let r = 0; r < indices.length; r++) {
    const v = indices[r]!;
    if (v < 0 || v >= rows) {
      throw new RangeError(`${fn}: Expected every index in [0, ${rows}) but indices[${r}] is ${v}`);
    }
  }
}

export const referenceLayout: LayoutKernels = {
  transpose(x, rows, cols, out) {
    const fn = 'transpose';
    checkCount(fn, arguments.length, 4);
    f32(fn, 'x', x);
    index(fn, 'rows', rows);
    index(fn, 'cols', cols);
    f32(fn, 'out', out);
    const size = product(fn, rows, cols, 'rows*cols');
    checkLength(fn, 'x', x, size, 'rows*cols');
    checkLength(fn, 'out', out, size, 'rows*cols');
    checkDisjoint(fn, 'out', out, 'x', x);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = x[i * cols + j]!;
  },

  gatherRows(x, rows, cols, indices, out) {
    const fn = 'gatherRows';
    checkCount(fn, arguments.length, 5);
    f32(fn, 'x', x);
    index(fn, 'rows', rows);
    index(fn, 'cols', cols);
    i32(fn, 'indices', indices);
    f32(fn, 'out', out);
    checkLength(fn, 'x', x, product(fn, rows, cols, 'rows*cols'), 'rows*cols');
    checkLength(fn, 'out', out, product(fn, indices.length, cols, 'indices.length*cols'), 'indices.length*cols');
    checkDisjoint(fn, 'out', out, 'x', x);
    checkIndices(fn, indices, rows);
    for (let r = 0; r < indices.length; r++) {
      for (let j = 0; j < cols; j++) out[r * cols + j] = x[indices[r]! * cols + j]!;
    }
  },

  scatterAddRows(src, indices, rows, cols, out) {
    const fn = 'scatterAddRows';
    checkCount(fn, arguments.length, 5);
    f32(fn, 'src', src);
    i32(fn, 'indices', indices);
    index(fn, 'rows', rows);
    index(fn, 'cols', cols);
    f32(fn, 'out', out);
    checkLength(fn, 'src', src, product(fn, indices.length, cols, 'indices.length*cols'), 'indices.length*cols');
    checkLength(fn, 'out', out, product(fn, rows, cols, 'rows*cols'), 'rows*cols');
    checkDisjoint(fn, 'out', out, 'src', src);
    checkIndices(fn, indices, rows);
    for (let r = 0; r < indices.length; r++) {
      for (let j = 0; j < cols; j++) out[indices[r]! * cols + j] += src[r * cols + j]!;
    }
  },
};

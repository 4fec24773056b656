/** Reference reductions: sums in double, rounded once to float32. */
import type { ReduceKernels } from '../contract/reduce';
import { checkCount, checkDisjoint, checkLength, f32, index, product } from '../validate';

function checkSum(fn: string, args: IArguments, perRow: boolean): [Float32Array, number, number, Float32Array] {
  checkCount(fn, args.length, 4);
  const x = f32(fn, 'x', args[0]);
  const rows = index(fn, 'rows', args[1]);
  const cols = index(fn, 'cols', args[2]);
  const out = f32(fn, 'out', args[3]);
  checkLength(fn, 'x', x, product(fn, rows, cols, 'rows*cols'), 'rows*cols');
  checkLength(fn, 'out', out, perRow ? rows : cols, perRow ? 'rows' : 'cols');
  checkDisjoint(fn, 'out', out, 'x', x);
  return [x, rows, cols, out];
}

export const referenceReduce: ReduceKernels = {
  rowSum(x, rows, cols, out) {
    checkSum('rowSum', arguments, true);
    for (let i = 0; i < rows; i++) {
      let sum = 0;
      for (let j = 0; j < cols; j++) sum += x[i * cols + j]!;
      out[i] = sum;
    }
  },

  colSum(x, rows, cols, out) {
    checkSum('colSum', arguments, false);
    const sums = new Float64Array(cols);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) sums[j] += x[i * cols + j]!;
    }
    out.set(sums);
  },
};

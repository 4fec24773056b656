/** Reference reductions: sums in double, rounded once to float32. */
import type { ReduceKernels } from '../contract/reduce';
import { checkCount, checkDisjoint, checkLength, f32, i32, index, product } from '../validate';

function checkMatrix(fn: string, args: IArguments, count: number): [Float32Array, number, number] {
  checkCount(fn, args.length, count);
  const x = f32(fn, 'x', args[0]);
  const rows = index(fn, 'rows', args[1]);
  const cols = index(fn, 'cols', args[2]);
  checkLength(fn, 'x', x, product(fn, rows, cols, 'rows*cols'), 'rows*cols');
  return [x, rows, cols];
}

function checkSum(fn: string, args: IArguments, perRow: boolean): [Float32Array, number, number, Float32Array] {
  const [x, rows, cols] = checkMatrix(fn, args, 4);
  const out = f32(fn, 'out', args[3]);
  checkLength(fn, 'out', out, perRow ? rows : cols, perRow ? 'rows' : 'cols');
  checkDisjoint(fn, 'out', out, 'x', x);
  return [x, rows, cols, out];
}

/** A maximum needs an element in every row; argmax indices must fit an Int32Array. */
function checkNonEmptyRows(fn: string, rows: number, cols: number): void {
  if (rows > 0 && cols === 0) {
    throw new RangeError(`${fn}: Expected cols > 0 for the maximum of each of ${rows} rows but received 0`);
  }
  if (cols > 2147483647) {
    throw new RangeError(`${fn}: Expected cols no larger than 2^31-1 but received ${cols}`);
  }
}

/** The index of row i's maximum: the first NaN if any, else the first of the largest values. */
function argmaxOfRow(x: Float32Array, offset: number, cols: number): number {
  let best = 0;
  let value = x[offset]!;
  if (Number.isNaN(value)) return 0;
  for (let j = 1; j < cols; j++) {
    const v = x[offset + j]!;
    if (Number.isNaN(v)) return j;
    if (v > value) {
      value = v;
      best = j;
    }
  }
  return best;
}

function rowSums(x: Float32Array, rows: number, cols: number, out: Float32Array, divisor: number): void {
  for (let i = 0; i < rows; i++) {
    let sum = 0;
    for (let j = 0; j < cols; j++) sum += x[i * cols + j]!;
    out[i] = sum / divisor;
  }
}

function colSums(x: Float32Array, rows: number, cols: number, divisor: number): Float64Array {
  const sums = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) sums[j] += x[i * cols + j]!;
  }
  for (let j = 0; j < cols; j++) sums[j] /= divisor;
  return sums;
}

export const referenceReduce: ReduceKernels = {
  rowSum(x, rows, cols, out) {
    checkSum('rowSum', arguments, true);
    rowSums(x, rows, cols, out, 1);
  },

  colSum(x, rows, cols, out) {
    checkSum('colSum', arguments, false);
    out.set(colSums(x, rows, cols, 1));
  },

  rowMean(x, rows, cols, out) {
    checkSum('rowMean', arguments, true);
    rowSums(x, rows, cols, out, cols);
  },

  colMean(x, rows, cols, out) {
    checkSum('colMean', arguments, false);
    out.set(colSums(x, rows, cols, rows));
  },

  rowMax(x, rows, cols, out) {
    checkSum('rowMax', arguments, true);
    checkNonEmptyRows('rowMax', rows, cols);
    for (let i = 0; i < rows; i++) out[i] = x[i * cols + argmaxOfRow(x, i * cols, cols)]!;
  },

  rowArgmax(x, rows, cols, out) {
    const fn = 'rowArgmax';
    checkMatrix(fn, arguments, 4);
    i32(fn, 'out', out);
    checkLength(fn, 'out', out, rows, 'rows');
    checkDisjoint(fn, 'out', out, 'x', x);
    checkNonEmptyRows(fn, rows, cols);
    for (let i = 0; i < rows; i++) out[i] = argmaxOfRow(x, i * cols, cols);
  },

  colMeanVar(x, rows, cols, mean, variance) {
    const fn = 'colMeanVar';
    checkMatrix(fn, arguments, 5);
    f32(fn, 'mean', mean);
    f32(fn, 'variance', variance);
    checkLength(fn, 'mean', mean, cols, 'cols');
    checkLength(fn, 'variance', variance, cols, 'cols');
    checkDisjoint(fn, 'mean', mean, 'x', x);
    checkDisjoint(fn, 'variance', variance, 'x', x);
    checkDisjoint(fn, 'variance', variance, 'mean', mean);
    const means = colSums(x, rows, cols, rows);
    const squares = new Float64Array(cols);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) squares[j] += (x[i * cols + j]! - means[j]!) ** 2;
    }
    for (let j = 0; j < cols; j++) squares[j] /= rows;
    mean.set(means);
    variance.set(squares);
  },
};

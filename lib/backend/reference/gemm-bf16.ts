/**
 * Reference bfloat16 GEMM: the numbers native/kernels/gemm_bf16.h states, one element at a time,
 * so the native kernel (vdpbf16ps or its emulation) and this loop agree bit for bit:
 *   - each operand rounded to bfloat16 to nearest even (NaN to 0x7fc0), a subnormal bfloat16
 *     read as a zero of its sign (the DAZ of vdpbf16ps);
 *   - k cut into ceil(k / 384) near-equal blocks, each starting at an even step; within a block
 *     the sum starts from 0 and takes the steps in pairs, the odd one first, each step a fused
 *     multiply-add rounded to float32 with a subnormal result flushed to a zero of its sign;
 *   - the blocks added into C, alpha, beta, the bias and the activation applied, in float32
 *     (SGEMM's write-back: each operation rounded once).
 * A fused multiply-add of bfloat16 operands is exact in JavaScript: their product has at most 16
 * significant bits, so it is exact in double and in float32's precision, and a sum of two
 * float32-precision numbers rounded to double and then to float32 is the correctly rounded sum
 * (double has more than 2·24 + 2 bits). A bfloat16 operand array arrives widened (exact).
 */
import type { Floats, ReferenceContext } from '../declare';
import type { Activation } from './gemm';
import { bfloat16ToFloat, floatToBfloat16 } from '../bfloat16';

/** The k block of every bfloat16 path (gemm_bf16.cc kBf16Kc). */
const KC = 384;
const FLT_MIN = 2 ** -126;

/** An operand as the GEMM reads it: rounded to bfloat16, a subnormal as a zero of its sign. */
function operand(x: number): number {
  const h = floatToBfloat16(x);
  return bfloat16ToFloat((h & 0x7f80) === 0 ? h & 0x8000 : h);
}

/** op(X) as a row-major rows × cols array of the values the GEMM multiplies. */
function operands(x: Floats, rows: number, cols: number, transposed: boolean): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out[r * cols + c] = operand(transposed ? x[c * rows + r]! : x[r * cols + c]!);
  }
  return out;
}

/** A subnormal result as a zero of its sign (vdpbf16ps's FTZ). */
function flush(v: number): number {
  return Math.abs(v) < FLT_MIN ? (v < 0 || Object.is(v, -0) ? -0 : 0) : v;
}

/** The balanced k block: ceil(k / KC) blocks of near-equal size, rounded up to even. */
function blockOf(k: number): number {
  const blocks = Math.ceil(k / KC);
  const kc = Math.ceil(k / blocks);
  return kc + (kc & 1);
}

/** The sum of steps [p0, end) of row i of op(A) and column j of op(B), in pairs, odd step first. */
function blockSum(a: Float64Array, b: Float64Array, i: number, j: number, n: number, k: number, p0: number, end: number): number {
  let acc = 0;
  for (let q = p0; q < end; q += 2) {
    if (q + 1 < end) acc = flush(Math.fround(a[i * k + q + 1]! * b[(q + 1) * n + j]! + acc));
    else acc = flush(Math.fround(0 + acc)); // the zero step that pads an odd block
    acc = flush(Math.fround(a[i * k + q]! * b[q * n + j]! + acc));
  }
  return acc;
}

function activate(v: number, activation: Activation, slope: number): number {
  if (activation === 'none' || v > 0 || Number.isNaN(v)) return v;
  return activation === 'relu' ? 0 : Math.fround(slope * v);
}

export function gemmBf16(
  this: ReferenceContext, transA: boolean, transB: boolean, m: number, n: number, k: number,
  alpha: number, a: Floats, b: Floats, beta: number, c: Float32Array,
): void {
  if (m * n === 0) return;
  if (alpha === 0 || k === 0) { // beta·C without reading A or B; beta = 0 never reads C
    for (let i = 0; i < m * n; i++) c[i] = beta === 0 ? 0 : beta === 1 ? c[i]! : Math.fround(beta * c[i]!);
    return;
  }
  const A = operands(a, m, k, transA);
  const B = operands(b, k, n, transB);
  const kc = blockOf(k);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let value = beta === 0 ? 0 : c[i * n + j]!;
      for (let p0 = 0; p0 < k; p0 += kc) {
        const acc = blockSum(A, B, i, j, n, k, p0, Math.min(k, p0 + kc));
        const blockBeta = p0 === 0 ? beta : 1;
        let v = alpha === 1 ? acc : Math.fround(alpha * acc);
        if (blockBeta === 1) v = Math.fround(v + value);
        else if (blockBeta !== 0) v = Math.fround(v + Math.fround(blockBeta * value));
        value = v;
      }
      c[i * n + j] = value;
    }
  }
}

export function gemmBf16BiasActivation(
  this: ReferenceContext, transA: boolean, transB: boolean, m: number, n: number, k: number,
  a: Floats, b: Floats, bias: Float32Array, activation: Activation, slope: number, c: Float32Array,
): void {
  if (m * n === 0) return;
  const A = k === 0 ? new Float64Array(0) : operands(a, m, k, transA);
  const B = k === 0 ? new Float64Array(0) : operands(b, k, n, transB);
  const kc = k === 0 ? 1 : blockOf(k);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let value = 0;
      for (let p0 = 0; p0 < k; p0 += kc) {
        const acc = blockSum(A, B, i, j, n, k, p0, Math.min(k, p0 + kc));
        value = p0 === 0 ? acc : Math.fround(acc + value);
      }
      // k = 0: the product is zero, and 0 + bias turns a bias of -0 into +0, as in C++.
      c[i * n + j] = activate(Math.fround(value + bias[j]!), activation, slope);
    }
  }
}

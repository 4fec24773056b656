/**
 * Mixed precision as PyTorch's CPU autocast does it: inside amp.autocast('bfloat16', fn) the
 * matrix products of float32 tensors (Linear's forward and both its backward GEMMs, matmul and
 * its two gradients) multiply bfloat16 operands, rounded to nearest even inside the kernel, and
 * accumulate and store in float32. Everything else stays float32: parameters (the master
 * weights), gradients, activations, losses, softmax and normalization. An op reads the setting
 * when it runs forward, and its backward computes as its forward did, wherever backward() is
 * called. float64 tensors (gradient checks) are never autocast.
 */
import { noticeBf16Emulation } from '../backend/bf16-notice';
import type { DType, FloatArray, kernelsFor } from './tensor';

/** What autocast accepts: 'bfloat16' turns it on, 'float32' off (a region inside another). */
export const AUTOCAST_DTYPES = ['bfloat16', 'float32'] as const;
export type AutocastDType = (typeof AUTOCAST_DTYPES)[number];

let current: AutocastDType = 'float32';

/**
 * Runs fn with the GEMMs of float32 ops in `dtype`: 'bfloat16', or 'float32' for a region that
 * must not be autocast inside an autocast one. Nests; the setting before is back when fn returns
 * or throws. fn must be synchronous, as for noGrad: the setting cannot follow an await.
 */
export function autocast<T>(dtype: AutocastDType, fn: () => T): T {
  if (!(AUTOCAST_DTYPES as readonly unknown[]).includes(dtype)) {
    throw new TypeError(`autocast: Expected "bfloat16" or "float32" for dtype but received ${typeof dtype === 'string' ? `"${dtype}"` : String(dtype)}`);
  }
  if (typeof fn !== 'function') throw new TypeError(`autocast: Expected a function for fn but received ${fn === null ? 'null' : typeof fn}`);
  if (dtype === 'bfloat16') noticeBf16Emulation();
  const before = current;
  current = dtype;
  let result: T;
  try {
    result = fn();
  } finally {
    current = before;
  }
  if (result instanceof Promise) {
    throw new TypeError('autocast: Expected a synchronous function but it returned a Promise; wrap the synchronous parts instead');
  }
  return result;
}

/** The dtype float32 GEMMs compute in now: 'bfloat16' inside autocast('bfloat16', …), else 'float32'. */
export function autocastDtype(): AutocastDType {
  return current;
}

export function isAutocastEnabled(): boolean {
  return current !== 'float32';
}

/** Whether an op on tensors of `dtype` multiplies in bfloat16 now. */
export function gemmsInBfloat16(dtype: DType): boolean {
  return current === 'bfloat16' && dtype === 'float32';
}

/**
 * C = op(A)·op(B) (α = 1, β = 0) in the precision an op chose at its forward (gemmsInBfloat16):
 * bfloat16 operands accumulated in float32, or the dtype's own GEMM. One place for Linear's and
 * matmul's products, forward and backward.
 */
export function product(
  kernels: ReturnType<typeof kernelsFor>, bf16: boolean, transA: boolean, transB: boolean,
  m: number, n: number, k: number, a: FloatArray, b: FloatArray, c: FloatArray,
): void {
  if (bf16) kernels.gemmBf16(transA, transB, m, n, k, 1, a, b, 0, c as Float32Array);
  else kernels.gemm(transA, transB, m, n, k, 1, a, b, 0, c);
}

// Float64 oracles of the transcendental elementwise kernels and their derivatives, computed in
// the tests (independent of the reference backend, except gelu's erfc, which JavaScript lacks).
import { erfc } from '../../../lib/backend/reference/erfc';

export const FLT_MIN = 2 ** -126;
/** One float32 rounding, relative. */
export const ROUNDING = 2 ** -24;

export function sigmoid64(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

export function softplus64(x: number, beta = 1, threshold = 20): number {
  const z = Math.fround(x * beta);
  if (z > threshold) return x;
  return (Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)))) / beta;
}

export const gelu64 = (x: number) => 0.5 * x * erfc(-x * Math.SQRT1_2);
const geluU = (x: number) => Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3);
const onePlusTanh = (u: number) => (u >= 0 ? 1 + Math.tanh(u) : (2 * Math.exp(u)) / (Math.exp(u) + Math.exp(-u)));
const pdf = (x: number) => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);

/** f and f′ in double, for the forward and backward checks. */
export const MATH = {
  exp: { f: (x: number) => (Math.fround(Math.exp(x)) === Infinity ? Infinity : Math.exp(x)), df: Math.exp },
  log: { f: Math.log, df: (x: number) => 1 / x },
  sqrt: { f: Math.sqrt, df: (x: number) => 0.5 / Math.sqrt(x) },
  tanh: { f: Math.tanh, df: (x: number) => 1 - Math.tanh(x) ** 2 },
  sigmoid: { f: sigmoid64, df: (x: number) => sigmoid64(x) * (1 - sigmoid64(x)) },
  elu: { f: (x: number) => (x > 0 ? x : 1.5 * Math.expm1(x)), df: (x: number) => (x > 0 ? 1 : 1.5 * Math.exp(x)) },
  softplus: { f: (x: number) => softplus64(x, 2, 15), df: (x: number) => (x * 2 > 15 ? 1 : sigmoid64(2 * x)) },
  gelu: { f: gelu64, df: (x: number) => 0.5 * erfc(-x * Math.SQRT1_2) + x * pdf(x) },
  // PyTorch's tanh form as the formula reads, with 1 + tanh u = 2e^u/(e^u + e^−u) for u < 0 and
  // 1 − tanh²u = 1/cosh²u so that double keeps its precision where the kernel (x·σ(2u)) does.
  geluTanh: {
    f: (x: number) => 0.5 * x * onePlusTanh(geluU(x)),
    df: (x: number) => {
      const u = geluU(x);
      return 0.5 * onePlusTanh(u) + (0.5 * x * Math.sqrt(2 / Math.PI) * (1 + 3 * 0.044715 * x * x)) / Math.cosh(u) ** 2;
    },
  },
};

/** bound·max(|e|, FLT_MIN) per element: relative, with denormal results in units of FLT_MIN. */
export function relativeTolerance(expected: ArrayLike<number>, bound: number): Float64Array {
  return Float64Array.from(expected, (e) => bound * Math.max(Math.abs(e), FLT_MIN));
}

/** Reference GEMM: the textbook triple loop, each dot product in double, one rounding. */
import type { Floats, ReferenceContext } from '../declare';

export type Activation = 'none' | 'relu' | 'leakyRelu';

/** act(v) on a rounded value; NaN passes through, relu(±0) = 0. */
function activate(context: ReferenceContext, v: number, act: Activation, slope: number): number {
  if (act === 'none' || v > 0 || Number.isNaN(v)) return v;
  return act === 'relu' ? 0 : context.round(slope * v);
}

export function gemm(
  this: ReferenceContext, transA: boolean, transB: boolean, m: number, n: number, k: number,
  alpha: number, a: Floats, b: Floats, beta: number, c: Floats,
): void {
  const useProduct = alpha !== 0 && k > 0;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let value = 0;
      if (useProduct) {
        let sum = 0;
        for (let p = 0; p < k; p++) {
          const aip = transA ? a[p * m + i]! : a[i * k + p]!;
          const bpj = transB ? b[j * k + p]! : b[p * n + j]!;
          sum += aip * bpj;
        }
        value = alpha * sum;
      }
      if (beta !== 0) value += beta * c[i * n + j]!; // beta = 0 never reads C
      c[i * n + j] = value;
    }
  }
}

export function gemmBiasActivation(
  this: ReferenceContext, transA: boolean, transB: boolean, m: number, n: number, k: number,
  a: Floats, b: Floats, bias: Floats, activation: Activation, slope: number, c: Floats,
): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = bias[j]!;
      for (let p = 0; p < k; p++) {
        const aip = transA ? a[p * m + i]! : a[i * k + p]!;
        const bpj = transB ? b[j * k + p]! : b[p * n + j]!;
        sum += aip * bpj;
      }
      c[i * n + j] = activate(this, this.round(sum), activation, slope);
    }
  }
}

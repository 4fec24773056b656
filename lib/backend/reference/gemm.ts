/** Reference GEMM: the textbook triple loop, each dot product in double, one rounding. */
import { ACTIVATIONS, type Activation, type GemmKernels } from '../contract/gemm';
import {
  checkCount, checkDisjoint, checkLength, describe, f32, finiteFloat, flag, index, product, scalar,
} from '../validate';

function activation(fn: string, value: unknown): Activation {
  if (typeof value !== 'string' || !(ACTIVATIONS as readonly string[]).includes(value)) {
    throw new TypeError(`${fn}: Expected "none", "relu" or "leakyRelu" for activation but received ${describe(value)}`);
  }
  return value as Activation;
}

/** act(v) on a float32 value; NaN passes through, relu(±0) = 0. */
function activate(v: number, act: Activation, slope32: number): number {
  if (act === 'none' || v > 0 || Number.isNaN(v)) return v;
  return act === 'relu' ? 0 : scalar(slope32 * v);
}

export const referenceGemm: GemmKernels = {
  gemm(transA, transB, m, n, k, alpha, a, b, beta, c) {
    const fn = 'gemm';
    checkCount(fn, arguments.length, 10);
    flag(fn, 'transA', transA);
    flag(fn, 'transB', transB);
    index(fn, 'm', m);
    index(fn, 'n', n);
    index(fn, 'k', k);
    finiteFloat(fn, 'alpha', alpha);
    f32(fn, 'a', a);
    f32(fn, 'b', b);
    finiteFloat(fn, 'beta', beta);
    f32(fn, 'c', c);
    checkLength(fn, 'a', a, product(fn, m, k, 'm*k'), 'm*k');
    checkLength(fn, 'b', b, product(fn, k, n, 'k*n'), 'k*n');
    checkLength(fn, 'c', c, product(fn, m, n, 'm*n'), 'm*n');
    checkDisjoint(fn, 'c', c, 'a', a);
    checkDisjoint(fn, 'c', c, 'b', b);
    const alpha32 = scalar(alpha);
    const beta32 = scalar(beta);
    const useProduct = alpha32 !== 0 && k > 0;
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
          value = alpha32 * sum;
        }
        if (beta32 !== 0) value += beta32 * c[i * n + j]!; // beta = 0 never reads C
        c[i * n + j] = value;
      }
    }
  },

  gemmBiasActivation(transA, transB, m, n, k, a, b, bias, act, slope, c) {
    const fn = 'gemmBiasActivation';
    checkCount(fn, arguments.length, 11);
    flag(fn, 'transA', transA);
    flag(fn, 'transB', transB);
    index(fn, 'm', m);
    index(fn, 'n', n);
    index(fn, 'k', k);
    f32(fn, 'a', a);
    f32(fn, 'b', b);
    f32(fn, 'bias', bias);
    activation(fn, act);
    finiteFloat(fn, 'slope', slope);
    f32(fn, 'c', c);
    checkLength(fn, 'a', a, product(fn, m, k, 'm*k'), 'm*k');
    checkLength(fn, 'b', b, product(fn, k, n, 'k*n'), 'k*n');
    checkLength(fn, 'bias', bias, n, 'n');
    checkLength(fn, 'c', c, product(fn, m, n, 'm*n'), 'm*n');
    checkDisjoint(fn, 'c', c, 'a', a);
    checkDisjoint(fn, 'c', c, 'b', b);
    checkDisjoint(fn, 'c', c, 'bias', bias);
    const slope32 = scalar(slope);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = bias[j]!;
        for (let p = 0; p < k; p++) {
          const aip = transA ? a[p * m + i]! : a[i * k + p]!;
          const bpj = transB ? b[j * k + p]! : b[p * n + j]!;
          sum += aip * bpj;
        }
        c[i * n + j] = activate(scalar(sum), act, slope32);
      }
    }
  },
};

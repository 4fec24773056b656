/** Reference GEMM: the textbook triple loop, each dot product in double, one rounding. */
import type { GemmKernels } from '../contract/gemm';
import { checkCount, checkDisjoint, checkLength, f32, finiteFloat, flag, index, product, scalar } from '../validate';

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
};

import { detached, F, type Signature } from './signature';

export const GEMM_SIGNATURES: Record<string, Signature> = {
  gemm: {
    kinds: ['flag', 'flag', 'index', 'index', 'index', 'float', 'f32', 'f32', 'float', 'f32'],
    valid: () => [false, true, 2, 3, 4, 1, F(8), F(12), 0, F(6)],
    refused: () => {
      const shared = F(20);
      return [
        [false, false, 2 ** 26, 2 ** 27, 0, 1, F(0), F(0), 0, F(0)], // m·n = 2^53
        [false, false, 2 ** 31, 2 ** 31, 2 ** 31, 1, F(0), F(0), 0, F(0)], // products overflow
        [false, false, 2, 2, 2, 1, shared.subarray(0, 4), F(4), 0, shared.subarray(0, 4)], // c is a
        [false, false, 2, 2, 2, 1, F(4), shared.subarray(0, 4), 0, shared.subarray(2, 6)], // c overlaps b
        [false, false, 2, 3, 4, 1, detached(), F(12), 0, F(6)],
        [false, false, 2, 3, 4, 3.5e38, F(8), F(12), 0, F(6)], // alpha beyond float32
      ];
    },
  },  gemmBiasActivation: {
    kinds: ['flag', 'flag', 'index', 'index', 'index', 'f32', 'f32', 'f32', 'choice', 'float', 'f32'],
    valid: () => [true, false, 2, 3, 4, F(8), F(12), F(3), 'leakyRelu', 0.01, F(6)],
    refused: () => {
      const shared = F(20);
      return [
        [false, false, 0, 2 ** 27, 2 ** 26, F(0), F(0), F(0), 'none', 0, F(0)], // k·n = 2^53
        [false, false, 2, 2, 2, shared.subarray(0, 4), F(4), F(2), 'relu', 0, shared.subarray(0, 4)], // c is a
        [false, false, 2, 2, 2, F(4), shared.subarray(0, 4), F(2), 'relu', 0, shared.subarray(2, 6)], // c overlaps b
        [false, false, 2, 2, 2, F(4), F(4), shared.subarray(4, 6), 'relu', 0, shared.subarray(5, 9)], // c overlaps bias
        [false, false, 2, 3, 4, F(8), F(12), detached(), 'none', 0, F(6)],
        [false, false, 2, 3, 4, F(8), F(12), F(3), 'relu', 3.5e38, F(6)], // slope beyond float32
      ];
    },
  },
};

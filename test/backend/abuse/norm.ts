import { F, type Signature } from './signature';

// x is [n, c, hw] = [2, 3, 2]: 12 values, 3 channels of m = 4.
const train = (): unknown[] => [F(12), 2, 3, 2, F(3), F(3), F(3), F(3), 1e-5, 0.1, F(12), F(3), F(3)];
const evaluate = (): unknown[] => [F(12), 2, 3, 2, F(3), F(3), F(3), F(3), 1e-5, F(12)];
const backward = (): unknown[] => [F(12), F(12), 2, 3, 2, F(3), F(3), F(3), F(12), F(3), F(3)];

function withArgs(make: () => unknown[], changes: Record<number, unknown>): unknown[] {
  const args = make();
  for (const [position, value] of Object.entries(changes)) args[Number(position)] = value;
  return args;
}

export const NORM_SIGNATURES: Record<string, Signature> = {
  batchNormTrain: {
    kinds: ['f32', 'index', 'index', 'index', 'f32', 'f32', 'f32', 'f32', 'double', 'double', 'f32', 'f32', 'f32'],
    valid: train,
    refused: () => {
      const shared = F(13);
      const stats = F(3);
      return [
        withArgs(train, { 8: 0 }), // eps must be positive
        withArgs(train, { 8: -1e-5 }),
        withArgs(train, { 9: 1.5 }), // momentum outside [0, 1]
        withArgs(train, { 9: -0.1 }),
        withArgs(train, { 1: 1, 3: 1, 0: F(3), 10: F(3) }), // one value per channel: no unbiased variance
        withArgs(train, { 1: 0, 0: F(0), 10: F(0) }), // no values at all
        withArgs(train, { 0: shared.subarray(0, 12), 10: shared.subarray(1, 13) }), // y partly overlaps x
        withArgs(train, { 11: stats, 12: stats }), // mean and invStd one array
        withArgs(train, { 6: stats, 7: stats }), // running mean and variance one array
        withArgs(train, { 4: stats, 11: stats }), // mean written over gamma
        withArgs(train, { 1: 2 ** 27, 2: 2 ** 27 }), // n·c = 2^54
      ];
    },
  },
  batchNormEval: {
    kinds: ['f32', 'index', 'index', 'index', 'f32', 'f32', 'f32', 'f32', 'double', 'f32'],
    valid: evaluate,
    refused: () => {
      const shared = F(13);
      const big = F(15);
      return [
        withArgs(evaluate, { 8: 0 }), // eps must be positive
        withArgs(evaluate, { 0: shared.subarray(0, 12), 9: shared.subarray(1, 13) }), // y partly overlaps x
        withArgs(evaluate, { 7: big.subarray(10, 13), 9: big.subarray(0, 12) }), // y over runningVar
        withArgs(evaluate, { 2: 2 ** 27, 3: 2 ** 27 }), // n·c·hw past 2^53
      ];
    },
  },
  batchNormBackward: {
    kinds: ['f32', 'f32', 'index', 'index', 'index', 'f32', 'f32', 'f32', 'f32', 'f32', 'f32'],
    valid: backward,
    refused: () => {
      const shared = F(13);
      const sums = F(3);
      const x = F(12);
      return [
        withArgs(backward, { 1: shared.subarray(0, 12), 8: shared.subarray(1, 13) }), // dx partly overlaps dy
        withArgs(backward, { 0: x, 8: x }), // dx may be dy, not x
        withArgs(backward, { 9: sums, 10: sums }), // dgamma and dbeta one array
        withArgs(backward, { 2: 2 ** 27, 3: 2 ** 27 }),
      ];
    },
  },
};

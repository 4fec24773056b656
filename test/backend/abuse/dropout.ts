import { detached, F, type Signature } from './signature';

function dropout(): Signature {
  return {
    kinds: ['f32', 'double', 'index', 'index', 'f32'],
    valid: () => [F(5), 0.5, 7, 3, F(5)],
    refused: () => {
      const shared = F(6);
      return [
        [F(5), -0.1, 7, 3, F(5)], // dropProb outside [0, 1]
        [F(5), 1.5, 7, 3, F(5)],
        [F(5), 0.5, 7, 2 ** 53 - 3, F(5)], // offset + length passes 2^53 - 1
        [shared.subarray(0, 5), 0.5, 7, 3, shared.subarray(1, 6)], // output partly overlaps input
        [F(5), 0.5, 7, 3, detached()],
      ];
    },
  };
}

export const DROPOUT_SIGNATURES: Record<string, Signature> = {
  dropoutForward: dropout(),
  dropoutBackward: dropout(),
};

import type { ReduceKernels } from '../../../lib/backend';
import { F, type Signature } from './signature';

function sum(outLength: number): Signature {
  return {
    kinds: ['f32', 'index', 'index', 'f32'],
    valid: () => [F(6), 2, 3, F(outLength)],
    refused: () => {
      const shared = F(6 + outLength);
      return [
        [shared.subarray(0, 6), 2, 3, shared.subarray(5, 5 + outLength)], // out overlaps x
        [F(6), 2 ** 27, 2 ** 27, F(outLength)], // rows·cols = 2^54
      ];
    },
  };
}

export const REDUCE_SIGNATURES: Record<keyof ReduceKernels, Signature> = {
  rowSum: sum(2),
  colSum: sum(3),
};

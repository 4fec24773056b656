import { F, type Signature } from './signature';

const I = (...values: number[]) => Int32Array.from(values);

export const LAYOUT_SIGNATURES: Record<string, Signature> = {
  transpose: {
    kinds: ['f32', 'index', 'index', 'f32'],
    valid: () => [F(6), 2, 3, F(6)],
    refused: () => {
      const shared = F(8);
      return [
        [shared.subarray(0, 6), 2, 3, shared.subarray(2, 8)], // out overlaps x
        [F(0), 2 ** 27, 2 ** 27, F(0)], // rows·cols = 2^54
      ];
    },
  },
  gatherRows: {
    kinds: ['f32', 'index', 'index', 'i32', 'f32'],
    valid: () => [F(6), 3, 2, I(2, 0), F(4)],
    refused: () => {
      const shared = F(10);
      return [
        [F(6), 3, 2, I(2, 3), F(4)], // index past the last row
        [F(6), 3, 2, I(-1, 0), F(4)], // negative index
        [shared.subarray(0, 6), 3, 2, I(2, 0), shared.subarray(4, 8)], // out overlaps x
      ];
    },
  },
  scatterAddRows: {
    kinds: ['f32', 'i32', 'index', 'index', 'f32'],
    valid: () => [F(4), I(2, 2), 3, 2, F(6)],
    refused: () => {
      const shared = F(10);
      return [
        [F(4), I(0, 3), 3, 2, F(6)], // index past the last row
        [shared.subarray(0, 4), I(0, 1), 3, 2, shared.subarray(2, 8)], // out overlaps src
      ];
    },
  },
};

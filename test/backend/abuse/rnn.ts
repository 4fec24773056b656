import { detached, F, type Signature } from './signature';

// n = 2 rows, hidden = 3.
export const RNN_SIGNATURES: Record<string, Signature> = {
  lstmCellForward: {
    kinds: ['f32', 'f32', 'index', 'index', 'f32', 'f32', 'f32'],
    valid: () => [F(24), F(6), 2, 3, F(24), F(6), F(6)],
    refused: () => {
      const shared = F(30);
      return [
        [F(24), F(6), 2, 3, F(24), shared.subarray(0, 6), shared.subarray(3, 9)], // c and h overlap
        [shared.subarray(0, 24), F(6), 2, 3, shared.subarray(1, 25), F(6), F(6)], // gates partly over pre
        [F(24), F(6), 2 ** 52, 2 ** 52, F(24), F(6), F(6)], // n*4*hidden passes 2^53 - 1
        [F(24), F(6), 2, 3, F(24), F(6), detached()],
      ];
    },
  },
  lstmCellBackward: {
    kinds: ['f32', 'f32', 'f32', 'f32', 'f32', 'index', 'index', 'f32', 'f32'],
    valid: () => [F(24), F(6), F(6), F(6), F(6), 2, 3, F(24), F(6)],
    refused: () => {
      const dh = F(6);
      return [
        [F(24), F(6), F(6), dh, F(6), 2, 3, F(24), dh], // dcPrev is dh
        [F(24), F(6), F(6), F(6), F(6), 2, 4, F(24), F(6)], // hidden 4 wants longer arrays
      ];
    },
  },
  gruCellForward: {
    kinds: ['f32', 'f32', 'f32', 'index', 'index', 'f32', 'f32'],
    valid: () => [F(18), F(18), F(6), 2, 3, F(24), F(6)],
    refused: () => {
      const hPrev = F(6);
      return [
        [F(18), F(18), hPrev, 2, 3, F(24), hPrev], // h is hPrev
        [F(18), F(18), F(6), 2, 3, F(24), detached()],
      ];
    },
  },
  gruCellBackward: {
    kinds: ['f32', 'f32', 'f32', 'index', 'index', 'f32', 'f32', 'f32'],
    valid: () => [F(24), F(6), F(6), 2, 3, F(18), F(18), F(6)],
    refused: () => {
      const shared = F(36);
      return [
        [F(24), F(6), F(6), 2, 3, shared.subarray(0, 18), shared.subarray(17, 35), F(6)], // dgi and dgh overlap
        [F(24), F(6), F(6), 2, 4, F(18), F(18), F(6)],
      ];
    },
  },
};

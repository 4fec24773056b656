import { F, type Signature } from './signature';

/** x is 2×3; out has one element per row or per column. */
function reduction(outLength: number, out: (n: number) => ArrayBufferView = F, emptyRows = false): Signature {
  return {
    kinds: ['f32', 'index', 'index', out === F ? 'f32' : 'i32'],
    valid: () => [F(6), 2, 3, out(outLength)],
    refused: () => {
      const shared = new ArrayBuffer(4 * (6 + outLength));
      const calls: unknown[][] = [
        // out overlaps x
        [new Float32Array(shared, 0, 6), 2, 3, new (out(0).constructor as Int32ArrayConstructor)(shared, 20, outLength)],
        [F(6), 2 ** 27, 2 ** 27, out(outLength)], // rows·cols = 2^54
      ];
      if (emptyRows) calls.push([F(0), 2, 0, out(2)]); // a maximum of nothing
      return calls;
    },
  };
}

const I = (n: number) => new Int32Array(n);

export const REDUCE_SIGNATURES: Record<string, Signature> = {
  rowSum: reduction(2),
  colSum: reduction(3),
  rowMean: reduction(2),
  colMean: reduction(3),
  rowMax: reduction(2, F, true),
  rowArgmax: reduction(2, I, true),
  colMeanVar: {
    kinds: ['f32', 'index', 'index', 'f32', 'f32'],
    valid: () => [F(6), 2, 3, F(3), F(3)],
    refused: () => {
      const shared = F(12);
      return [
        [shared.subarray(0, 6), 2, 3, shared.subarray(5, 8), F(3)], // mean overlaps x
        [shared.subarray(0, 6), 2, 3, F(3), shared.subarray(4, 7)], // variance overlaps x
        [F(6), 2, 3, shared.subarray(6, 9), shared.subarray(8, 11)], // variance overlaps mean
        [F(6), 2 ** 27, 2 ** 27, F(3), F(3)],
      ];
    },
  },
};

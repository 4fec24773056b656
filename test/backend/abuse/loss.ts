import { F, type Signature } from './signature';

const I = (values: number[]) => Int32Array.from(values);

/** x is rows×cols; y/dx the same shape: may be the input, never partly overlap it. */
function softmaxForward(): Signature {
  return {
    kinds: ['f32', 'index', 'index', 'f32'],
    valid: () => [F(6), 2, 3, F(6)],
    refused: () => {
      const shared = F(7);
      return [
        [shared.subarray(0, 6), 2, 3, shared.subarray(1, 7)], // y partly overlaps x
        [F(6), 2 ** 27, 2 ** 27, F(6)],
      ];
    },
  };
}

function softmaxBackward(): Signature {
  return {
    kinds: ['f32', 'f32', 'index', 'index', 'f32'],
    valid: () => [F(6), F(6), 2, 3, F(6)],
    refused: () => {
      const shared = F(7);
      return [
        [shared.subarray(0, 6), F(6), 2, 3, shared.subarray(1, 7)], // dx partly overlaps y
        [F(6), shared.subarray(0, 6), 2, 3, shared.subarray(1, 7)], // dx partly overlaps dy
        [F(6), F(6), 2 ** 27, 2 ** 27, F(6)],
      ];
    },
  };
}

/** logits/scores 2×3 with labels [0, 2]; then the kernel's own arguments. */
function labelled(kinds: Signature['kinds'], tail: () => unknown[], refusedTails: (() => unknown[])[]): Signature {
  return {
    kinds: ['f32', 'i32', 'index', 'index', ...kinds],
    valid: () => [F(6), I([0, 2]), 2, 3, ...tail()],
    refused: () => [
      [F(6), I([0, 3]), 2, 3, ...tail()], // label 3 of 3 classes
      [F(6), I([-1, 0]), 2, 3, ...tail()], // negative label
      [F(0), I([]), 0, 3, ...tail().map((a) => (a instanceof Float32Array && a.length === 6 ? F(0) : a))], // mean of no rows
      ...refusedTails.map((t) => [F(6), I([0, 2]), 2, 3, ...t()]),
    ],
  };
}

/** x and t 2×3 with targets in [0, 1], posWeight (length 3, or 0), mean. */
function bce(kinds: Signature['kinds'], tail: () => unknown[]): Signature {
  return {
    kinds: ['f32', 'f32', 'index', 'index', 'f32', 'flag', ...kinds],
    valid: () => [F(6), F(6), 2, 3, F(3), true, ...tail()],
    refused: () => [
      [F(6), F(6).fill(1.5), 2, 3, F(3), true, ...tail()], // a target above 1
      [F(6), F(6).fill(-0.5), 2, 3, F(0), false, ...tail()], // a target below 0
      [F(0), F(0), 0, 3, F(3), true, ...tail().map((a) => (a instanceof Float32Array && a.length === 6 ? F(0) : a))], // mean of nothing
      [F(6), F(6), 2 ** 27, 2 ** 27, F(3), true, ...tail()],
    ],
  };
}

/** prediction and target of length 5, mean; then the kernel's own arguments. */
function pointwise(kinds: Signature['kinds'], tail: () => unknown[], outLength: number): Signature {
  return {
    kinds: ['f32', 'f32', 'flag', ...kinds],
    valid: () => [F(5), F(5), true, ...tail()],
    refused: () => {
      const shared = F(6);
      const overlapping = tail().map((a) => (a instanceof Float32Array ? shared.subarray(outLength === 1 ? 4 : 1, outLength === 1 ? 5 : 6) : a));
      return [
        [shared.subarray(0, 5), F(5), true, ...overlapping], // the output partly overlaps prediction
        [F(0), F(0), true, ...tail().map((a) => (a instanceof Float32Array && a.length === 5 ? F(0) : a))], // mean of nothing
      ];
    },
  };
}

export const LOSS_SIGNATURES: Record<string, Signature> = {
  softmax: softmaxForward(),
  softmaxBackward: softmaxBackward(),
  logSoftmax: softmaxForward(),
  logSoftmaxBackward: softmaxBackward(),
  softmaxCrossEntropy: labelled(['f32', 'double', 'f32', 'f32'], () => [F(3), 0.1, F(6), F(1)], [
    () => [F(3), 1.5, F(6), F(1)], // smoothing above 1
    () => [F(3), -0.1, F(6), F(1)], // smoothing below 0
    () => {
      const shared = F(7);
      return [F(3), 0, shared.subarray(0, 6), shared.subarray(5, 6)]; // loss overlaps probs
    },
  ]),
  softmaxCrossEntropyBackward: labelled(['f32', 'double', 'double', 'f32'], () => [F(3), 0, 1, F(6)], [
    () => [F(0), 2, 1, F(6)],
    () => {
      const shared = F(8);
      return [shared.subarray(0, 3), 0, 1, shared.subarray(2, 8)]; // dlogits overlaps weights
    },
  ]),
  hingeLoss: labelled(['double', 'f32'], () => [1, F(1)], []),
  hingeLossBackward: labelled(['double', 'double', 'f32'], () => [1, 1, F(6)], []),
  bceWithLogits: bce(['f32'], () => [F(1)]),
  bceWithLogitsBackward: bce(['double', 'f32'], () => [1, F(6)]),
  mse: pointwise(['f32'], () => [F(1)], 1),
  mseBackward: pointwise(['double', 'f32'], () => [1, F(5)], 5),
  l1: pointwise(['f32'], () => [F(1)], 1),
  l1Backward: pointwise(['double', 'f32'], () => [1, F(5)], 5),
};

// Softmax and loss cases for bench/kernels.js at MLP output sizes (batch × classes): 128×10,
// 512×10 and 128×1000. Inputs are in [-1, 1); targets for BCE are |x|, labels are fixed.
'use strict';
const SIZES = [[128, 10], [512, 10], [128, 1000]];

function labels(rows, cols) {
  return Int32Array.from({ length: rows }, (_, i) => (i * 7919) % cols);
}

const NONE = new Float32Array(0);
const targets = new Map();
/** |x| as BCE targets, made once per array so the timing loop only runs the kernel. */
function targetsOf(x) {
  if (!targets.has(x)) targets.set(x, x.map(Math.abs));
  return targets.get(x);
}

module.exports = SIZES.flatMap(([R, C]) => {
  const n = R * C;
  const y = labels(R, C);
  const matrix = { x: n, dy: n, out: n, loss: 1 };
  const size = `${R}x${C}`;
  const bytes2 = 8 * n;
  const bytes3 = 12 * n;
  return [
    { name: `softmax ${size}`, bytes: bytes2, data: matrix, run: (k, d) => k.softmax(d.x, R, C, d.out) },
    { name: `softmaxBackward ${size}`, bytes: bytes3, data: matrix, run: (k, d) => k.softmaxBackward(d.x, d.dy, R, C, d.out) },
    { name: `logSoftmax ${size}`, bytes: bytes2, data: matrix, run: (k, d) => k.logSoftmax(d.x, R, C, d.out) },
    { name: `logSoftmaxBackward ${size}`, bytes: bytes3, data: matrix, run: (k, d) => k.logSoftmaxBackward(d.x, d.dy, R, C, d.out) },
    { name: `softmaxCrossEntropy ${size}`, bytes: bytes2, data: matrix, run: (k, d) => k.softmaxCrossEntropy(d.x, y, R, C, NONE, 0, d.out, d.loss) },
    { name: `softmaxCrossEntropy smoothed ${size}`, bytes: bytes2, data: matrix, run: (k, d) => k.softmaxCrossEntropy(d.x, y, R, C, NONE, 0.1, d.out, d.loss) },
    { name: `softmaxCrossEntropyBackward ${size}`, bytes: bytes2, data: matrix, run: (k, d) => k.softmaxCrossEntropyBackward(d.x, y, R, C, NONE, 0, 1, d.out) },
    { name: `hingeLoss ${size}`, bytes: 4 * n, data: matrix, run: (k, d) => k.hingeLoss(d.x, y, R, C, 1, d.loss) },
    { name: `hingeLossBackward ${size}`, bytes: bytes2, data: matrix, run: (k, d) => k.hingeLossBackward(d.x, y, R, C, 1, 1, d.out) },
    { name: `bceWithLogits ${size}`, bytes: bytes2, data: matrix, run: (k, d) => k.bceWithLogits(d.x, targetsOf(d.dy), R, C, NONE, true, d.loss) },
    { name: `bceWithLogitsBackward ${size}`, bytes: bytes3, data: matrix, run: (k, d) => k.bceWithLogitsBackward(d.x, targetsOf(d.dy), R, C, NONE, true, 1, d.out) },
    { name: `mse ${size}`, bytes: bytes2, data: matrix, run: (k, d) => k.mse(d.x, d.dy, true, d.loss) },
    { name: `mseBackward ${size}`, bytes: bytes3, data: matrix, run: (k, d) => k.mseBackward(d.x, d.dy, true, 1, d.out) },
    { name: `l1 ${size}`, bytes: bytes2, data: matrix, run: (k, d) => k.l1(d.x, d.dy, true, d.loss) },
    { name: `l1Backward ${size}`, bytes: bytes3, data: matrix, run: (k, d) => k.l1Backward(d.x, d.dy, true, 1, d.out) },
  ];
});

// A mix of kernel calls over every area of the native addon, at the sizes of a small model,
// shared by the soak (scripts/soak.js) and the leak check (scripts/leak-check.js). Each entry
// calls one export with valid arguments; results are overwritten in place, so a long loop
// allocates nothing itself and whatever memory grows is the addon's.
'use strict';

const R = 32; // rows (a batch)
const C = 48; // columns (features)
const N = R * C;

/** The calls, each a function of a backend (the addon's kernels). `mix(b)` returns them bound. */
function mix(b) {
  const f = (n, seed = 1) => {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = Math.sin(seed * 7.1 + i * 0.37) * 0.9 + 0.05;
    return a;
  };
  const x = f(N, 1), y = f(N, 2), dy = f(N, 3), out = f(N, 4), out2 = f(N, 5);
  const row = f(C, 6), col = f(C, 7), col2 = f(C, 8), col3 = f(C, 9), col4 = f(C, 10);
  const w = f(C * C, 11), bias = f(C, 12), rowOut = f(R, 13);
  const labels = Int32Array.from({ length: R }, (_, i) => i % C);
  const argmax = new Int32Array(R);
  const ones = new Float32Array(C).fill(1);
  const loss = new Float32Array(1);
  const bits = new Uint32Array(N);
  const gather = Int32Array.from({ length: R }, (_, i) => (i * 7) % R);
  const p = f(N, 14), g = f(N, 15), s1 = f(N, 16), s2 = f(N, 17), s3 = new Float32Array(N);
  const gamma = f(C, 18).map(Math.abs), beta = f(C, 19), rMean = new Float32Array(C), rVar = new Float32Array(C).fill(1);
  const mean = new Float32Array(C), invStd = new Float32Array(C), dGamma = new Float32Array(C), dBeta = new Float32Array(C);
  // Hierarchical softmax over 4 classes: a complete binary tree of 3 nodes, paths of depth 2.
  const tree = [Int32Array.from([0, 2, 4, 6, 8]), Int32Array.from([0, 1, 0, 1, 0, 2, 0, 2]), Int32Array.from([0, 0, 0, 1, 1, 0, 1, 1])];
  const hLabels = Int32Array.from({ length: R }, (_, i) => i % 4);
  const hWeight = f(3 * C, 20), hBias = f(3, 21), dz = new Float32Array(R * 2), hLosses = new Float32Array(R);
  const dLosses = new Float32Array(R).fill(1 / R), dxH = new Float32Array(N), dwH = new Float32Array(3 * C), dbH = new Float32Array(3);
  const logProbs = new Float32Array(R * 4);
  let step = 0;
  return [
    ['gemm', () => b.gemm(false, false, R, C, C, 1, x, w, 0, out)],
    ['gemm TN', () => b.gemm(true, false, C, C, R, 1, x, y, 0, w)],
    ['gemmBiasActivation', () => b.gemmBiasActivation(false, true, R, C, C, x, w, bias, 'relu', 0, out)],
    ['add', () => b.add(x, y, out)],
    ['mul', () => b.mul(x, y, out)],
    ['addRow', () => b.addRow(x, row, R, C, out)],
    ['mulScalar', () => b.mulScalar(x, 0.5, out)],
    ['exp', () => b.exp(x, out)],
    ['tanh', () => b.tanh(x, out)],
    ['sigmoidBackward', () => b.sigmoidBackward(y, dy, out)],
    ['relu', () => b.relu(x, out)],
    ['reluBackward', () => b.reluBackward(x, dy, out)],
    ['gelu', () => b.gelu(x, out)],
    ['rowSum', () => b.rowSum(x, R, C, rowOut)],
    ['colMeanVar', () => b.colMeanVar(x, R, C, col, col2)],
    ['rowArgmax', () => b.rowArgmax(x, R, C, argmax)],
    ['softmax', () => b.softmax(x, R, C, out)],
    ['softmaxCrossEntropy', () => b.softmaxCrossEntropy(x, labels, R, C, ones, 0, out, loss)],
    ['softmaxCrossEntropyBackward', () => b.softmaxCrossEntropyBackward(out, labels, R, C, ones, 0, 1, out2)],
    ['mse', () => b.mse(x, y, true, loss)],
    ['fillUniform', () => b.fillUniform(out, 5, step * N, -1, 1)],
    ['randomBits', () => b.randomBits(bits, 5, step * N)],
    ['transpose', () => b.transpose(x, R, C, out)],
    ['gatherRows', () => b.gatherRows(x, R, C, gather, out)],
    ['dropoutForward', () => b.dropoutForward(x, 0.25, 9, step * N, out)],
    ['batchNormTrain', () => b.batchNormTrain(x, R, C, 1, gamma, beta, rMean, rVar, 1e-5, 0.1, out, mean, invStd)],
    ['batchNormBackward', () => b.batchNormBackward(x, dy, R, C, 1, gamma, mean, invStd, out2, dGamma, dBeta)],
    ['sgdStep', () => b.sgdStep(p, g, s1, 1e-3, 0.9, 0, 0, false, ++step)],
    ['adamStep', () => b.adamStep(p, g, s1, s2, s3, 1e-3, 0.9, 0.999, 1e-8, 0, true, true, step + 1)],
    ['clipGradNorm', () => b.clipGradNorm([g, col3], 1e6)],
    ['clipGradValue', () => b.clipGradValue([col4], 10)],
    ['firstNonFinite', () => b.firstNonFinite(x)],
    ['hsoftmaxLoss', () => b.hsoftmaxLoss(x, hLabels, hWeight, hBias, ...tree, R, C, 4, 2, dz, hLosses)],
    ['hsoftmaxBackward', () => b.hsoftmaxBackward(x, hLabels, hWeight, ...tree, dz, dLosses, R, C, 4, 2, dxH, dwH, dbH)],
    ['hsoftmaxLogProbs', () => b.hsoftmaxLogProbs(x, hWeight, hBias, ...tree, R, C, 4, logProbs)],
  ];
}

module.exports = { mix };

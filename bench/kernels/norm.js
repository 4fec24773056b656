// Batch-normalization cases for bench/kernels.js: MLP layers [n, c] and a convolutional
// [n, c, hw]. Rated in GB/s of the arrays each call must read and write once (x and y forward;
// x, dy and dx backward); the statistics take more passes over x than that.
'use strict';
const SHAPES = [[128, 256, 1], [512, 256, 1], [64, 32, 1024]];
const EPS = 1e-5;

module.exports = SHAPES.flatMap(([n, c, hw]) => {
  const size = n * c * hw;
  const label = hw === 1 ? `${n}x${c}` : `[${n}, ${c}, ${hw}]`;
  const perChannel = { gamma: c, beta: c, runningMean: c, runningVar: c, mean: c, invStd: c, dgamma: c, dbeta: c };
  const data = { x: size, y: size, dy: size, dx: size, ...perChannel };
  return [
    { name: `batchNormTrain ${label}`, bytes: 8 * size, data,
      run: (k, d) => k.batchNormTrain(d.x, n, c, hw, d.gamma, d.beta, d.runningMean, d.runningVar, EPS, 0.1, d.y, d.mean, d.invStd) },
    { name: `batchNormEval ${label}`, bytes: 8 * size, data,
      run: (k, d) => k.batchNormEval(d.x, n, c, hw, d.gamma, d.beta, d.runningMean, d.runningVar, EPS, d.y) },
    { name: `batchNormBackward ${label}`, bytes: 12 * size, data,
      run: (k, d) => k.batchNormBackward(d.x, d.dy, n, c, hw, d.gamma, d.mean, d.invStd, d.dx, d.dgamma, d.dbeta) },
  ];
});

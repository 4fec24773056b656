// Reduction cases for bench/kernels.js: sums on a square matrix, the MLP-sized statistics
// (argmax of 128×10 scores for accuracy, per-feature mean and variance of a 128×1000 batch).
'use strict';
const R = 1024;
const square = { x: R * R, out: R, out2: R };

module.exports = [
  { name: `rowSum ${R}x${R}`, bytes: 4 * R * R, data: square, run: (k, d) => k.rowSum(d.x, R, R, d.out) },
  { name: `colSum ${R}x${R}`, bytes: 4 * R * R, data: square, run: (k, d) => k.colSum(d.x, R, R, d.out) },
  { name: `rowMean ${R}x${R}`, bytes: 4 * R * R, data: square, run: (k, d) => k.rowMean(d.x, R, R, d.out) },
  { name: `colMean ${R}x${R}`, bytes: 4 * R * R, data: square, run: (k, d) => k.colMean(d.x, R, R, d.out) },
  { name: `rowMax ${R}x${R}`, bytes: 4 * R * R, data: square, run: (k, d) => k.rowMax(d.x, R, R, d.out) },
  { name: `colMeanVar ${R}x${R}`, bytes: 8 * R * R, data: square, run: (k, d) => k.colMeanVar(d.x, R, R, d.out, d.out2) },
  { name: 'colMeanVar 128x1000', bytes: 8 * 128000, data: { x: 128000, out: 1000, out2: 1000 }, run: (k, d) => k.colMeanVar(d.x, 128, 1000, d.out, d.out2) },
  { name: 'rowArgmax 128x10', bytes: 4 * 1280, data: { x: 1280 }, run: (k, d) => k.rowArgmax(d.x, 128, 10, argmaxOut) },
];
const argmaxOut = new Int32Array(128);

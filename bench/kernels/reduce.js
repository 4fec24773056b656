// Reduction cases for bench/kernels.js.
'use strict';
const R = 1024;

module.exports = [
  { name: `rowSum ${R}x${R}`, bytes: 4 * R * R, data: { x: R * R, out: R }, run: (k, d) => k.rowSum(d.x, R, R, d.out) },
  { name: `colSum ${R}x${R}`, bytes: 4 * R * R, data: { x: R * R, out: R }, run: (k, d) => k.colSum(d.x, R, R, d.out) },
];

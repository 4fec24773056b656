// Layout cases for bench/kernels.js: a transpose and the batch gather of a data loader.
'use strict';
const R = 1024;
const batch = Int32Array.from({ length: 128 }, (_, i) => (i * 7919) % 60000);

module.exports = [
  { name: `transpose ${R}x${R}`, bytes: 8 * R * R, data: { x: R * R, out: R * R }, run: (k, d) => k.transpose(d.x, R, R, d.out) },
  { name: 'gatherRows 128 of 60000x784', bytes: 2 * 4 * 128 * 784, data: { x: 60000 * 784, out: 128 * 784 },
    run: (k, d) => k.gatherRows(d.x, 60000, 784, batch, d.out) },
  { name: 'scatterAddRows 128 into 60000x784', bytes: 3 * 4 * 128 * 784, data: { x: 128 * 784, out: 60000 * 784 },
    run: (k, d) => k.scatterAddRows(d.x, batch, 60000, 784, d.out) },
];

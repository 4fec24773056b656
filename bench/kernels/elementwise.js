// Elementwise cases for bench/kernels.js, on 1M elements (memory-bound: rated in GB/s).
'use strict';
const N = 1 << 20;
const binary = { x: N, y: N, out: N };

module.exports = [
  { name: 'add 1M', bytes: 12 * N, data: binary, run: (k, d) => k.add(d.x, d.y, d.out) },
  { name: 'mul 1M', bytes: 12 * N, data: binary, run: (k, d) => k.mul(d.x, d.y, d.out) },
  { name: 'relu 1M', bytes: 8 * N, data: { x: N, out: N }, run: (k, d) => k.relu(d.x, d.out) },
  { name: 'reluBackward 1M', bytes: 12 * N, data: binary, run: (k, d) => k.reluBackward(d.x, d.y, d.out) },
];

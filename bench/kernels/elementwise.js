// Elementwise cases for bench/kernels.js, on 1M elements. The memory-bound ones are rated in
// GB/s (bytes read + written); `copy 1M` is Float32Array.prototype.set on the same arrays, the
// bandwidth they are measured against (bench/elementwise-bandwidth.js prints the ratios).
'use strict';
const N = 1 << 20;
const R = 1024;
const binary = { x: N, y: N, out: N };
const unary = { x: N, out: N };

module.exports = [
  { name: 'copy 1M (TypedArray.set)', bytes: 8 * N, data: unary, run: (_k, d) => d.out.set(d.x) },
  { name: 'add 1M', bytes: 12 * N, data: binary, run: (k, d) => k.add(d.x, d.y, d.out) },
  { name: 'sub 1M', bytes: 12 * N, data: binary, run: (k, d) => k.sub(d.x, d.y, d.out) },
  { name: 'mul 1M', bytes: 12 * N, data: binary, run: (k, d) => k.mul(d.x, d.y, d.out) },
  { name: 'div 1M', bytes: 12 * N, data: binary, run: (k, d) => k.div(d.x, d.y, d.out) },
  { name: `addRow ${R}x${R}`, bytes: 8 * N + 4 * R, data: { x: N, row: R, out: N }, run: (k, d) => k.addRow(d.x, d.row, R, R, d.out) },
  { name: 'mulScalar 1M', bytes: 8 * N, data: unary, run: (k, d) => k.mulScalar(d.x, 0.5, d.out) },
  { name: 'relu 1M', bytes: 8 * N, data: unary, run: (k, d) => k.relu(d.x, d.out) },
  { name: 'reluBackward 1M', bytes: 12 * N, data: binary, run: (k, d) => k.reluBackward(d.x, d.y, d.out) },
  { name: 'leakyRelu 1M', bytes: 8 * N, data: unary, run: (k, d) => k.leakyRelu(d.x, 0.01, d.out) },
  { name: `prelu ${R}x${R}`, bytes: 8 * N + 4 * R, data: { x: N, slope: R, out: N }, run: (k, d) => k.prelu(d.x, d.slope, R, R, d.out) },
  { name: 'tanhBackward 1M', bytes: 12 * N, data: binary, run: (k, d) => k.tanhBackward(d.x, d.y, d.out) },
  { name: 'exp 1M', bytes: 8 * N, data: unary, run: (k, d) => k.exp(d.x, d.out) },
  { name: 'log 1M', bytes: 8 * N, data: unary, run: (k, d) => k.log(d.x, d.out) },
  { name: 'tanh 1M', bytes: 8 * N, data: unary, run: (k, d) => k.tanh(d.x, d.out) },
  { name: 'sigmoid 1M', bytes: 8 * N, data: unary, run: (k, d) => k.sigmoid(d.x, d.out) },
  { name: 'elu 1M', bytes: 8 * N, data: unary, run: (k, d) => k.elu(d.x, 1, d.out) },
  { name: 'softplus 1M', bytes: 8 * N, data: unary, run: (k, d) => k.softplus(d.x, 1, 20, d.out) },
  { name: 'gelu 1M', bytes: 8 * N, data: unary, run: (k, d) => k.gelu(d.x, d.out) },
  { name: 'geluTanh 1M', bytes: 8 * N, data: unary, run: (k, d) => k.geluTanh(d.x, d.out) },
];

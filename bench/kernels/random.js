// Random-stream cases for bench/kernels.js, 1M words each.
'use strict';
const N = 1 << 20;

module.exports = [
  { name: 'randomBits 1M', bytes: 4 * N, data: { bits: -N }, run: (k, d) => k.randomBits(d.bits, 1, 0) },
  { name: 'fillUniform 1M', bytes: 4 * N, data: { out: N }, run: (k, d) => k.fillUniform(d.out, 1, 0, 0, 1) },
  { name: 'fillNormal 1M', bytes: 4 * N, data: { out: N }, run: (k, d) => k.fillNormal(d.out, 1, 0, 0, 1) },
];

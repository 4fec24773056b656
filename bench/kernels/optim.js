// Optimizer-update and gradient-utility cases for bench/kernels.js, on 1M-element arrays. They
// are memory-bound: each is rated in GB/s over every byte it reads and writes, next to the copy
// case (Float32Array.prototype.set, 4 bytes read and 4 written per element) measured in the
// same run as the yardstick; the target is 70% of the copy's rate.
'use strict';
const N = 1 << 20;
const E = new Float32Array(0);
const arrays = (count) => Object.fromEntries(['p', 'g', 's1', 's2', 's3', 's4'].slice(0, count).map((k) => [k, N]));
/** Bytes of an update that reads `reads` arrays and writes `writes` of them. */
const bytes = (reads, writes) => 4 * N * (reads + writes);

module.exports = [
  { name: 'copy 1M (Float32Array set)', bytes: bytes(1, 1), data: arrays(2), run: (_k, d) => d.g.set(d.p) },
  { name: 'sgdStep 1M, no momentum', bytes: bytes(2, 1), data: arrays(2), run: (k, d) => k.sgdStep(d.p, d.g, E, 1e-3, 0, 0, 0, false, 2) },
  { name: 'sgdStep 1M, nesterov', bytes: bytes(3, 2), data: arrays(3), run: (k, d) => k.sgdStep(d.p, d.g, d.s1, 1e-3, 0.9, 0, 1e-4, true, 2) },
  { name: 'adagradStep 1M', bytes: bytes(3, 2), data: arrays(3), run: (k, d) => k.adagradStep(d.p, d.g, d.s1, 1e-2, 0, 0, 1e-10, 2) },
  { name: 'rmspropStep 1M, centered, momentum', bytes: bytes(5, 4), data: arrays(5), run: (k, d) => k.rmspropStep(d.p, d.g, d.s1, d.s2, d.s3, 1e-3, 0.99, 1e-8, 0, 0.9, true) },
  { name: 'adadeltaStep 1M', bytes: bytes(4, 3), data: arrays(4), run: (k, d) => k.adadeltaStep(d.p, d.g, d.s1, d.s2, 1, 0.9, 1e-6, 0) },
  { name: 'adamStep 1M', bytes: bytes(4, 3), data: arrays(4), run: (k, d) => k.adamStep(d.p, d.g, d.s1, d.s2, E, 1e-3, 0.9, 0.999, 1e-8, 0, false, true, 2) },
  { name: 'adamwStep 1M, amsgrad', bytes: bytes(5, 4), data: arrays(5), run: (k, d) => k.adamwStep(d.p, d.g, d.s1, d.s2, d.s3, 1e-3, 0.9, 0.999, 1e-8, 0.01, true, true, 2) },
  { name: 'adamaxStep 1M', bytes: bytes(4, 3), data: arrays(4), run: (k, d) => k.adamaxStep(d.p, d.g, d.s1, d.s2, 2e-3, 0.9, 0.999, 1e-8, 0, 2) },
  { name: 'gradNorm 1M', bytes: bytes(1, 0), data: arrays(1), run: (k, d) => k.gradNorm([d.p]) },
  // maxNorm 0 scales every call (to zeros): the norm pass and the scaling pass.
  { name: 'clipGradNorm 1M (norm + scale)', bytes: bytes(2, 1), data: arrays(1), run: (k, d) => k.clipGradNorm([d.p], 0) },
  { name: 'clipGradValue 1M', bytes: bytes(1, 1), data: arrays(1), run: (k, d) => k.clipGradValue([d.p], 0.5) },
  { name: 'firstNonFinite 1M', bytes: bytes(1, 0), data: arrays(1), run: (k, d) => k.firstNonFinite(d.p) },
  { name: 'nadamStep 1M', bytes: bytes(4, 3), data: arrays(4), run: (k, d) => k.nadamStep(d.p, d.g, d.s1, d.s2, 2e-3, 0.9, 0.999, 1e-8, 0, 0.004, 0.5, 2) },
];

// Dropout cases for bench/kernels.js, on 1M elements: the mask is drawn from Philox in both
// directions (nothing stored), so these measure the generator as much as memory.
'use strict';
const N = 1 << 20;

module.exports = [
  { name: 'dropoutForward 1M (p = 0.5)', bytes: 8 * N, data: { x: N, y: N },
    run: (k, d) => k.dropoutForward(d.x, 0.5, 1, 0, d.y) },
  { name: 'dropoutBackward 1M (p = 0.5)', bytes: 8 * N, data: { dy: N, dx: N },
    run: (k, d) => k.dropoutBackward(d.dy, 0.5, 1, 0, d.dx) },
];

// GEMM cases for bench/kernels.js: square 256 in the two layouts the MLP uses most.
'use strict';
const G = 256;

/** Cases: name, work (flops or bytes), the inputs they need (made once), and the call. */
module.exports = [
  { name: `gemm ${G}x${G}x${G}`, flops: 2 * G * G * G, data: { a: G * G, b: G * G, c: G * G },
    run: (k, d) => k.gemm(false, false, G, G, G, 1, d.a, d.b, 0, d.c) },
  { name: `gemm ${G}x${G}x${G} (B transposed)`, flops: 2 * G * G * G, data: { a: G * G, b: G * G, c: G * G },
    run: (k, d) => k.gemm(false, true, G, G, G, 1, d.a, d.b, 0, d.c) },
];

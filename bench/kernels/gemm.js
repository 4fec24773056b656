// GEMM cases for bench/kernels.js: square 256 in the two layouts the MLP uses most, and the
// Linear layer's fused forward (bias and relu in the write-back).
'use strict';
const G = 256;
const [M, K, N] = [128, 784, 256];

/** Cases: name, work (flops or bytes), the inputs they need (made once), and the call. */
module.exports = [
  { name: `gemm ${G}x${G}x${G}`, flops: 2 * G * G * G, data: { a: G * G, b: G * G, c: G * G },
    run: (k, d) => k.gemm(false, false, G, G, G, 1, d.a, d.b, 0, d.c) },
  { name: `gemm ${G}x${G}x${G} (B transposed)`, flops: 2 * G * G * G, data: { a: G * G, b: G * G, c: G * G },
    run: (k, d) => k.gemm(false, true, G, G, G, 1, d.a, d.b, 0, d.c) },
  { name: `gemmBiasActivation relu ${M}x${K}x${N}`, flops: 2 * M * N * K, data: { a: M * K, b: K * N, bias: N, c: M * N },
    run: (k, d) => k.gemmBiasActivation(false, false, M, N, K, d.a, d.b, d.bias, 'relu', 0, d.c) },
];

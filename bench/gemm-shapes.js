// The products bench:gemm times (bench/gemm.js) and bench/gemm-ab.js compares between two
// builds: square sizes and the MLP's layers at batch 128 (forward NN, weight gradient TN, input
// gradient NT), including the skinny output layer.
'use strict';

const SQUARES = [64, 128, 256, 512, 1024, 2048];
// M×K×N of the MLP's layers (batch 128): forward Y = X·W (NN), dW = Xᵀ·dY (TN), dX = dY·Wᵀ (NT).
const MLP = [[128, 784, 256], [128, 256, 128], [128, 128, 10]];

function gemmCases() {
  const list = SQUARES.map((s) => ({ name: `${s}²`, kind: 'square', transA: false, transB: false, m: s, n: s, k: s }));
  for (const [M, K, N] of MLP) {
    const layer = `${M}×${K}×${N}`;
    list.push({ name: `${layer} forward`, kind: 'mlp', transA: false, transB: false, m: M, n: N, k: K });
    list.push({ name: `${layer} dW = Xᵀ·dY`, kind: 'mlp', transA: true, transB: false, m: K, n: N, k: M });
    list.push({ name: `${layer} dX = dY·Wᵀ`, kind: 'mlp', transA: false, transB: true, m: M, n: K, k: N });
  }
  return list;
}

module.exports = { gemmCases };

// A small MLP on a fixed regression problem, built from the autograd ops that exist (matmul, add,
// mul, sum, relu): 2 → 16 → 1 with ReLU, biases added as (column of ones)·b, and the mean squared
// error. Data: the 8×8 grid of x ∈ [−1, 1]², target y = x₀·x₁, a saddle that no linear model
// fits (its best MSE is mean(y²) = (3/7)² = 0.1837 on this grid).
import type { Tensor } from '../../lib';
import { add, manualSeed, matmul, mul, ones, randn, relu, sum, tensor, zeros } from '../../lib';

const N = 64;

function grid(): { x: Tensor; y: Tensor } {
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < 8; i++) {
    for (let j = 0; j < 8; j++) {
      const [a, b] = [-1 + (2 * i) / 7, -1 + (2 * j) / 7];
      xs.push(a, b);
      ys.push(a * b);
    }
  }
  return { x: tensor(xs, [N, 2]), y: tensor(ys, [N, 1]) };
}

export interface Mlp {
  params: Tensor[];
  /** The mean squared error over the grid (a one-element tensor on the tape). */
  loss(): Tensor;
}

export function makeMlp(seed = 7, hidden = 16): Mlp {
  manualSeed(seed);
  const w1 = randn([2, hidden], { std: 1, requiresGrad: true });
  const b1 = zeros([1, hidden], { requiresGrad: true });
  const w2 = randn([hidden, 1], { std: 1 / Math.sqrt(hidden), requiresGrad: true });
  const b2 = zeros([1, 1], { requiresGrad: true });
  const { x, y } = grid();
  const column = ones([N, 1]);
  const minusY = mul(y, tensor(new Float32Array(N).fill(-1), [N, 1]));
  const scale = tensor(1 / N);
  return {
    params: [w1, b1, w2, b2],
    loss() {
      const h = relu(add(matmul(x, w1), matmul(column, b1)));
      const out = add(matmul(h, w2), matmul(column, b2));
      const diff = add(out, minusY);
      return mul(sum(mul(diff, diff)), scale);
    },
  };
}

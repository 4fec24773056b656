// A toy problem for the Trainer's tests, built from the ops that exist: a linear model fitted to
// y = x·[1, −2, 3] with a summed squared error, trained by test/optim/plain-sgd.
import { Tensor, data, manualSeed, matmul, mul, nn, randn, sum, tensor, zeros } from '../../lib';

export class Linear3 extends nn.Module {
  w = new nn.Parameter(zeros([3, 1]));
  forward(x: Tensor): Tensor {
    return matmul(x, this.w);
  }
}

/** Σ (output − target)², with the target as a column. */
export function squaredError(output: Tensor, target: Tensor): Tensor {
  const diff = output.add(mul(target.reshape(-1, 1), tensor(new Float32Array(target.size).fill(-1), [target.size, 1])));
  return sum(mul(diff, diff));
}

/** n rows of x ~ N(0, I₃) and y = x·[1, −2, 3] (+ N(0, noise²) when noise > 0). */
export function toyData(n: number, seed: number, noise = 0): data.TensorDataset {
  manualSeed(seed);
  const x = randn([n, 3]);
  const y = matmul(x, tensor([[1], [-2], [3]])).reshape(n);
  if (noise > 0) {
    const e = randn([n], { std: noise });
    y.data.set(y.data.map((v, i) => v + e.data[i]!));
  }
  return new data.TensorDataset(x, y);
}

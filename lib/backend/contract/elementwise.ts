import type { KernelCheck } from './check';

export interface ElementwiseKernels {
  /** out[i] = a[i] + b[i]. out may be a or b. */
  add(a: Float32Array, b: Float32Array, out: Float32Array): void;
  /** out[i] = a[i] · b[i]. out may be a or b. */
  mul(a: Float32Array, b: Float32Array, out: Float32Array): void;
  /** out[i] = max(x[i], 0); NaN passes through, −0 becomes +0. out may be x. */
  relu(x: Float32Array, out: Float32Array): void;
  /** dx[i] = x[i] > 0 ? dy[i] : 0; the subgradient at 0 is 0, as in PyTorch. */
  reluBackward(x: Float32Array, dy: Float32Array, dx: Float32Array): void;
}

/** Correctly rounded float32 operations: the backends must agree bit for bit. */
export const ELEMENTWISE_CHECKS: Record<keyof ElementwiseKernels, KernelCheck> = {
  add: { outputs: [[2, 'out']] },
  mul: { outputs: [[2, 'out']] },
  relu: { outputs: [[1, 'out']] },
  reluBackward: { outputs: [[2, 'dx']] },
};

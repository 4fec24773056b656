// The fixed small problem the optimizers' trajectories are compared on, and the helpers that run
// an optimizer and its textbook oracle over it.
//   L(θ) = Σᵢ ½aᵢ(θᵢ − cᵢ)² + ¼bᵢθᵢ⁴,   ∇L = a(θ − c) + bθ³
// Six coordinates with different curvatures, starting on both sides of their minima, some with
// a quartic term so the gradient is not linear. The optimizers see the gradient that autograd
// computes from the loss; the oracles compute ∇L in float64 from their own float64 parameters.
import { afterAll, beforeAll } from 'vitest';
import { add, getBackend, mul, setBackend, sum, tensor } from '../../lib';
import type { DType, Tensor, optim } from '../../lib';
import type { BackendUnderTest } from '../backend/backends';
import { selectSimd } from '../backend/backends';
import type { Textbook } from './textbook';

export const THETA0 = [2, -1.5, 0.5, 3, -0.25, 1];
const A = [1, 2, 0.5, 3, 1.5, 0.8];
const C = [0.5, 0.5, -1, 1, 0, -2];
const B = [0.05, 0, 0.1, 0.02, 0, 0.05];

export function parameter(values: readonly number[], dtype: DType = 'float32'): Tensor {
  return tensor([...values], undefined, { requiresGrad: true, dtype });
}

/** L(θ) built from autograd ops, in θ's dtype. */
export function loss(theta: Tensor): Tensor {
  const constant = (values: number[]) => tensor(values, undefined, { dtype: theta.dtype });
  const diff = add(theta, constant(C.map((c) => -c)));
  const quadratic = sum(mul(mul(diff, diff), constant(A.map((a) => a / 2))));
  const square = mul(theta, theta);
  const quartic = sum(mul(mul(square, square), constant(B.map((b) => b / 4))));
  return add(quadratic, quartic);
}

/** ∇L in float64. */
export function gradient(p: Float64Array): Float64Array {
  return p.map((x, i) => A[i]! * (x - C[i]!) + B[i]! * x ** 3);
}

/** The oracle's parameters after each of `steps` steps from THETA0. */
export function textbookTrajectory(oracle: Textbook, steps: number, start = THETA0): Float64Array[] {
  const p = Float64Array.from(start);
  const out: Float64Array[] = [];
  for (let t = 0; t < steps; t++) {
    oracle(p, gradient(p));
    out.push(p.slice());
  }
  return out;
}

/** The optimizer's parameters after each of `steps` steps (zeroGrad, backward, step). */
export function optimizerTrajectory(optimizer: optim.Optimizer, theta: Tensor, steps: number): Float64Array[] {
  const out: Float64Array[] = [];
  for (let t = 0; t < steps; t++) {
    optimizer.zeroGrad();
    loss(theta).backward();
    optimizer.step();
    out.push(Float64Array.from(theta.data));
  }
  return out;
}

/** Selects the entry's backend (and SIMD path) for the enclosing describe block. */
export function useBackendUnderTest(entry: BackendUnderTest): void {
  let previous: ReturnType<typeof getBackend>;
  beforeAll(() => {
    previous = getBackend();
    setBackend(entry.backend());
    selectSimd(entry);
  });
  afterAll(() => {
    setBackend(previous);
  });
}

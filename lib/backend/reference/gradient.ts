/** Reference gradient utilities: sums of squares in double, clipping one element at a time. */
import type { Floats, ReferenceContext } from '../declare';

/** √(Σ_k Σ_i grads[k][i]²) in double. */
export function norm(grads: readonly ArrayLike<number>[]): number {
  let sum = 0;
  for (const g of grads) for (let i = 0; i < g.length; i++) sum += g[i]! * g[i]!;
  return Math.sqrt(sum);
}

export function gradNorm(this: ReferenceContext, grads: Floats[]): number {
  return norm(grads);
}

export function clipGradNorm(this: ReferenceContext, grads: Floats[], maxNorm: number): number {
  const total = norm(grads);
  const coef = maxNorm / (total + 1e-6);
  if (!(coef >= 1)) {
    const scale = this.round(coef);
    for (const g of grads) for (let i = 0; i < g.length; i++) g[i] = g[i]! * scale;
  }
  return total;
}

export function clipGradValue(this: ReferenceContext, grads: Floats[], clipValue: number): void {
  for (const g of grads) {
    for (let i = 0; i < g.length; i++) {
      const x = g[i]!;
      if (x > clipValue) g[i] = clipValue;
      else if (x < -clipValue) g[i] = -clipValue; // NaN fails both tests and stays
    }
  }
}

export function firstNonFinite(this: ReferenceContext, x: Floats): number {
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i]!)) return i;
  return -1;
}

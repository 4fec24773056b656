/** Reference gradient utilities: sums of squares in double, clipping one element at a time. */
import type { GradientKernels } from '../contract/gradient';
import { checkCount, describe, f32, finiteDouble, finiteFloat, scalar } from '../validate';

/** The Array of gradients, each element a Float32Array. */
function gradList(fn: string, value: unknown): Float32Array[] {
  if (!Array.isArray(value)) {
    throw new TypeError(`${fn}: Expected an Array of Float32Arrays for grads but received ${describe(value)}`);
  }
  for (let k = 0; k < value.length; k++) f32(fn, `grads[${k}]`, value[k]); // holes included
  return value as Float32Array[];
}

/** Arrays written in place must not share memory (the same array twice would be scaled twice). */
function checkAllDisjoint(fn: string, grads: Float32Array[]): void {
  const byBuffer = new Map<ArrayBufferLike, number[]>();
  grads.forEach((g, k) => {
    if (g.byteLength === 0) return;
    const list = byBuffer.get(g.buffer) ?? [];
    list.push(k);
    byBuffer.set(g.buffer, list);
  });
  for (const list of byBuffer.values()) {
    list.sort((a, b) => grads[a]!.byteOffset - grads[b]!.byteOffset);
    for (let j = 1; j < list.length; j++) {
      const [a, b] = [list[j - 1]!, list[j]!];
      if (grads[a]!.byteOffset + grads[a]!.byteLength > grads[b]!.byteOffset) {
        const [first, second] = a < b ? [a, b] : [b, a];
        throw new RangeError(`${fn}: Expected grads[${second}] not to share memory with grads[${first}] but the two overlap`);
      }
    }
  }
}

function norm(grads: Float32Array[]): number {
  let sum = 0;
  for (const g of grads) for (let i = 0; i < g.length; i++) sum += g[i]! * g[i]!;
  return Math.sqrt(sum);
}

function nonNegative(fn: string, name: string, v: number): number {
  if (v < 0) throw new RangeError(`${fn}: Expected a number >= 0 for ${name} but received ${v}`);
  return v;
}

export const referenceGradient: GradientKernels = {
  gradNorm(grads) {
    checkCount('gradNorm', arguments.length, 1);
    return norm(gradList('gradNorm', grads));
  },

  clipGradNorm(grads, maxNorm) {
    const fn = 'clipGradNorm';
    checkCount(fn, arguments.length, 2);
    gradList(fn, grads);
    nonNegative(fn, 'maxNorm', finiteDouble(fn, 'maxNorm', maxNorm));
    checkAllDisjoint(fn, grads);
    const total = norm(grads);
    const coef = maxNorm / (total + 1e-6);
    if (!(coef >= 1)) {
      const scale = scalar(coef);
      for (const g of grads) for (let i = 0; i < g.length; i++) g[i] = g[i]! * scale;
    }
    return total;
  },

  clipGradValue(grads, clipValue) {
    const fn = 'clipGradValue';
    checkCount(fn, arguments.length, 2);
    gradList(fn, grads);
    const c = scalar(nonNegative(fn, 'clipValue', finiteFloat(fn, 'clipValue', clipValue)));
    checkAllDisjoint(fn, grads);
    for (const g of grads) {
      for (let i = 0; i < g.length; i++) {
        const x = g[i]!;
        if (x > c) g[i] = c;
        else if (x < -c) g[i] = -c; // NaN fails both tests and stays
      }
    }
  },

  firstNonFinite(x) {
    checkCount('firstNonFinite', arguments.length, 1);
    f32('firstNonFinite', 'x', x);
    for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i]!)) return i;
    return -1;
  },
};

// The notes' worked examples of backprop (SEED-CHECKLIST AUTO-8, AUTO-9, AUTO-11, LOSS-6): autograd
// reproduces the hand-derived values and the numpy network's manual gradients.
import { describe, expect, it } from 'vitest';
import {
  Tensor, add, exp, log, manualSeed, matmul, mul, pow, randn, sigmoid, sub, sum,
} from '../../lib';
import { backendNames, useBackend } from './backends';

const leaf = (v: number) => new Tensor(Float64Array.of(v), [], { requiresGrad: true });

describe('worked examples', () => {
  it('(x + y)·z at (−2, 5, −4): f = −12, gradients (−4, −4, 3)', () => {
    const [x, y, z] = [leaf(-2), leaf(5), leaf(-4)];
    const f = mul(add(x, y), z);
    f.backward();
    expect(f.item()).toBe(-12);
    expect([x.grad!.item(), y.grad!.item(), z.grad!.item()]).toEqual([-4, -4, 3]);
  });

  it('the sigmoid neuron w = [2, −3, −3], x = [−1, −2]: f = 0.7311, dw, dx', () => {
    const w = new Tensor(Float64Array.of(2, -3), [2], { requiresGrad: true });
    const bias = leaf(-3);
    const x = new Tensor(Float64Array.of(-1, -2), [2], { requiresGrad: true });
    // Built from the gates of the notes: *, +, ×(−1), exp, +1, 1/x.
    const s = add(sum(mul(w, x)), bias);
    const f = pow(add(exp(mul(s, -1)), 1), -1);
    f.backward();
    expect(f.item()).toBeCloseTo(0.7311, 4);
    expect(Array.from(w.grad!.data)).toEqual([expect.closeTo(-0.1966, 4), expect.closeTo(-0.3932, 4)]);
    expect(bias.grad!.item()).toBeCloseTo(0.1966, 4);
    expect(Array.from(x.grad!.data)).toEqual([expect.closeTo(0.3932, 4), expect.closeTo(-0.5898, 4)]);
    // The fused sigmoid gives the same gradients.
    const w2 = new Tensor(Float64Array.of(2, -3), [2], { requiresGrad: true });
    sigmoid(add(sum(mul(w2, x.detach())), -3)).backward();
    expect(w2.grad!.data[0]).toBeCloseTo(w.grad!.data[0]!, 14);
  });

  it('log σ(xw + b) at (2, −3, 6) is −0.6931 (the notes’ "0.7" is −log σ) with gradients (−1.5, 1, 0.5)', () => {
    const [x, w, b] = [leaf(2), leaf(-3), leaf(6)];
    const L = log(sigmoid(add(mul(x, w), b)));
    L.backward();
    expect(L.item()).toBeCloseTo(-Math.LN2, 12);
    expect(x.grad!.item()).toBeCloseTo(-1.5, 12);
    expect(w.grad!.item()).toBeCloseTo(1, 12);
    expect(b.grad!.item()).toBeCloseTo(0.5, 12);
  });
});

/** The numpy reference network's forward and manual gradients, in plain float64 loops. */
function manualGradients(x: Float64Array, y: Float64Array, w1: Float64Array, w2: Float64Array, dims: number[]) {
  const [N, D, H, O] = dims as [number, number, number, number];
  const h = new Float64Array(N * H);
  for (let n = 0; n < N; n++) {
    for (let j = 0; j < H; j++) {
      let s = 0;
      for (let d = 0; d < D; d++) s += x[n * D + d]! * w1[d * H + j]!;
      h[n * H + j] = 1 / (1 + Math.exp(-s));
    }
  }
  const gradY = new Float64Array(N * O);
  let loss = 0;
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < O; o++) {
      let s = 0;
      for (let j = 0; j < H; j++) s += h[n * H + j]! * w2[j * O + o]!;
      loss += (s - y[n * O + o]!) ** 2;
      gradY[n * O + o] = 2 * (s - y[n * O + o]!);
    }
  }
  const gradW2 = new Float64Array(H * O);
  const gradPre = new Float64Array(N * H);
  for (let j = 0; j < H; j++) {
    for (let o = 0; o < O; o++) {
      let s = 0;
      for (let n = 0; n < N; n++) s += h[n * H + j]! * gradY[n * O + o]!;
      gradW2[j * O + o] = s;
    }
  }
  for (let n = 0; n < N; n++) {
    for (let j = 0; j < H; j++) {
      let s = 0;
      for (let o = 0; o < O; o++) s += gradY[n * O + o]! * w2[j * O + o]!;
      const hv = h[n * H + j]!;
      gradPre[n * H + j] = s * hv * (1 - hv);
    }
  }
  const gradW1 = new Float64Array(D * H);
  for (let d = 0; d < D; d++) {
    for (let j = 0; j < H; j++) {
      let s = 0;
      for (let n = 0; n < N; n++) s += x[n * D + d]! * gradPre[n * H + j]!;
      gradW1[d * H + j] = s;
    }
  }
  return { loss, gradW1, gradW2 };
}

function maxRelativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) scale = Math.max(scale, Math.abs(b[i]!));
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / scale);
  return worst;
}

function twoLayerLoss(x: Tensor, y: Tensor, w1: Tensor, w2: Tensor): Tensor {
  const h = sigmoid(matmul(x, w1));
  return sum(pow(sub(matmul(h, w2), y), 2));
}

describe('the numpy two-layer network (N 64, D_in 1000, H 100, D_out 10)', () => {
  const dims = [64, 1000, 100, 10];

  it('autograd reproduces the manual gradients to 1e−12 in float64', () => {
    manualSeed(4);
    const f64 = { dtype: 'float64' as const };
    const x = randn([64, 1000], f64);
    const y = randn([64, 10], f64);
    const w1 = randn([1000, 100], { ...f64, requiresGrad: true });
    const w2 = randn([100, 10], { ...f64, requiresGrad: true });
    const loss = twoLayerLoss(x, y, w1, w2);
    loss.backward();
    const manual = manualGradients(x.data as Float64Array, y.data as Float64Array, w1.data as Float64Array, w2.data as Float64Array, dims);
    expect(Math.abs(loss.item() - manual.loss) / manual.loss).toBeLessThan(1e-12);
    expect(maxRelativeError(w1.grad!.data, manual.gradW1)).toBeLessThan(1e-12);
    expect(maxRelativeError(w2.grad!.data, manual.gradW2)).toBeLessThan(1e-12);
  });

  describe.each(backendNames())('trained with lr 1e−4 on %s', (name) => {
    useBackend(name);
    it('lowers the loss step after step', () => {
      manualSeed(5);
      const x = randn([64, 1000]);
      const y = randn([64, 10]);
      const w1 = randn([1000, 100], { requiresGrad: true });
      const w2 = randn([100, 10], { requiresGrad: true });
      const steps = name === 'native' ? 2000 : 30;
      const losses: number[] = [];
      for (let t = 0; t < steps; t++) {
        const loss = twoLayerLoss(x, y, w1, w2);
        losses.push(loss.item());
        w1.grad = null;
        w2.grad = null;
        loss.backward();
        for (const w of [w1, w2]) for (let i = 0; i < w.size; i++) w.data[i]! -= 1e-4 * w.grad!.data[i]!;
      }
      expect(losses.at(-1)!).toBeLessThan(0.5 * losses[0]!);
      const rising = losses.slice(1).filter((l, i) => l > losses[i]! * (1 + 1e-6)).length;
      expect(rising).toBeLessThan(steps / 20);
    });
  });
});

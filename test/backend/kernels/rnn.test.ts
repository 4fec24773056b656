// The recurrent cells on every backend: closed forms at zero pre-activations, the forward against
// the formulas in double, each backward against central differences of the forward in double,
// gates computed in place, and a batch large enough to split over threads against the reference.
import { beforeAll, describe, expect, it } from 'vitest';
import { referenceBackend } from '../../../lib/backend';
import { RNN_RELATIVE_ERROR } from '../../../lib/backend/kernels/rnn';
import { backendsUnderTest, selectSimd } from '../backends';
import { expectClose } from '../expect-close';
import { makeRandom, randomArray } from '../random-inputs';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** LSTM step in double: [gates, c, h]. */
function lstm64(pre: ArrayLike<number>, cPrev: ArrayLike<number>, n: number, H: number) {
  const gates = new Float64Array(n * 4 * H);
  const c = new Float64Array(n * H);
  const h = new Float64Array(n * H);
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < H; j++) {
      const p = r * 4 * H;
      const [i, f, g, o] = [sigmoid(pre[p + j]!), sigmoid(pre[p + H + j]!), Math.tanh(pre[p + 2 * H + j]!), sigmoid(pre[p + 3 * H + j]!)];
      gates[p + j] = i; gates[p + H + j] = f; gates[p + 2 * H + j] = g; gates[p + 3 * H + j] = o;
      c[r * H + j] = f * cPrev[r * H + j]! + i * g;
      h[r * H + j] = o * Math.tanh(c[r * H + j]!);
    }
  }
  return { gates, c, h };
}

/** GRU step in double: h and the kept [r | z | m | gh_n]. */
function gru64(gi: ArrayLike<number>, gh: ArrayLike<number>, hPrev: ArrayLike<number>, n: number, H: number) {
  const h = new Float64Array(n * H);
  const work = new Float64Array(n * 4 * H);
  for (let row = 0; row < n; row++) {
    for (let j = 0; j < H; j++) {
      const p = row * 3 * H;
      const r = sigmoid(gi[p + j]! + gh[p + j]!);
      const z = sigmoid(gi[p + H + j]! + gh[p + H + j]!);
      const m = Math.tanh(gi[p + 2 * H + j]! + r * gh[p + 2 * H + j]!);
      h[row * H + j] = (1 - z) * m + z * hPrev[row * H + j]!;
      work[row * 4 * H + j] = r; work[row * 4 * H + H + j] = z; work[row * 4 * H + 2 * H + j] = m; work[row * 4 * H + 3 * H + j] = gh[p + 2 * H + j]!;
    }
  }
  return { h, work };
}

/** ∂(Σ w·f(x))/∂x by central differences in double. */
function numericGradient(x: Float64Array, loss: (x: Float64Array) => number): Float64Array {
  const g = new Float64Array(x.length);
  const eps = 1e-6;
  for (let k = 0; k < x.length; k++) {
    const keep = x[k]!;
    x[k] = keep + eps;
    const up = loss(x);
    x[k] = keep - eps;
    const down = loss(x);
    x[k] = keep;
    g[k] = (up - down) / (2 * eps);
  }
  return g;
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};
const f64 = (a: ArrayLike<number>) => Float64Array.from(a);
/** Tolerance: the contract's relative bound on the given magnitude, plus the differences' error. */
const bound = (scale: number) => RNN_RELATIVE_ERROR * scale + 1e-7;

describe.each(backendsUnderTest())('recurrent cells on $label', (entry) => {
  beforeAll(() => selectSimd(entry));
  const backend = entry.backend;

  it('LSTM at zero pre-activations: i = f = o = 1/2, g = 0, so c = cPrev/2 and h = tanh(c)/2', () => {
    const cPrev = Float32Array.from([2, -4, 0.5]);
    const gates = new Float32Array(12);
    const c = new Float32Array(3);
    const h = new Float32Array(3);
    backend().lstmCellForward(new Float32Array(12), cPrev, 1, 3, gates, c, h);
    expectClose(gates, [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0, 0, 0, 0.5, 0.5, 0.5], 1e-7, 'gates');
    expectClose(c, [1, -2, 0.25], 1e-7, 'c');
    expectClose(h, [Math.tanh(1) / 2, Math.tanh(-2) / 2, Math.tanh(0.25) / 2], 1e-7, 'h');
  });

  it('GRU at zero projections: r = z = 1/2, m = 0, so h = hPrev/2', () => {
    const h = new Float32Array(2);
    const work = new Float32Array(8);
    const gh = Float32Array.from([0, 0, 0, 0, 3, -1]); // gh_n is kept, r·gh_n enters m
    backend().gruCellForward(new Float32Array(6), gh, Float32Array.from([1, -3]), 1, 2, work, h);
    const m = [Math.tanh(1.5), Math.tanh(-0.5)];
    expectClose(work, [0.5, 0.5, 0.5, 0.5, m[0]!, m[1]!, 3, -1], 1e-7, 'work');
    expectClose(h, [m[0]! + 0.5 * (1 - m[0]!), m[1]! + 0.5 * (-3 - m[1]!)], 1e-7, 'h');
  });

  const rand = makeRandom(91);
  const n = 3;
  const H = 5;

  it('LSTM forward matches the formulas in double and its backward matches central differences', () => {
    const pre = randomArray(n * 4 * H, rand).map((v) => v * 3);
    const cPrev = randomArray(n * H, rand).map((v) => v * 2);
    const gates = new Float32Array(n * 4 * H);
    const c = new Float32Array(n * H);
    const h = new Float32Array(n * H);
    backend().lstmCellForward(pre, cPrev, n, H, gates, c, h);
    const want = lstm64(pre, cPrev, n, H);
    expectClose(gates, want.gates, bound(1), 'gates');
    expectClose(c, want.c, bound(3), 'c');
    expectClose(h, want.h, bound(3), 'h');

    const dh = randomArray(n * H, rand);
    const dc = randomArray(n * H, rand);
    const dPre = new Float32Array(n * 4 * H);
    const dcPrev = new Float32Array(n * H);
    backend().lstmCellBackward(gates, cPrev, c, dh, dc, n, H, dPre, dcPrev);
    const loss = (p: Float64Array, cp: Float64Array) => {
      const r = lstm64(p, cp, n, H);
      return dot(r.h, dh) + dot(r.c, dc);
    };
    const cp64 = f64(cPrev);
    const p64 = f64(pre);
    // The float32 gates and c the backward reads carry the forward's rounding; 1e-5 covers it.
    expectClose(dPre, numericGradient(p64, (p) => loss(p, cp64)), 2e-5, 'dPre');
    expectClose(dcPrev, numericGradient(cp64, (cp) => loss(p64, cp)), 2e-5, 'dcPrev');
  });

  it('LSTM gates may be computed in place over the pre-activations', () => {
    const pre = randomArray(n * 4 * H, rand);
    const separate = new Float32Array(n * 4 * H);
    const cPrev = randomArray(n * H, rand);
    const [c1, h1, c2, h2] = [0, 0, 0, 0].map(() => new Float32Array(n * H)) as Float32Array[];
    backend().lstmCellForward(pre, cPrev, n, H, separate, c1!, h1!);
    const inPlace = pre.slice();
    backend().lstmCellForward(inPlace, cPrev, n, H, inPlace, c2!, h2!);
    expectClose(inPlace, separate, 0, 'gates');
    expectClose(c2!, c1!, 0, 'c');
    expectClose(h2!, h1!, 0, 'h');
  });

  it('GRU forward matches the formulas in double and its backward matches central differences', () => {
    const gi = randomArray(n * 3 * H, rand).map((v) => v * 2);
    const gh = randomArray(n * 3 * H, rand).map((v) => v * 2);
    const hPrev = randomArray(n * H, rand);
    const work = new Float32Array(n * 4 * H);
    const h = new Float32Array(n * H);
    backend().gruCellForward(gi, gh, hPrev, n, H, work, h);
    const want = gru64(gi, gh, hPrev, n, H);
    expectClose(work, want.work, bound(4), 'work');
    expectClose(h, want.h, bound(4), 'h');

    const dh = randomArray(n * H, rand);
    const dgi = new Float32Array(n * 3 * H);
    const dgh = new Float32Array(n * 3 * H);
    const dhPrev = new Float32Array(n * H);
    backend().gruCellBackward(work, hPrev, dh, n, H, dgi, dgh, dhPrev);
    const [gi64, gh64, hp64] = [f64(gi), f64(gh), f64(hPrev)];
    const loss = (a: Float64Array, b: Float64Array, c: Float64Array) => dot(gru64(a, b, c, n, H).h, dh);
    expectClose(dgi, numericGradient(gi64, (a) => loss(a, gh64, hp64)), 2e-5, 'dgi');
    expectClose(dgh, numericGradient(gh64, (b) => loss(gi64, b, hp64)), 2e-5, 'dgh');
    // dhPrev is the direct path z·dh only: the full derivative minus nothing else, since hPrev
    // enters gh only through the GEMM outside the kernel.
    expectClose(dhPrev, numericGradient(hp64, (c) => loss(gi64, gh64, c)), 2e-5, 'dhPrev');
  });

  it('a batch split over threads matches the reference within the contract bound', () => {
    const big = 40;
    const width = 2048; // 40·2048 elements per step passes the threading threshold
    const r2 = makeRandom(7);
    const pre = randomArray(big * 4 * width, r2).map((v) => v * 4);
    const cPrev = randomArray(big * width, r2);
    const out = () => [new Float32Array(big * 4 * width), new Float32Array(big * width), new Float32Array(big * width)] as const;
    const [g1, c1, h1] = out();
    const [g2, c2, h2] = out();
    backend().lstmCellForward(pre, cPrev, big, width, g1, c1, h1);
    referenceBackend.lstmCellForward(pre, cPrev, big, width, g2, c2, h2);
    expectClose(g1, g2, bound(1), 'gates');
    expectClose(c1, c2, bound(2), 'c');
    expectClose(h1, h2, bound(2), 'h');
    const dPre = [new Float32Array(big * 4 * width), new Float32Array(big * 4 * width)];
    const dcPrev = [new Float32Array(big * width), new Float32Array(big * width)];
    const dh = randomArray(big * width, r2);
    const dc = randomArray(big * width, r2);
    backend().lstmCellBackward(g2, cPrev, c2, dh, dc, big, width, dPre[0]!, dcPrev[0]!);
    referenceBackend.lstmCellBackward(g2, cPrev, c2, dh, dc, big, width, dPre[1]!, dcPrev[1]!);
    expectClose(dPre[0]!, dPre[1]!, bound(4), 'dPre');
    expectClose(dcPrev[0]!, dcPrev[1]!, bound(4), 'dcPrev');
    expect(h1.every(Number.isFinite)).toBe(true);
  });
});

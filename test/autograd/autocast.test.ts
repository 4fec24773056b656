// amp.autocast('bfloat16', fn): the state (nesting, exceptions, a Promise refused), and on each
// backend the Linear layer's and matmul's forward and gradients under it against (1) a float64
// product of the operands rounded to bfloat16, within float32 accumulation's bound, and (2) the
// float32 results, within bfloat16's; the backward computes as its forward did; float64 tensors
// are never autocast; a model's gradients under autocast near its float32 gradients.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { amp, manualSeed, matmul, mul, nativeInfo, nn, randn, setBf16Instructions, type Tensor } from '../../lib';
import { bfloat16ToFloat, floatToBfloat16 } from '../../lib/backend/bfloat16';
import { backendNames, useBackend } from './backends';

/** The value the bfloat16 GEMM multiplies: rounded to nearest even, a subnormal read as zero. */
function bf(x: number): number {
  const h = floatToBfloat16(x);
  return bfloat16ToFloat((h & 0x7f80) === 0 ? h & 0x8000 : h);
}

const U = 2 ** -24;

/**
 * C = op(A)·B in float64 with `round` applied to every operand, and the bound of a float32 sum
 * of the same terms (each of the k steps rounds once): (k + 4)·2^-24·Σ|a·b|.
 */
function product(transA: boolean, m: number, n: number, k: number, a: ArrayLike<number>, b: ArrayLike<number>, round: (x: number) => number) {
  const value = new Float64Array(m * n);
  const scale = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      let abs = 0;
      for (let p = 0; p < k; p++) {
        const t = round(transA ? a[p * m + i]! : a[i * k + p]!) * round(b[p * n + j]!);
        sum += t;
        abs += Math.abs(t);
      }
      value[i * n + j] = sum;
      scale[i * n + j] = abs;
    }
  }
  return { value, scale };
}

/** Every element of `actual` within `bound[i]` of `expected[i]`; the worst one in the message. */
function expectWithin(actual: ArrayLike<number>, expected: ArrayLike<number>, bound: (i: number) => number, what: string): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  let bad = 0;
  let worst = '';
  for (let i = 0; i < actual.length; i++) {
    const error = Math.abs(actual[i]! - expected[i]!);
    if (error <= bound(i)) continue;
    if (bad++ === 0) worst = `[${i}] ${actual[i]} against ${expected[i]}, error ${error} > ${bound(i)}`;
  }
  expect(bad, `${what}: ${bad} of ${actual.length} outside; first ${worst}`).toBe(0);
}

/** Wᵀ stored [in, out] from W [out, in]: B of the forward product x·Wᵀ. */
function transposed(w: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = w[r * cols + c]!;
  return out;
}

// First in the file: the notice comes once per process, and nothing before it asked for it.
describe('the notice of the emulated bfloat16 GEMM', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    if (nativeInfo().available) setBf16Instructions(nativeInfo().detectedBf16 === true);
  });

  it.runIf(nativeInfo().available)('comes once per process when the native GEMM runs without the BF16 instructions, and says why', () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    setBf16Instructions(false);
    expect(nativeInfo().bf16).toBe(false);
    amp.autocast('bfloat16', () => 0);
    amp.autocast('bfloat16', () => 0);
    const notices = warn.mock.calls.filter((call) => (call[1] as { code?: string } | undefined)?.code === 'TENSORGRAD_BF16_EMULATED');
    expect(notices.length).toBe(1);
    expect(String(notices[0]![0])).toMatch(nativeInfo().detectedBf16 ? /turned off/ : /no AVX-512 BF16 instructions/);
  });
});

describe('amp.autocast', () => {
  it('is on inside fn only, nests, and comes back after an exception', () => {
    expect(amp.autocastDtype()).toBe('float32');
    expect(amp.isAutocastEnabled()).toBe(false);
    const seen = amp.autocast('bfloat16', () => {
      const outer = amp.autocastDtype();
      const inner = amp.autocast('float32', () => amp.autocastDtype());
      const again = amp.autocast('bfloat16', () => amp.isAutocastEnabled());
      return [outer, inner, again, amp.autocastDtype()];
    });
    expect(seen).toEqual(['bfloat16', 'float32', true, 'bfloat16']);
    expect(() => amp.autocast('bfloat16', () => amp.autocast('float32', () => {
      throw new Error('inside');
    }))).toThrow('inside');
    expect(amp.autocastDtype()).toBe('float32');
  });

  it('refuses a Promise, another dtype and a non-function, leaving the state as it was', () => {
    expect(() => amp.autocast('bfloat16', async () => 1)).toThrow('autocast: Expected a synchronous function but it returned a Promise');
    expect(() => amp.autocast('float16' as never, () => 1)).toThrow('autocast: Expected "bfloat16" or "float32" for dtype but received "float16"');
    expect(() => amp.autocast('bfloat16', 3 as never)).toThrow('autocast: Expected a function for fn but received number');
    expect(amp.isAutocastEnabled()).toBe(false);
  });
});

describe.each(backendNames())('amp.autocast on the %s backend', (name) => {
  useBackend(name);

  it('Linear (relu): the forward and the three gradients multiply bfloat16 operands with float32 sums', () => {
    manualSeed(3);
    const [rows, inputs, outputs] = [13, 70, 9];
    const layer = new nn.Linear(inputs, outputs, { activation: 'relu' });
    const x = randn([rows, inputs], { requiresGrad: true });
    const g = randn([rows, outputs]);
    const y = amp.autocast('bfloat16', () => layer.forward(x));
    mul(y, g).sum().backward(); // outside autocast: it computes as its forward did
    const w = layer.weight.data;
    const bias = layer.bias!.data;

    // y = relu(bf16(x)·bf16(W)ᵀ + b), one rounding per step and one for the bias.
    const forward = product(false, rows, outputs, inputs, x.data, transposed(w, outputs, inputs), bf);
    const pre = forward.value.map((v, i) => v + bias[i % outputs]!);
    expectWithin(y.data, pre.map((v) => Math.max(v, 0)), (i) => (inputs + 5) * U * (forward.scale[i]! + Math.abs(bias[i % outputs]!)), 'y');

    // dy = g where y > 0; dx = bf16(dy)·bf16(W); dW = bf16(dy)ᵀ·bf16(x); db = Σ rows of dy.
    const dy = g.data.map((v, i) => (y.data[i]! > 0 ? v : 0));
    const dx = product(false, rows, inputs, outputs, dy, w, bf);
    expectWithin(x.grad!.data, dx.value, (i) => (outputs + 4) * U * dx.scale[i]!, 'dx');
    const dw = product(true, outputs, inputs, rows, dy, x.data, bf);
    expectWithin(layer.weight.grad!.data, dw.value, (i) => (rows + 4) * U * dw.scale[i]!, 'dW');
    const db = product(true, outputs, 1, rows, dy, new Float64Array(rows).fill(1), (v) => v);
    expectWithin(layer.bias!.grad!.data, db.value, (i) => (rows + 4) * U * db.scale[i]!, 'db (float32: not rounded)');

    // Against float32: each operand off by at most 2^-9 of itself, so each product by 2^-8 and a bit.
    const f32 = product(true, outputs, inputs, rows, dy, x.data, (v) => v);
    expectWithin(layer.weight.grad!.data, f32.value, (i) => (2 ** -8 + 2 ** -16 + (rows + 4) * U) * f32.scale[i]!, 'dW against float32 operands');
    let rounded = 0;
    for (let i = 0; i < f32.value.length; i++) if (layer.weight.grad!.data[i] !== Math.fround(f32.value[i]!)) rounded++;
    expect(rounded, 'the weight gradient is not the float32 one').toBeGreaterThan(f32.value.length / 2);
  });

  it('matmul: the product and both gradients in bfloat16, float32 outside autocast', () => {
    manualSeed(4);
    const [m, k, n] = [11, 40, 6];
    const a = randn([m, k], { requiresGrad: true });
    const b = randn([k, n], { requiresGrad: true });
    const g = randn([m, n]);
    const c = amp.autocast('bfloat16', () => matmul(a, b));
    amp.autocast('float32', () => mul(c, g).sum().backward());
    const forward = product(false, m, n, k, a.data, b.data, bf);
    expectWithin(c.data, forward.value, (i) => (k + 4) * U * forward.scale[i]!, 'a·b');
    const da = product(false, m, k, n, g.data, transposed(b.data, k, n), bf);
    expectWithin(a.grad!.data, da.value, (i) => (n + 4) * U * da.scale[i]!, 'da = g·bᵀ');
    const db = product(true, k, n, m, a.data, g.data, bf);
    expectWithin(b.grad!.data, db.value, (i) => (m + 4) * U * db.scale[i]!, 'db = aᵀ·g');

    // Forward outside autocast, backward inside: float32 throughout (what the forward chose).
    const a2 = randn([m, k], { requiresGrad: true });
    const c2 = matmul(a2, b);
    amp.autocast('bfloat16', () => mul(c2, g).sum().backward());
    const fp32 = product(false, m, k, n, g.data, transposed(b.data, k, n), (v) => v);
    expectWithin(a2.grad!.data, fp32.value, (i) => (n + 4) * 2 * U * fp32.scale[i]!, 'da of a float32 forward');
    expect(a2.grad!.data.some((v, i) => v !== Math.fround(da.value[i]!))).toBe(true);
  });

  it('leaves float64 tensors in float64', () => {
    manualSeed(5);
    const a = randn([4, 30], { dtype: 'float64' });
    const b = randn([30, 3], { dtype: 'float64' });
    const inside = amp.autocast('bfloat16', () => matmul(a, b));
    expect(Array.from(inside.data)).toEqual(Array.from(matmul(a, b).data));
  });

  it("gives an MLP's gradients within bfloat16's error of its float32 gradients", () => {
    const run = (precision: 'bfloat16' | 'float32') => {
      manualSeed(6);
      const model = new nn.Sequential(new nn.Linear(64, 48, { activation: 'relu' }), new nn.Linear(48, 32, { activation: 'relu' }), new nn.Linear(32, 10));
      const x = randn([40, 64]);
      const labels = randn([40, 10]);
      const loss = amp.autocast(precision, () => nn.functional.mseLoss(model.forward(x), labels));
      loss.backward();
      return { loss: loss.item(), grads: model.parameters().map((p: Tensor) => Float64Array.from(p.grad!.data)) };
    };
    const low = run('bfloat16');
    const high = run('float32');
    expect(Math.abs(low.loss - high.loss)).toBeLessThan(2 ** -6 * high.loss);
    low.grads.forEach((g, i) => {
      const h = high.grads[i]!;
      let diff = 0;
      let norm = 0;
      for (let j = 0; j < g.length; j++) {
        diff += (g[j]! - h[j]!) ** 2;
        norm += h[j]! ** 2;
      }
      // Each operand within 2^-9 of itself, but the errors are relative to Σ|a·b|, which for
      // random weights is about √k times |Σ a·b| (k up to 64 here), and the first layer's
      // gradient goes through three GEMMs: measured 3.2% for its weight and bias, 0.1–0.4% for the others.
      expect(Math.sqrt(diff / norm), `parameter ${i}`).toBeLessThan(2 ** -4);
      expect(Math.sqrt(diff / norm), `parameter ${i}: more than float32's error`).toBeGreaterThan(2 ** -16);
    });
  });
});

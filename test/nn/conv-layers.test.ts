// The convolutional layers as modules: initialization (PyTorch's bounds from conv fan-in),
// parameters and buffers, train/eval behaviour, hand-computed values, and a CNN's shapes.
import { describe, expect, it } from 'vitest';
import { manualSeed, nn, randn, tensor } from '../../lib';

const F = nn.functional;

describe('Conv2d initialization', () => {
  it('draws weight and bias uniformly in ±1/√fanIn with fanIn = (inChannels/groups)·kH·kW, as PyTorch', () => {
    manualSeed(0);
    const conv = new nn.Conv2d(8, 16, [3, 5], { groups: 2 });
    expect(conv.weight.shape).toEqual([16, 4, 3, 5]);
    expect(nn.init.fans(conv.weight)).toEqual({ fanIn: 4 * 15, fanOut: 16 * 15 });
    const bound = 1 / Math.sqrt(60);
    const w = Array.from(conv.weight.data);
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...w)).toBeGreaterThan(0.95 * bound);
    expect(Math.min(...w)).toBeLessThan(-0.95 * bound);
    // Uniform in ±b has variance b²/3.
    const variance = w.reduce((s, v) => s + v * v, 0) / w.length;
    expect(variance).toBeGreaterThan(0.85 * (bound * bound) / 3);
    expect(variance).toBeLessThan(1.15 * (bound * bound) / 3);
    expect(Math.max(...Array.from(conv.bias!.data, Math.abs))).toBeLessThanOrEqual(bound);
  });

  it('kaimingNormal on a conv weight has std √(2/fanIn); xavierUniform uses fanIn + fanOut', () => {
    manualSeed(1);
    const conv = new nn.Conv2d(6, 32, 3);
    nn.init.kaimingNormal(conv.weight);
    const w = Array.from(conv.weight.data);
    const std = Math.sqrt(w.reduce((s, v) => s + v * v, 0) / w.length);
    expect(std).toBeCloseTo(Math.sqrt(2 / 54), 2);
    nn.init.xavierUniform(conv.weight);
    const a = Math.sqrt(6 / (54 + 32 * 9));
    expect(Math.max(...conv.weight.data.map(Math.abs))).toBeLessThanOrEqual(a);
    expect(Math.max(...conv.weight.data.map(Math.abs))).toBeGreaterThan(0.95 * a);
  });

  it('the same seed gives the same weights; bias false leaves no bias parameter', () => {
    manualSeed(5);
    const a = new nn.Conv2d(3, 4, 3);
    manualSeed(5);
    const b = new nn.Conv2d(3, 4, 3);
    expect(Array.from(a.weight.data)).toEqual(Array.from(b.weight.data));
    expect(new nn.Conv2d(3, 4, 3, { bias: false }).namedParameters().map(([n]) => n)).toEqual(['weight']);
    expect(a.namedParameters().map(([n]) => n)).toEqual(['weight', 'bias']);
  });

  it('describes itself with its non-default options', () => {
    expect(new nn.Conv2d(3, 16, 3).toString()).toMatch(/^Conv2d\(3, 16, kernelSize=\[3, ?3\]\)$/);
    expect(new nn.Conv2d(4, 4, [3, 1], { stride: 2, padding: 1, groups: 4, bias: false }).toString().replace(/ /g, ''))
      .toBe('Conv2d(4,4,kernelSize=[3,1],stride=[2,2],padding=[1,1],groups=4,bias=false)');
  });
});

describe('hand-computed values', () => {
  it('conv2d of a 3×3 input with a 2×2 kernel, padding 1 and stride 2', () => {
    const x = tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 1, 3, 3]);
    const w = tensor([1, 10, 100, 1000], [1, 1, 2, 2]);
    // Padded to 5×5; windows start at rows/columns −1 and 1: each output sums the kernel taps
    // that land inside: (−1,−1) → x00·1000; (−1,1) → x01·100 + x02·1000; (1,−1) → x10·10 + x20·1000;
    // (1,1) → x11·1 + x12·10 + x21·100 + x22·1000.
    const y = F.conv2d(x, w, tensor([0.5]), { stride: 2, padding: 1 });
    expect(y.shape).toEqual([1, 1, 2, 2]);
    expect(Array.from(y.data)).toEqual([1000.5, 2 * 100 + 3 * 1000 + 0.5, 4 * 10 + 7 * 1000 + 0.5, 5 + 60 + 800 + 9000 + 0.5]);
  });

  it('max and average pooling of a 4×4 plane; the max gradient goes to the winner only', () => {
    const x = tensor([1, 5, 2, 0, 3, 4, 8, 1, 0, 0, 1, 1, 9, 0, 1, 7], [1, 1, 4, 4], { requiresGrad: true });
    const m = F.maxPool2d(x, { kernelSize: 2 });
    expect(Array.from(m.data)).toEqual([5, 8, 9, 7]);
    m.sum().backward();
    expect(Array.from(x.grad!.data)).toEqual([0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 1]);
    expect(Array.from(F.avgPool2d(x, { kernelSize: 2 }).data)).toEqual([13 / 4, 11 / 4, 9 / 4, 10 / 4]);
    // Padding 1, window 2, stride 2: the corners see one real value; countIncludePad divides by 4.
    expect(F.avgPool2d(x, { kernelSize: 2, padding: 1 }).data[0]).toBe(0.25);
    expect(F.avgPool2d(x, { kernelSize: 2, padding: 1, countIncludePad: false }).data[0]).toBe(1);
    const { indices } = F.maxPool2dWithIndices(x, { kernelSize: 2 });
    expect(Array.from(indices)).toEqual([1, 6, 12, 15]);
    expect(Array.from(F.adaptiveAvgPool2d(x, 1).data)).toEqual([43 / 16]);
  });

  it('ceil mode adds the partial last window', () => {
    const x = randn([1, 1, 5, 5]);
    expect(F.maxPool2d(x, { kernelSize: 2 }).shape).toEqual([1, 1, 2, 2]);
    expect(F.maxPool2d(x, { kernelSize: 2, ceilMode: true }).shape).toEqual([1, 1, 3, 3]);
    expect(F.maxPool2d(x, { kernelSize: 2, ceilMode: true }).data[8]).toBe(x.data[24]);
  });
});

describe('BatchNorm2d', () => {
  it('normalizes each channel over N·H·W, updates running statistics, and uses them in eval', () => {
    manualSeed(2);
    const bn = new nn.BatchNorm2d(3);
    const x = randn([4, 3, 5, 5], { mean: 3, std: 2 });
    const y = bn.call(x);
    for (let c = 0; c < 3; c++) {
      const values: number[] = [];
      for (let n = 0; n < 4; n++) for (let s = 0; s < 25; s++) values.push(y.data[(n * 3 + c) * 25 + s]!);
      const mean = values.reduce((a, b) => a + b, 0) / 100;
      const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / 100;
      expect(Math.abs(mean)).toBeLessThan(1e-5);
      expect(variance).toBeCloseTo(1, 3);
    }
    expect(bn.namedBuffers().map(([n]) => n)).toEqual(['runningMean', 'runningVar']);
    expect(Object.keys(bn.stateDict())).toEqual(['weight', 'bias', 'runningMean', 'runningVar']);
    // momentum 0.1: the running mean moves a tenth of the way from 0 to the batch mean ≈ 3.
    for (const m of bn.runningMean!.data) expect(m).toBeGreaterThan(0.2);
    bn.eval();
    const one = bn.call(x.reshape(4, 3, 5, 5)).data.slice(0, 75);
    const alone = bn.call(tensor(Array.from(x.data.slice(0, 75)), [1, 3, 5, 5])).data;
    expect(Array.from(alone)).toEqual(Array.from(one));
  });
});

describe('Dropout2d', () => {
  it('zeroes whole channels with probability p, scales the rest by 1/(1 − p), and is the identity in eval', () => {
    manualSeed(3);
    const layer = new nn.Dropout2d(0.25);
    const x = randn([16, 32, 3, 3]);
    const y = layer.call(x);
    let dropped = 0;
    for (let p = 0; p < 16 * 32; p++) {
      const ratios = Array.from({ length: 9 }, (_, s) => y.data[p * 9 + s]! / x.data[p * 9 + s]!);
      const first = ratios[0]!;
      for (const r of ratios) expect(r).toBeCloseTo(first, 5);
      if (first === 0) dropped++;
      else expect(first).toBeCloseTo(1 / 0.75, 5);
    }
    // 512 channels, p = 0.25: 128 expected, σ ≈ 9.8.
    expect(dropped).toBeGreaterThan(128 - 40);
    expect(dropped).toBeLessThan(128 + 40);
    expect(layer.eval().call(x)).toBe(x);
  });

  it('is reproducible from the seed', () => {
    const x = randn([2, 8, 2, 2]);
    manualSeed(4);
    const a = F.dropout2d(x, 0.5).data.slice();
    manualSeed(4);
    expect(Array.from(F.dropout2d(x, 0.5).data)).toEqual(Array.from(a));
  });
});

it('a CNN of Conv2d, BatchNorm2d, ReLU, MaxPool2d, Flatten and Linear gives [N, classes] and trains', () => {
  manualSeed(6);
  const model = new nn.Sequential(
    new nn.Conv2d(1, 4, 3, { padding: 1 }), new nn.BatchNorm2d(4), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Conv2d(4, 8, 3, { padding: 'same' }), new nn.ReLU(), new nn.AdaptiveAvgPool2d(2),
    new nn.Flatten(), new nn.Linear(32, 3),
  );
  const x = randn([6, 1, 8, 8]);
  const labels = Int32Array.of(0, 1, 2, 0, 1, 2);
  expect(model.call(x).shape).toEqual([6, 3]);
  const first = F.crossEntropy(model.call(x), labels).item();
  for (let step = 0; step < 30; step++) {
    model.zeroGrad();
    const loss = F.crossEntropy(model.call(x), labels);
    loss.backward();
    for (const p of model.parameters()) for (let i = 0; i < p.size; i++) p.data[i]! -= 0.1 * p.grad!.data[i]!;
  }
  expect(F.crossEntropy(model.call(x), labels).item()).toBeLessThan(first / 3);
});

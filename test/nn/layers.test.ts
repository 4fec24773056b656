// Layers: Linear (PyTorch layout and init, the fused activation), BatchNorm1d statistics in train
// and eval, Dropout's mean and modes, the activation modules, Flatten/Identity, zero-init symmetry,
// and a model that agrees across backends.
import { describe, expect, it } from 'vitest';
import {
  Tensor, getBackend, manualSeed, matmul, nn, noGrad, randn, relu, setBackend, tensor, zeros,
} from '../../lib';
import { backendNames, useBackend } from '../autograd/backends';

const { functional: F } = nn;

function columnStats(t: Tensor, cols: number): { mean: number[]; std: number[] } {
  const rows = t.size / cols;
  const mean = Array.from({ length: cols }, (_, j) => {
    let s = 0;
    for (let i = 0; i < rows; i++) s += t.data[i * cols + j]!;
    return s / rows;
  });
  const std = mean.map((m, j) => {
    let s = 0;
    for (let i = 0; i < rows; i++) s += (t.data[i * cols + j]! - m) ** 2;
    return Math.sqrt(s / rows);
  });
  return { mean, std };
}

describe.each(backendNames())('layers on %s', (name) => {
  useBackend(name);

  it('Linear: weight [out, in] and bias uniform in ±1/√in, y = x·Wᵀ + b', () => {
    manualSeed(1);
    const layer = new nn.Linear(400, 30);
    expect(layer.weight.shape).toEqual([30, 400]);
    expect(layer.bias!.shape).toEqual([30]);
    const bound = 1 / Math.sqrt(400);
    expect(Math.max(...layer.weight.data.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...layer.weight.data.map(Math.abs))).toBeGreaterThan(0.95 * bound);
    const x = randn([5, 400]);
    const y = layer.call(x);
    const expected = matmul(x, layer.weight.transpose()).add(layer.bias!);
    for (let i = 0; i < y.size; i++) expect(y.data[i]).toBeCloseTo(expected.data[i]!, 5);
    expect(layer.numParameters()).toBe(400 * 30 + 30);
    expect(String(layer)).toBe('Linear(400, 30)');
  });

  it('Linear with a fused ReLU equals Linear then ReLU, gradients included', () => {
    manualSeed(2);
    const fused = new nn.Linear(7, 5, { activation: 'relu' });
    const plain = new nn.Linear(7, 5);
    plain.weight.data.set(fused.weight.data);
    plain.bias!.data.set(fused.bias!.data);
    const x = randn([6, 7]);
    const a = fused.call(x);
    const b = relu(plain.call(x));
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    a.sum().backward();
    b.sum().backward();
    expect(Array.from(fused.weight.grad!.data)).toEqual(Array.from(plain.weight.grad!.data));
    expect(Array.from(fused.bias!.grad!.data)).toEqual(Array.from(plain.bias!.grad!.data));
  });

  it('Linear refuses a wrong input width, naming both shapes', () => {
    const layer = new nn.Linear(3, 2);
    expect(() => layer.call(zeros([4, 5]))).toThrow('linear: Expected an input [..., 3] for a weight [2, 3] but received [4, 5]');
    expect(() => new nn.Linear(0, 2)).toThrow(/positive integer for inFeatures/);
  });

  it('BatchNorm1d in training: per-feature mean 0 and std 1, then β and γ', () => {
    manualSeed(3);
    const bn = new nn.BatchNorm1d(4);
    const x = randn([256, 4], { mean: 5, std: 3 });
    const stats = columnStats(bn.call(x), 4);
    for (const m of stats.mean) expect(Math.abs(m)).toBeLessThan(1e-6);
    for (const s of stats.std) expect(s).toBeCloseTo(1, 4);
    bn.weight!.data.set([1, 2, 3, 4]);
    bn.bias!.data.set([-1, 0, 1, 2]);
    const shifted = columnStats(bn.call(x), 4);
    shifted.mean.forEach((m, j) => expect(m).toBeCloseTo([-1, 0, 1, 2][j]!, 5));
    shifted.std.forEach((s, j) => expect(s).toBeCloseTo([1, 2, 3, 4][j]!, 3));
  });

  it('BatchNorm1d keeps running statistics and uses them in eval', () => {
    manualSeed(4);
    const bn = new nn.BatchNorm1d(3, { momentum: 0.5 });
    const x = randn([100, 3], { mean: 2, std: 4 });
    bn.call(x);
    const { mean } = columnStats(x, 3);
    const unbiased = columnStats(x, 3).std.map((s) => (s * s * 100) / 99);
    bn.runningMean!.data.forEach((v, j) => expect(v).toBeCloseTo(0.5 * mean[j]!, 5));
    bn.runningVar!.data.forEach((v, j) => expect(v).toBeCloseTo(0.5 + 0.5 * unbiased[j]!, 4));
    bn.eval();
    const single = bn.call(tensor([[1, 2, 3]]));
    [1, 2, 3].forEach((v, j) => {
      const expected = (v - bn.runningMean!.data[j]!) / Math.sqrt(bn.runningVar!.data[j]! + 1e-5);
      expect(single.data[j]).toBeCloseTo(expected, 5);
    });
    expect(Object.keys(bn.stateDict())).toEqual(['weight', 'bias', 'runningMean', 'runningVar']);
  });

  it('BatchNorm1d over [N, C, L] normalizes each channel over N and L', () => {
    manualSeed(5);
    const bn = new nn.BatchNorm1d(2);
    const y = bn.call(randn([8, 2, 16], { mean: -3, std: 2 }));
    for (let c = 0; c < 2; c++) {
      let sum = 0;
      let sq = 0;
      for (let n = 0; n < 8; n++) for (let l = 0; l < 16; l++) sum += y.data[(n * 2 + c) * 16 + l]!;
      const m = sum / 128;
      for (let n = 0; n < 8; n++) for (let l = 0; l < 16; l++) sq += (y.data[(n * 2 + c) * 16 + l]! - m) ** 2;
      expect(Math.abs(m)).toBeLessThan(1e-6);
      expect(Math.sqrt(sq / 128)).toBeCloseTo(1, 4);
    }
    expect(() => bn.call(zeros([1, 2]))).toThrow(/more than 1 value per channel/);
  });

  it('Dropout: the mean output over many draws equals the input; eval is the identity', () => {
    manualSeed(6);
    const drop = new nn.Dropout(0.3);
    const x = tensor([[1, -2, 3, 0.5]]);
    const sums = new Float64Array(4);
    const draws = 20000;
    let zeroed = 0;
    for (let k = 0; k < draws; k++) {
      const y = drop.call(x);
      y.data.forEach((v, i) => {
        sums[i] += v;
        if (v === 0) zeroed++;
      });
    }
    sums.forEach((s, i) => expect(s / draws).toBeCloseTo(x.data[i]!, 1));
    expect(zeroed / (4 * draws)).toBeCloseTo(0.3, 2);
    drop.eval();
    expect(drop.call(x)).toBe(x);
    expect(() => new nn.Dropout(1.5)).toThrow(/drop probability p in \[0, 1\]/);
  });

  it('activation modules: RReLU uses the mean slope in eval and random slopes in [lower, upper] in training', () => {
    manualSeed(7);
    const rrelu = new nn.RReLU(0.1, 0.3);
    const x = tensor([-1, -2, -4, 3]);
    const y = rrelu.call(x);
    for (let i = 0; i < 3; i++) {
      const slope = y.data[i]! / x.data[i]!;
      expect(slope).toBeGreaterThanOrEqual(0.1 - 1e-7);
      expect(slope).toBeLessThanOrEqual(0.3 + 1e-7);
    }
    expect(y.data[3]).toBe(3);
    rrelu.eval();
    expect(Array.from(rrelu.call(x).data)).toEqual([-0.2, -0.4, -0.8, 3].map(Math.fround));
    const noisy = new nn.NoisyReLU(0.5);
    const big = randn([1000]);
    expect(Array.from(noisy.call(big).data)).not.toEqual(Array.from(relu(big).data));
    noisy.eval();
    expect(Array.from(noisy.call(big).data)).toEqual(Array.from(relu(big).data));
    const prelu = new nn.PReLU(2);
    expect(Array.from(prelu.call(tensor([[-4, -8], [1, 2]])).data)).toEqual([-1, -2, 1, 2]);
    expect(Array.from(new nn.LeakyReLU().call(tensor([-100])).data)).toEqual([-1]);
    expect(new nn.Sigmoid().call(tensor([0])).item()).toBe(0.5);
    expect(new nn.Tanh().call(tensor([0])).item()).toBe(0);
    expect(new nn.ELU().call(tensor([-Infinity])).item()).toBe(-1);
    expect(new nn.Softplus().call(tensor([0])).item()).toBeCloseTo(Math.LN2, 6);
    expect(new nn.GELU().call(tensor([1])).item()).toBeCloseTo(0.8413447, 6);
    expect(() => new nn.LeakyReLU(NaN)).toThrow(/finite number for slope/);
  });

  it('Flatten keeps the batch dimension; Identity returns its input', () => {
    const x = zeros([2, 3, 4]);
    expect(new nn.Flatten().call(x).shape).toEqual([2, 12]);
    expect(new nn.Flatten(0).call(x).shape).toEqual([24]);
    expect(new nn.Identity().call(x)).toBe(x);
  });

  it('zero initialization leaves every hidden unit identical after updates', () => {
    const model = new nn.Sequential(new nn.Linear(3, 4), new nn.Tanh(), new nn.Linear(4, 2));
    noGrad(() => {
      for (const p of model.parameters()) p.data.fill(0);
    });
    manualSeed(8);
    const x = randn([10, 3]);
    const labels = Int32Array.from({ length: 10 }, (_, i) => i % 2);
    for (let step = 0; step < 5; step++) {
      model.zeroGrad();
      F.crossEntropy(model.call(x), labels).backward();
      for (const p of model.parameters()) for (let i = 0; i < p.size; i++) p.data[i]! -= 0.5 * p.grad!.data[i]!;
    }
    const w1 = (model[0] as nn.Linear).weight;
    for (let unit = 1; unit < 4; unit++) {
      for (let k = 0; k < 3; k++) expect(w1.data[unit * 3 + k]).toBe(w1.data[k]);
    }
  });
});

describe('a model agrees across backends', () => {
  it('an MLP with BatchNorm, Dropout and cross-entropy gives the same loss and gradients', () => {
    const names = backendNames();
    if (names.length === 1) return; // the native addon is not built here: one backend only
    const previous = getBackend();
    const results = names.map((name) => {
      setBackend(name);
      manualSeed(9);
      const model = new nn.Sequential(
        new nn.Linear(20, 32, { activation: 'relu' }), new nn.BatchNorm1d(32), new nn.Dropout(0.2),
        new nn.Linear(32, 16), new nn.GELU(), new nn.Linear(16, 5),
      );
      const x = randn([64, 20]);
      const labels = Int32Array.from({ length: 64 }, (_, i) => (i * 7) % 5);
      const loss = F.crossEntropy(model.call(x), labels);
      loss.backward();
      return { loss: loss.item(), grads: model.parameters().map((p) => Array.from(p.grad!.data)) };
    });
    setBackend(previous);
    const [first, ...rest] = results;
    for (const other of rest) {
      expect(other.loss).toBeCloseTo(first!.loss, 5);
      other.grads.forEach((g, k) => g.forEach((v, i) => expect(v).toBeCloseTo(first!.grads[k]![i]!, 4)));
    }
  });
});

// F.pad in its four modes and the padding layers: hand-computed values, the gradient's edge
// counts, float64 gradchecks on every backend, PyTorch 1.13's F.pad on the same inputs, and the
// errors for pads a mode cannot take.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { Tensor, gradcheck, manualSeed, nn, randn } from '../../lib';
import { backendNames, useBackend } from '../autograd/backends';
import { describeWithPeers } from '../peers';

const F = nn.functional;
const row = (values: number[]) => new Tensor(Float32Array.from(values), [1, values.length]);
const list = (t: Tensor) => Array.from(t.data);

describe('F.pad, by hand', () => {
  it('pads the last dimension in each mode as numpy and PyTorch do', () => {
    const x = row([1, 2, 3, 4]);
    expect(list(F.pad(x, [2, 1]))).toEqual([0, 0, 1, 2, 3, 4, 0]);
    expect(list(F.pad(x, [2, 1], { value: -1.5 }))).toEqual([-1.5, -1.5, 1, 2, 3, 4, -1.5]);
    expect(list(F.pad(x, [3, 2], { mode: 'reflect' }))).toEqual([4, 3, 2, 1, 2, 3, 4, 3, 2]);
    expect(list(F.pad(x, [2, 3], { mode: 'replicate' }))).toEqual([1, 1, 1, 2, 3, 4, 4, 4, 4]);
    expect(list(F.pad(x, [4, 2], { mode: 'circular' }))).toEqual([1, 2, 3, 4, 1, 2, 3, 4, 1, 2]);
  });

  it('pads the last two dimensions with [left, right, top, bottom]', () => {
    const x = new Tensor(Float32Array.of(1, 2, 3, 4, 5, 6), [1, 1, 2, 3]);
    const y = F.pad(x, [1, 0, 1, 1], { mode: 'reflect' });
    expect(y.shape).toEqual([1, 1, 4, 4]);
    expect(list(y)).toEqual([5, 4, 5, 6, 2, 1, 2, 3, 5, 4, 5, 6, 2, 1, 2, 3]);
    const z = F.pad(x, [0, 2, 0, 1], { mode: 'replicate' });
    expect(list(z)).toEqual([1, 2, 3, 3, 3, 4, 5, 6, 6, 6, 4, 5, 6, 6, 6]);
  });

  it('adds the gradient of every copy back into the element it came from', () => {
    const x = new Tensor(Float32Array.of(1, 2, 3), [3], { requiresGrad: true });
    F.pad(x, [2, 2], { mode: 'replicate' }).sum().backward();
    expect(list(x.grad!)).toEqual([3, 1, 3]);
    const r = new Tensor(Float32Array.of(1, 2, 3), [3], { requiresGrad: true });
    F.pad(r, [2, 1], { mode: 'reflect' }).sum().backward(); // [3, 2, 1, 2, 3, 2]
    expect(list(r.grad!)).toEqual([1, 3, 2]);
    const c = new Tensor(Float32Array.of(1, 2, 3), [3], { requiresGrad: true });
    F.pad(c, [1, 0]).sum().backward();
    expect(list(c.grad!)).toEqual([1, 1, 1]);
  });

  it('refuses pads a mode cannot take, naming the limit', () => {
    const x = row([1, 2, 3]);
    expect(() => F.pad(x, [3, 0], { mode: 'reflect' })).toThrow(/reflect padding must be smaller than the dimension it pads.*is 3/);
    expect(() => F.pad(x, [4, 0], { mode: 'circular' })).toThrow(/circular padding must be at most the dimension/);
    expect(() => F.pad(x, [-1, 0])).toThrow(/non-negative integer pads/);
    expect(() => F.pad(x, [1, 1, 1])).toThrow(/even number of pads/);
    expect(() => F.pad(x, [1, 1, 1, 1, 1, 1])).toThrow(/at most 2 per dimension/);
    expect(() => F.pad(x, [1, 1], { mode: 'wrap' as never })).toThrow(/Expected mode 'constant', 'reflect', 'replicate', 'circular'/);
    expect(() => F.pad(new Tensor(new Float32Array(0), [1, 0]), [1, 1], { mode: 'replicate' })).toThrow(/replicate padding of the empty dimension/);
  });
});

describe('the padding layers', () => {
  it('pad [N, C, H, W] as PyTorch names them, and explain bad input', () => {
    const x = new Tensor(Float32Array.of(1, 2, 3, 4), [1, 1, 2, 2]);
    expect(list(new nn.ZeroPad2d([1, 0, 0, 0]).call(x))).toEqual([0, 1, 2, 0, 3, 4]);
    expect(list(new nn.ConstantPad2d(1, 7).call(x)).slice(0, 5)).toEqual([7, 7, 7, 7, 7]);
    expect(list(new nn.ReflectionPad2d([1, 1, 0, 0]).call(x))).toEqual([2, 1, 2, 1, 4, 3, 4, 3]);
    expect(list(new nn.ReplicationPad2d([0, 0, 1, 0]).call(x))).toEqual([1, 2, 1, 2, 3, 4]);
    expect(() => new nn.ReflectionPad2d(2).call(x)).toThrow(/^ReflectionPad2d: reflect padding must be smaller/);
    expect(() => new nn.ZeroPad2d([1, 2] as never)).toThrow(/ZeroPad2d: Expected padding as a non-negative integer or \[left, right, top, bottom\]/);
    expect(() => new nn.ReplicationPad2d(1).call(row([1, 2]))).toThrow(/Expected a 3-D \[C, H, W\] or 4-D \[N, C, H, W\] input but received \[1, 2\]/);
    expect(new nn.ReflectionPad2d(1).toString()).toBe('ReflectionPad2d([1, 1, 1, 1])');
  });
});

for (const backend of backendNames()) {
  describe(`F.pad gradcheck (float64, ${backend})`, () => {
    useBackend(backend);
    const f64 = { dtype: 'float64' as const, requiresGrad: true as const };
    it.each([
      ['constant', [1, 2, 0, 1]],
      ['reflect', [2, 1, 1, 2]],
      ['replicate', [3, 0, 2, 1]],
      ['circular', [3, 1, 0, 2]],
    ] as const)('%s over [2, 3, 3, 4]', (mode, pads) => {
      manualSeed(11);
      const x = randn([2, 3, 3, 4], f64);
      const weights = randn([2, 3, 3 + pads[2] + pads[3], 4 + pads[0] + pads[1]], { dtype: 'float64' });
      const result = gradcheck((t) => F.pad(t, pads, { mode, value: 0.5 }).mul(weights).sum(), [x]);
      expect(result.ok, result.message).toBe(true);
      expect(result.checked).toBe(x.size);
    });
  });
}

describeWithPeers('torch', 'F.pad matches PyTorch 1.13', () => {
  it('in every mode, forward and gradient, on [2, 3, 5, 6]', () => {
    manualSeed(5);
    const x = randn([2, 3, 5, 6], { requiresGrad: true });
    const cases = [
      { mode: 'constant', pads: [1, 2, 3, 0], value: 0.25 },
      { mode: 'reflect', pads: [5, 1, 2, 4] },
      { mode: 'replicate', pads: [4, 0, 1, 6] },
      { mode: 'circular', pads: [6, 2, 0, 5] },
    ] as const;
    const ours = cases.map((c) => {
      x.grad = null;
      const y = F.pad(x, c.pads, { mode: c.mode, value: 'value' in c ? c.value : 0 });
      const gy = randn(y.shape);
      y.mul(gy).sum().backward();
      return { y: list(y), dx: list(x.grad!), gy: list(gy), shape: y.shape };
    });
    const script = `
import json, sys, torch
import torch.nn.functional as F
spec = json.load(sys.stdin)
x = torch.tensor(spec['x'], dtype=torch.float64).reshape(spec['shape']).requires_grad_(True)
out = []
for c in spec['cases']:
    x.grad = None
    y = F.pad(x, c['pads'], mode=c['mode'], **({'value': c['value']} if c['mode'] == 'constant' else {}))
    (y * torch.tensor(c['gy'], dtype=torch.float64).reshape(y.shape)).sum().backward()
    out.append({'y': y.flatten().tolist(), 'dx': x.grad.flatten().tolist(), 'shape': list(y.shape)})
print(json.dumps(out))`;
    const input = JSON.stringify({ x: list(x), shape: x.shape, cases: cases.map((c, i) => ({ ...c, gy: ours[i]!.gy })) });
    const torch = JSON.parse(execFileSync('/usr/bin/python3', ['-c', script], { input, encoding: 'utf8', maxBuffer: 1 << 26 })) as { y: number[]; dx: number[]; shape: number[] }[];
    cases.forEach((c, i) => {
      expect(ours[i]!.shape, c.mode).toEqual(torch[i]!.shape);
      // Padding copies values, so the forward is exact; the gradient sums up to a few copies.
      expect(ours[i]!.y, c.mode).toEqual(torch[i]!.y.map(Math.fround));
      const worst = Math.max(...ours[i]!.dx.map((v, k) => Math.abs(v - torch[i]!.dx[k]!)));
      expect(worst, `${c.mode} gradient`).toBeLessThan(1e-5);
    });
  });
});

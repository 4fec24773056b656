// The Optimizer base: groups with their own hyper-parameters, skipped parameters without
// gradients, zeroGrad, and state dicts that resume exactly.
import { describe, expect, it } from 'vitest';
import { mul, sum, tensor } from '../../lib';
import { PlainSGD } from './plain-sgd';

const param = (values: number[]) => tensor(values, undefined, { requiresGrad: true });

describe('Optimizer', () => {
  it('steps each group with its own learning rate and skips parameters without a gradient', () => {
    const a = param([1, 2]);
    const b = param([3]);
    const c = param([5]);
    const opt = new PlainSGD([{ params: [a] }, { params: [b, c], lr: 1 }], 0.5);
    sum(mul(a, a)).backward(); // da = 2a
    sum(mul(b, b)).backward(); // db = 2b
    opt.step();
    expect(Array.from(a.data)).toEqual([0, 0]); // 1 − 0.5·2, 2 − 0.5·4
    expect(Array.from(b.data)).toEqual([-3]); // 3 − 1·6
    expect(Array.from(c.data)).toEqual([5]);
    expect(opt.state.has(c)).toBe(false);
    expect(opt.stepCount).toBe(1);
  });

  it('zeroes gradients to null or zeros', () => {
    const a = param([1]);
    const opt = new PlainSGD([a]);
    sum(mul(a, a)).backward();
    opt.zeroGrad({ setToNone: false });
    expect(Array.from(a.grad!.data)).toEqual([0]);
    opt.zeroGrad();
    expect(a.grad).toBeNull();
  });

  it('refuses empty, duplicated and frozen parameters and bad hyper-parameters', () => {
    const a = param([1]);
    expect(() => new PlainSGD([])).toThrow(/non-empty list/);
    expect(() => new PlainSGD([{ params: [a] }, { params: [a] }])).toThrow(/more than one group/);
    expect(() => new PlainSGD([tensor([1])])).toThrow(/require gradients/);
    expect(() => new PlainSGD([a], -1)).toThrow(/lr >= 0/);
    const opt = new PlainSGD([a]);
    opt.paramGroups[0]!.lr = Number.NaN; // changed between steps: checked again
    sum(mul(a, a)).backward();
    expect(() => opt.step()).toThrow(/lr >= 0/);
  });

  it('round-trips its state dict into a fresh optimizer over fresh parameters', () => {
    const run = (opt: PlainSGD, p: ReturnType<typeof param>, steps: number) => {
      for (let i = 0; i < steps; i++) {
        opt.zeroGrad();
        sum(mul(mul(p, p), p)).backward(); // 3p²
        opt.step();
      }
    };
    const p1 = param([0.5, -0.25]);
    const o1 = new PlainSGD([p1], 0.1);
    run(o1, p1, 3);
    const saved = o1.stateDict();
    expect(saved.state[0]!['step']).toBe(3);
    expect(saved.paramGroups).toEqual([{ lr: 0.1, params: [0] }]);
    const p2 = param(Array.from(p1.data));
    const o2 = new PlainSGD([p2], 0.7);
    o2.loadStateDict(saved);
    expect(o2.paramGroups[0]!.lr).toBe(0.1);
    run(o1, p1, 4);
    run(o2, p2, 4);
    expect(p2.data).toEqual(p1.data);
    expect(o2.state.get(p2)!['step']).toBe(7);
    expect(() => new PlainSGD([param([1]), param([2])]).loadStateDict(saved)).toThrow(/group 0 has 2 parameters but the state dict's has 1/);
    expect(() => new PlainSGD([{ params: [param([1])] }, { params: [param([1])] }]).loadStateDict(saved)).toThrow(/Expected 2 parameter groups/);
  });
});

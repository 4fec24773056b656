// Making tensors: from data, constants, ranges, seeded random draws; reading them back; the
// graph as DOT.
import { describe, expect, it } from 'vitest';
import {
  arange, concat, full, getRngState, manualSeed, matmul, nativeBackend, nativeInfo, ones, rand, randn,
  referenceBackend, relu, setBackend, setRngState, stack, sum, tensor, toDot, zeros,
} from '../../lib';

describe('tensor creation', () => {
  it('infers the shape of nested arrays and checks it', () => {
    const t = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.dtype).toBe('float32');
    expect(t.toArray()).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(tensor(7).shape).toEqual([]);
    expect(tensor(7).item()).toBe(7);
    expect(tensor([]).shape).toEqual([0]);
    expect(() => tensor([[1, 2], [3]])).toThrow('tensor: Expected data[1] to have shape [2] like data[0] but it has [1]');
    expect(() => tensor([[1, 'a' as unknown as number]])).toThrow(/Expected numbers or arrays at data\[0\]\[1\]/);
    expect(() => tensor([1, 2])).not.toThrow();
    expect(() => tensor([1, 2, 3], [2, 2])).toThrow('tensor: Expected 4 values for shape [2, 2] but received 3');
    expect(() => tensor([1, 2]).item()).toThrow(/one element/);
  });

  it('copies typed arrays and reshapes flat data', () => {
    const source = Float32Array.of(1, 2, 3, 4);
    const t = tensor(source, [2, 2], { dtype: 'float64', requiresGrad: true });
    source[0] = 99;
    expect(t.data).toBeInstanceOf(Float64Array);
    expect(t.toArray()).toEqual([[1, 2], [3, 4]]);
    expect(t.requiresGrad).toBe(true);
    expect(() => tensor([1], undefined, { dtype: 'int8' as never })).toThrow(/dtype "float32" or "float64"/);
  });

  it('makes constants and ranges', () => {
    expect(zeros([2, 2]).toArray()).toEqual([[0, 0], [0, 0]]);
    expect(ones([3]).toArray()).toEqual([1, 1, 1]);
    expect(full([2], 2.5).toArray()).toEqual([2.5, 2.5]);
    expect(arange(4).toArray()).toEqual([0, 1, 2, 3]);
    expect(arange(1, 2, 0.25).toArray()).toEqual([1, 1.25, 1.5, 1.75]);
    expect(arange(3, 0, -1).toArray()).toEqual([3, 2, 1]);
    expect(() => arange(0, 1, 0)).toThrow(/non-zero step/);
    expect(() => zeros([2, -1])).toThrow(/Expected a shape/);
  });

  it('draws the same values from the same seed, on every backend', () => {
    manualSeed(123);
    const a = randn([5, 7]);
    const b = rand([3]);
    manualSeed(123);
    expect(randn([5, 7]).data).toEqual(a.data);
    expect(rand([3]).data).toEqual(b.data);
    expect(randn([5, 7]).data).not.toEqual(a.data); // the stream moves on
    if (nativeInfo().available) {
      for (const backend of [referenceBackend, nativeBackend()]) {
        setBackend(backend);
        manualSeed(123);
        expect(randn([5, 7]).data).toEqual(a.data);
      }
      setBackend('native');
    }
  });

  it('saves and restores the generator state exactly', () => {
    manualSeed(9);
    rand([10]);
    const state = getRngState();
    const next = randn([4]);
    setRngState(state);
    expect(randn([4]).data).toEqual(next.data);
    expect(() => manualSeed(-1)).toThrow(/non-negative integer/);
    expect(() => setRngState({ seed: 1, offset: 0.5 })).toThrow(/offset/);
  });

  it('draws with the requested moments and range', () => {
    manualSeed(4);
    const u = rand([100_000], { low: 2, high: 4 });
    const n = randn([100_000], { mean: -1, std: 3 });
    const mean = (t: { data: ArrayLike<number> }) => Array.from(t.data).reduce((s, v) => s + v, 0) / t.data.length;
    expect(Math.abs(mean(u) - 3)).toBeLessThan(0.01);
    expect(Math.min(...u.data)).toBeGreaterThanOrEqual(2);
    expect(Math.abs(mean(n) + 1)).toBeLessThan(0.05);
  });
});

describe('toDot', () => {
  it('draws ops with their shapes, attributes, parameters and inputs', () => {
    const x = zeros([4, 3]);
    const w = zeros([3, 2], { requiresGrad: true });
    const dot = toDot(sum(relu(matmul(x, w))));
    expect(dot).toMatch(/^digraph tensorgrad \{/);
    expect(dot).toContain('[label="sum\\n[]\\ndims=[0, 1], keepDim=false", shape=box]');
    expect(dot).toContain('[label="relu\\n[4, 2]", shape=box]');
    expect(dot).toContain('[label="matmul\\n[4, 2]", shape=box]');
    expect(dot).toContain('[label="parameter\\n[3, 2]"');
    expect(dot).toContain('[label="input\\n[4, 3]", shape=ellipse]');
    expect(dot.match(/->/g)).toHaveLength(4);
  });
});

describe('layout ops', () => {
  it('transposes, gathers, concatenates and stacks', () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(x.transpose().toArray()).toEqual([[1, 4], [2, 5], [3, 6]]);
    expect(x.gather([1, 1, 0]).toArray()).toEqual([[4, 5, 6], [4, 5, 6], [1, 2, 3]]);
    expect(concat([x, tensor([[7, 8, 9]])]).toArray()).toEqual([[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
    expect(concat([x, tensor([[0], [0]])], 1).toArray()).toEqual([[1, 2, 3, 0], [4, 5, 6, 0]]);
    expect(stack([tensor([1, 2]), tensor([3, 4])]).toArray()).toEqual([[1, 2], [3, 4]]);
    expect(stack([tensor([1, 2]), tensor([3, 4])], 1).toArray()).toEqual([[1, 3], [2, 4]]);
  });

  it('refuses bad indices and mismatched pieces, saying which', () => {
    const x = zeros([3, 2]);
    expect(() => x.gather([0, 3])).toThrow('gather: Expected every index in [0, 3) but indices[1] is 3');
    expect(() => x.gather([0.5])).toThrow(/indices\[0\] is 0.5/);
    expect(() => concat([x, zeros([3, 3])])).toThrow('concat: Expected tensor 1 to match [3, 2] outside dimension 0 but it has [3, 3]');
    expect(() => stack([x, zeros([2, 3])])).toThrow('stack: Expected tensor 1 to match [3, 2] but it has [2, 3]');
    expect(() => zeros([2, 2, 2]).transpose()).toThrow(/2-D tensor/);
  });
});

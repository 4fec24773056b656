// Module bookkeeping: parameters found in declaration order, buffers, train/eval, zeroGrad,
// state dicts with missing and unexpected keys.
import { describe, expect, it } from 'vitest';
import { Tensor, matmul, nn, ones, sum, tensor, zeros } from '../../lib';

class Affine extends nn.Module {
  weight: nn.Parameter;
  bias: nn.Parameter;
  constructor(inFeatures: number, outFeatures: number) {
    super();
    this.weight = new nn.Parameter(ones([inFeatures, outFeatures]));
    this.bias = new nn.Parameter(zeros([outFeatures]));
    this.registerBuffer('calls', zeros([1]));
    this.registerBuffer('scratch', zeros([2]), { persistent: false });
  }
  declare calls: Tensor;
  forward(x: Tensor): Tensor {
    this.calls.data[0]! += 1;
    return matmul(x, this.weight);
  }
}

class Net extends nn.Module {
  body = new nn.Sequential(new Affine(3, 4), new Affine(4, 2));
  head = new Affine(2, 1);
  scale = new nn.Parameter(ones([1]));
  forward(x: Tensor): Tensor {
    return this.head.forward(this.body.forward(x));
  }
}

describe('Module', () => {
  it('finds parameters depth first with dotted names, once each', () => {
    const net = new Net();
    expect(net.namedParameters().map(([n]) => n)).toEqual([
      'scale', 'body.0.weight', 'body.0.bias', 'body.1.weight', 'body.1.bias', 'head.weight', 'head.bias',
    ]);
    expect(net.numParameters()).toBe(1 + 12 + 4 + 8 + 2 + 2 + 1);
    expect(net.children()).toHaveLength(2);
    expect(net.namedModules().map(([n]) => n)).toEqual(['', 'body', 'body.0', 'body.1', 'head']);
    net.head.bias = (net.body[1] as Affine).bias; // shared: counted once
    expect(net.parameters()).toHaveLength(6);
  });

  it('keeps buffers out of parameters, and non-persistent ones out of the state dict', () => {
    const net = new Net();
    expect(Object.keys(net.stateDict())).toEqual([
      'scale', 'body.0.weight', 'body.0.bias', 'body.0.calls', 'body.1.weight', 'body.1.bias', 'body.1.calls',
      'head.weight', 'head.bias', 'head.calls',
    ]);
    expect(net.namedBuffers().map(([n, , persistent]) => `${n}:${persistent}`)).toContain('head.scratch:false');
    net.forward(ones([5, 3]));
    expect(net.head.calls.item()).toBe(1);
    expect(() => net.head.registerBuffer('weight', zeros([1]))).toThrow(/already a property/);
  });

  it('switches train and eval mode all the way down', () => {
    const net = new Net();
    expect(net.eval()).toBe(net);
    expect(net.namedModules().every(([, m]) => !m.training)).toBe(true);
    net.train();
    expect(net.body[0]!.training).toBe(true);
  });

  it('zeroes gradients to null or to zeros', () => {
    const net = new Net();
    sum(net.forward(ones([2, 3]))).backward();
    expect(net.body[0]!.parameters()[0]!.grad).not.toBeNull();
    net.zeroGrad({ setToNone: false });
    expect(Array.from(net.head.weight.grad!.data)).toEqual([0, 0]);
    net.zeroGrad();
    expect(net.head.weight.grad).toBeNull();
  });

  it('round-trips a state dict and reports missing and unexpected keys', () => {
    const a = new Net();
    const b = new Net();
    a.head.weight.data.set([7, 8]);
    a.body[0]!.parameters()[1]!.data.fill(3);
    b.loadStateDict(a.stateDict());
    expect(Array.from(b.head.weight.data)).toEqual([7, 8]);
    expect(Array.from(b.body[0]!.parameters()[1]!.data)).toEqual([3, 3, 3, 3]);
    expect(b.head.weight.data).not.toBe(a.head.weight.data); // copied, not shared

    const partial = a.stateDict();
    delete partial['scale'];
    partial['extra'] = tensor([1]);
    expect(() => b.loadStateDict(partial)).toThrow('loadStateDict: the state dict does not match Net: missing keys [scale], unexpected keys [extra]');
    expect(b.loadStateDict(partial, { strict: false })).toEqual({ missingKeys: ['scale'], unexpectedKeys: ['extra'] });
    expect(() => b.loadStateDict({ ...a.stateDict(), scale: zeros([2]) })).toThrow('loadStateDict: scale: Expected shape [1] but received [2]');
  });

  it('refuses a load whole: a bad entry leaves every parameter as it was', () => {
    const a = new Net();
    const b = new Net();
    a.head.weight.data.set([7, 8]);
    const before = b.stateDict();
    const keys = Object.keys(before);
    const lastKey = keys[keys.length - 1]!;
    const bad = { ...a.stateDict(), [lastKey]: zeros([before[lastKey]!.shape.reduce((x, y) => x * y, 1) + 1]) };
    expect(() => b.loadStateDict(bad)).toThrow(`loadStateDict: ${lastKey}: Expected shape`);
    expect(Array.from(b.head.weight.data)).toEqual(Array.from(before['head.weight']!.data));
    expect(Array.from(b.head.weight.data)).not.toEqual([7, 8]);
  });

  it('builds a Sequential only from modules', () => {
    expect(() => new nn.Sequential(new Affine(1, 1), {} as nn.Module)).toThrow('Sequential: Expected a Module at position 1 but received [object Object]');
    const seq = new nn.Sequential(new Affine(2, 3), new Affine(3, 1));
    expect(seq.length).toBe(2);
    expect(seq.forward(ones([4, 2])).shape).toEqual([4, 1]);
  });
});

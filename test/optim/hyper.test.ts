// Bad hyper-parameters are refused with an error naming what was expected (PyTorch's ranges),
// at construction, in any group, and when changed between steps; unknown options (typos) too.
import { describe, expect, it } from 'vitest';
import { optim } from '../../lib';
import { THETA0, loss, parameter } from './problem';

type Make = (options: Record<string, unknown>) => optim.Optimizer;
const p = () => [parameter(THETA0)];
const make = {
  SGD: (o) => new optim.SGD(p(), o as never),
  Adagrad: (o) => new optim.Adagrad(p(), o as never),
  RMSprop: (o) => new optim.RMSprop(p(), o as never),
  Adadelta: (o) => new optim.Adadelta(p(), o as never),
  Adam: (o) => new optim.Adam(p(), o as never),
  AdamW: (o) => new optim.AdamW(p(), o as never),
  Adamax: (o) => new optim.Adamax(p(), o as never),
  NAdam: (o) => new optim.NAdam(p(), o as never),
} satisfies Record<string, Make>;

const BAD: [keyof typeof make, Record<string, unknown>, Error][] = [
  ['SGD', { lr: -0.1 }, new RangeError('SGD: Expected a finite number >= 0 for lr but received -0.1')],
  ['SGD', { lr: NaN }, new RangeError('SGD: Expected a finite number >= 0 for lr but received NaN')],
  ['SGD', { lr: Infinity }, new RangeError('SGD: Expected a finite number >= 0 for lr but received Infinity')],
  ['SGD', { lr: '0.1' }, new TypeError('SGD: Expected a finite number >= 0 for lr but received a string')],
  ['SGD', { momentum: -0.9 }, new RangeError('SGD: Expected a finite number >= 0 for momentum but received -0.9')],
  ['SGD', { dampening: 1.5 }, new RangeError('SGD: Expected a number in [0, 1] for dampening but received 1.5')],
  ['SGD', { weightDecay: -1e-4 }, new RangeError('SGD: Expected a finite number >= 0 for weightDecay but received -0.0001')],
  ['SGD', { nesterov: true }, new RangeError('SGD: Expected momentum > 0 and dampening = 0 for nesterov but received momentum 0 and dampening 0')],
  ['SGD', { nesterov: true, momentum: 0.9, dampening: 0.1 }, new RangeError('SGD: Expected momentum > 0 and dampening = 0 for nesterov but received momentum 0.9 and dampening 0.1')],
  ['SGD', { nesterov: 1 }, new TypeError('SGD: Expected true or false for nesterov but received 1')],
  ['Adagrad', { lrDecay: -1 }, new RangeError('Adagrad: Expected a finite number >= 0 for lrDecay but received -1')],
  ['Adagrad', { initialAccumulatorValue: -0.1 }, new RangeError('Adagrad: Expected a finite number >= 0 for initialAccumulatorValue but received -0.1')],
  ['Adagrad', { eps: -1e-10 }, new RangeError('Adagrad: Expected a finite number >= 0 for eps but received -1e-10')],
  ['RMSprop', { alpha: 1.01 }, new RangeError('RMSprop: Expected a number in [0, 1] for alpha but received 1.01')],
  ['RMSprop', { momentum: -0.5 }, new RangeError('RMSprop: Expected a finite number >= 0 for momentum but received -0.5')],
  ['RMSprop', { centered: 'yes' }, new TypeError('RMSprop: Expected true or false for centered but received a string')],
  ['Adadelta', { rho: 1.1 }, new RangeError('Adadelta: Expected a number in [0, 1] for rho but received 1.1')],
  ['Adadelta', { lr: -1 }, new RangeError('Adadelta: Expected a finite number >= 0 for lr but received -1')],
  ['Adam', { betas: [1, 0.999] }, new RangeError('Adam: Expected a number in [0, 1) for betas[0] but received 1')],
  ['Adam', { betas: [0.9, -0.1] }, new RangeError('Adam: Expected a number in [0, 1) for betas[1] but received -0.1')],
  ['Adam', { betas: 0.9 }, new TypeError('Adam: Expected an Array [beta1, beta2] for betas but received 0.9')],
  ['Adam', { betas: [0.9] }, new TypeError('Adam: Expected an Array [beta1, beta2] for betas but received an Array')],
  ['Adam', { eps: -1e-8 }, new RangeError('Adam: Expected a finite number >= 0 for eps but received -1e-8')],
  ['Adam', { amsgrad: 'no' }, new TypeError('Adam: Expected true or false for amsgrad but received a string')],
  ['Adam', { biasCorrection: 0 }, new TypeError('Adam: Expected true or false for biasCorrection but received 0')],
  ['AdamW', { weightDecay: -0.01 }, new RangeError('AdamW: Expected a finite number >= 0 for weightDecay but received -0.01')],
  ['AdamW', { betas: [0.9, 1] }, new RangeError('AdamW: Expected a number in [0, 1) for betas[1] but received 1')],
  ['Adamax', { betas: [NaN, 0.9] }, new RangeError('Adamax: Expected a number in [0, 1) for betas[0] but received NaN')],
  ['NAdam', { momentumDecay: -0.004 }, new RangeError('NAdam: Expected a finite number >= 0 for momentumDecay but received -0.004')],
  ['NAdam', { betas: [0.9, 1.5] }, new RangeError('NAdam: Expected a number in [0, 1) for betas[1] but received 1.5')],
];

describe('hyper-parameter checks', () => {
  it.each(BAD)('%s %j', (name, options, error) => {
    expect(() => make[name](options)).toThrow(error);
  });

  it('checks every group, and values changed between steps at the next step', () => {
    expect(() => new optim.Adam([{ params: p() }, { params: p(), lr: -1 }])).toThrow(
      new RangeError('Adam: Expected a finite number >= 0 for lr but received -1'));
    const theta = parameter(THETA0);
    const opt = new optim.SGD([theta], { lr: 0.1, momentum: 0.9, nesterov: true });
    opt.paramGroups[0]!.momentum = 0;
    loss(theta).backward();
    const before = Array.from(theta.data);
    expect(() => opt.step()).toThrow(/Expected momentum > 0 and dampening = 0 for nesterov/);
    expect(Array.from(theta.data)).toEqual(before);
    expect(opt.state.size).toBe(0);
  });

  it('refuses unknown options and group options (typos), naming the known ones', () => {
    expect(() => new optim.Adam(p(), { beta1: 0.9 } as never)).toThrow(
      new TypeError('Adam: Expected options among lr, betas, eps, weightDecay, amsgrad, biasCorrection but received "beta1"'));
    expect(() => new optim.SGD([{ params: p(), learningRate: 0.1 } as never])).toThrow(
      new TypeError('SGD: Expected parameter-group options among lr, momentum, dampening, nesterov, weightDecay but received "learningRate"'));
    expect(() => new optim.RMSprop(p(), 0.01 as never)).toThrow(new TypeError('RMSprop: Expected an options object but received 0.01'));
  });

  it('refuses parameters that are not tensors, and gradients of the wrong dtype or size', () => {
    expect(() => new optim.SGD([parameter([1]), 2 as never])).toThrow(new TypeError('SGD: Expected Tensors as parameters but received 2'));
    const theta = parameter([1, 2]);
    const opt = new optim.Adam([theta]);
    theta.grad = parameter([1, 2, 3]);
    expect(() => opt.step()).toThrow(new TypeError('Adam.step: Expected a float32 gradient of 2 values for a parameter of shape [2] but received float32 with 3'));
    theta.grad = parameter([1, 2], 'float64');
    expect(() => opt.step()).toThrow(/Expected a float32 gradient of 2 values .* but received float64 with 2/);
  });

  it('the defaults are PyTorch\'s (and the notes\' where they agree); undefined means the default', () => {
    const group = (o: optim.Optimizer) => { const { params: _p, ...hyper } = o.paramGroups[0]!; return hyper; };
    expect(group(new optim.SGD(p()))).toEqual({ lr: 1e-3, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0 });
    expect(group(new optim.Adagrad(p()))).toEqual({ lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10 });
    expect(group(new optim.RMSprop(p()))).toEqual({ lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false });
    expect(group(new optim.Adadelta(p()))).toEqual({ lr: 1, rho: 0.9, eps: 1e-6, weightDecay: 0 });
    expect(group(new optim.Adam(p()))).toEqual({ lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, biasCorrection: true });
    expect(group(new optim.AdamW(p()))).toEqual({ lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 1e-2, amsgrad: false, biasCorrection: true });
    expect(group(new optim.Adamax(p()))).toEqual({ lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0 });
    expect(group(new optim.NAdam(p()))).toEqual({ lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, momentumDecay: 4e-3 });
    // An option or group option set to undefined keeps its default.
    expect(new optim.Adam(p(), { lr: undefined, eps: 1e-6 }).paramGroups[0]!.lr).toBe(1e-3);
    expect(new optim.Adam([{ params: p(), lr: undefined }], { lr: 0.1 }).paramGroups[0]!.lr).toBe(0.1);
  });
});

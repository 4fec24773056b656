// float64 gradcheck (every element, centered differences) of conv2d, the poolings, batchNorm2d
// and dropout2d over random configurations, and of a small CNN end to end.
import { describe, expect, it } from 'vitest';
import { type Tensor, getRngState, gradcheck, manualSeed, nn, randn, setRngState } from '../../lib';
import { convConfigs, describeConv, describePool, poolConfigs } from './conv-configs';

const F = nn.functional;
const f64 = { dtype: 'float64' as const, requiresGrad: true as const };

function check(fn: (...t: Tensor[]) => Tensor, inputs: Tensor[]): void {
  const result = gradcheck(fn, inputs);
  expect(result.ok, result.message).toBe(true);
  expect(result.checked).toBe(inputs.filter((t) => t.requiresGrad).reduce((s, t) => s + t.size, 0));
}

describe('conv2d gradcheck (float64)', () => {
  it.each(convConfigs(16, 11).map((c) => [describeConv(c), c] as const))('%s', (_, c) => {
    manualSeed(1);
    const inputs = [randn(c.x, f64), randn(c.weight, f64), ...(c.bias ? [randn([c.weight[0]], f64)] : [])];
    check((x, w, b) => F.conv2d(x!, w!, b ?? null, c.options), inputs);
  });

  it('with the fused ReLU', () => {
    manualSeed(2);
    check((x, w, b) => F.conv2d(x!, w!, b!, { padding: 1, stride: 2, activation: 'relu' }), [randn([2, 3, 7, 6], f64), randn([4, 3, 3, 3], f64), randn([4], f64)]);
  });

  it('of an unbatched [C, H, W] input', () => {
    manualSeed(3);
    check((x, w) => F.conv2d(x!, w!, null, { padding: 'same', dilation: 2 }), [randn([2, 5, 6], f64), randn([3, 2, 2, 3], f64)]);
  });
});

describe('pooling gradcheck (float64)', () => {
  const configs = poolConfigs(10, 21);
  it.each(configs.map((c) => [describePool(c), c] as const))('maxPool2d %s', (_, c) => {
    manualSeed(4);
    check((x) => F.maxPool2d(x!, c), [randn(c.x, f64)]);
  });
  it.each(configs.map((c) => [describePool(c), c] as const))('avgPool2d %s', (_, c) => {
    manualSeed(5);
    const { dilation: _dilation, ...options } = c;
    check((x) => F.avgPool2d(x!, options), [randn(c.x, f64)]);
  });
  it.each([
    [[2, 3, 7, 5], [3, 2]], [[1, 2, 6, 6], 1], [[2, 1, 5, 9], [4, null]], [[1, 2, 3, 4], [5, 7]],
  ] as const)('adaptiveAvgPool2d of %j to %j', (shape, size) => {
    manualSeed(6);
    check((x) => F.adaptiveAvgPool2d(x!, size), [randn(shape, f64)]);
  });
});

describe('batchNorm2d and dropout2d gradcheck (float64)', () => {
  it('batchNorm2d in training, with γ and β', () => {
    manualSeed(7);
    check((x, g, b) => F.batchNorm2d(x!, { weight: g!, bias: b! }), [randn([3, 2, 3, 4], f64), randn([2], f64), randn([2], f64)]);
  });
  it('batchNorm2d in evaluation', () => {
    manualSeed(8);
    const runningMean = Float64Array.of(0.3, -0.2, 1);
    const runningVar = Float64Array.of(0.5, 2, 1.5);
    check((x, g, b) => F.batchNorm2d(x!, { weight: g!, bias: b!, training: false, runningMean, runningVar }), [randn([2, 3, 2, 3], f64), randn([3], f64), randn([3], f64)]);
  });
  it('dropout2d with a fixed mask', () => {
    manualSeed(9);
    const state = getRngState();
    check((x) => {
      setRngState(state);
      return F.dropout2d(x!, 0.5);
    }, [randn([3, 4, 3, 2], f64)]);
  });
});

it('gradcheck of a small CNN: conv, BatchNorm2d, ReLU, max pool, depthwise conv, avg pool, flatten, linear', () => {
  manualSeed(10);
  const inputs = [
    randn([2, 2, 8, 7], f64), randn([4, 2, 3, 3], f64), randn([4], f64), randn([4], f64), randn([4], f64),
    randn([4, 1, 3, 3], f64), randn([3, 16], f64), randn([3], f64),
  ];
  check((x, w1, b1, g, beta, wd, wl, bl) => {
    let h = F.conv2d(x!, w1!, b1!, { padding: 1 });
    h = F.relu(F.batchNorm2d(h, { weight: g!, bias: beta! }));
    h = F.maxPool2d(h, { kernelSize: 2 });
    h = F.conv2d(h, wd!, null, { groups: 4, padding: 'same' });
    h = F.adaptiveAvgPool2d(h, 2);
    return F.linear(h.reshape(2, 16), wl!, bl!);
  }, inputs);
});

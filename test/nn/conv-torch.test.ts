// Conv2d, the poolings and BatchNorm2d against PyTorch 1.13 (/usr/bin/python3, python3-torch)
// on the same inputs and weights: the output and every gradient within 1e-4 of the largest
// magnitude of PyTorch's tensor (max |ours − theirs| / max |theirs|, per tensor), float32 on
// the backend in use against PyTorch in float64, over random configurations.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { type Tensor, manualSeed, nn, randn } from '../../lib';
import { describeWithPeers } from '../peers';
import { type ConvConfig, NAMED_CONV_CONFIGS, type PoolConfig, convConfigs, describeConv, describePool, poolConfigs } from './conv-configs';

const F = nn.functional;
const list = (t: Tensor | Float32Array) => Array.from(t instanceof Float32Array ? t : t.data);

/** max |a − b| / max |b| ≤ tol, with the worst element in the message. */
function expectRelative(actual: ArrayLike<number>, expected: readonly number[], tol: number, what: string): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  let scale = 0;
  for (const v of expected) scale = Math.max(scale, Math.abs(v));
  let worst = 0;
  let at = -1;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i]! - expected[i]!);
    if (!(d <= worst)) {
      worst = d;
      at = i;
    }
  }
  const relative = worst / Math.max(scale, Number.MIN_VALUE);
  expect(relative <= tol, `${what}: max error ${worst} = ${relative} of max |torch| ${scale} at ${at} (ours ${actual[at]}, torch ${expected[at]})`).toBe(true);
}

interface Case {
  label: string;
  spec: Record<string, unknown>;
  /** Our results by the names the script uses. */
  ours: Record<string, ArrayLike<number>>;
  shape: readonly number[];
}

function convCase(c: ConvConfig, activation: 'none' | 'relu'): Case {
  const x = randn(c.x, { requiresGrad: true });
  const w = randn(c.weight, { requiresGrad: true });
  const b = c.bias ? randn([c.weight[0]], { requiresGrad: true }) : null;
  const y = F.conv2d(x, w, b, { ...c.options, activation });
  const gy = randn(y.shape);
  y.mul(gy).sum().backward();
  return {
    label: `conv2d ${describeConv(c)}${activation === 'relu' ? ' + relu' : ''}`,
    spec: {
      op: 'conv2d', x: list(x), xShape: c.x, weight: list(w), weightShape: c.weight, bias: b ? list(b) : null,
      options: { ...c.options, activation }, gy: list(gy),
    },
    ours: { y: y.data, dx: x.grad!.data, dweight: w.grad!.data, ...(b ? { dbias: b.grad!.data } : {}) },
    shape: y.shape,
  };
}

function poolCase(op: 'maxPool2d' | 'avgPool2d', c: PoolConfig): Case {
  const x = randn(c.x, { requiresGrad: true });
  const { dilation, ...avg } = c;
  const y = op === 'maxPool2d' ? F.maxPool2d(x, c) : F.avgPool2d(x, avg);
  const gy = randn(y.shape);
  y.mul(gy).sum().backward();
  return {
    label: `${op} ${describePool(op === 'maxPool2d' ? c : { ...c, dilation: [1, 1] })}`,
    spec: { op, x: list(x), xShape: c.x, options: { ...c, dilation }, gy: list(gy) },
    ours: { y: y.data, dx: x.grad!.data },
    shape: y.shape,
  };
}

function adaptiveCase(shape: [number, number, number, number], outputSize: number | [number | null, number | null]): Case {
  const x = randn(shape, { requiresGrad: true });
  const y = F.adaptiveAvgPool2d(x, outputSize);
  const gy = randn(y.shape);
  y.mul(gy).sum().backward();
  return {
    label: `adaptiveAvgPool2d ${JSON.stringify(shape)} to ${JSON.stringify(outputSize)}`,
    spec: { op: 'adaptiveAvgPool2d', x: list(x), xShape: shape, options: { outputSize }, gy: list(gy) },
    ours: { y: y.data, dx: x.grad!.data },
    shape: y.shape,
  };
}

function batchNormCase(shape: [number, number, number, number], eps: number, momentum: number): Case {
  const bn = new nn.BatchNorm2d(shape[1], { eps, momentum });
  bn.weight!.data.set(randn([shape[1]]).data);
  bn.bias!.data.set(randn([shape[1]]).data);
  const x = randn(shape, { requiresGrad: true, mean: 1.5, std: 2 });
  const y = bn.call(x);
  const gy = randn(y.shape);
  y.mul(gy).sum().backward();
  const x2 = randn(shape);
  const evaluated = bn.eval().call(x2);
  return {
    label: `BatchNorm2d ${JSON.stringify(shape)} eps ${eps} momentum ${momentum}`,
    spec: {
      op: 'batchNorm2d', x: list(x), xShape: shape, x2: list(x2), gamma: list(bn.weight!), beta: list(bn.bias!),
      options: { eps, momentum }, gy: list(gy),
    },
    ours: {
      y: y.data, dx: x.grad!.data, dgamma: bn.weight!.grad!.data, dbeta: bn.bias!.grad!.data,
      runningMean: bn.runningMean!.data, runningVar: bn.runningVar!.data, eval: evaluated.data,
    },
    shape: y.shape,
  };
}

/** 34 convolutions, 20 poolings, 4 adaptive poolings, 2 batch norms. */
const CASE_COUNT = 60;

function buildCases(): Case[] {
  manualSeed(2025);
  const cases: Case[] = [];
  convConfigs(24, 5).forEach((c, i) => cases.push(convCase(c, i % 6 === 5 ? 'relu' : 'none')));
  // Bigger ones, where the native kernels take their blocked paths.
  for (const c of convConfigs(4, 6, 4)) cases.push(convCase(c, 'none'));
  NAMED_CONV_CONFIGS.forEach((c, i) => cases.push(convCase(c, i === 3 ? 'relu' : 'none')));
  for (const c of poolConfigs(10, 7)) cases.push(poolCase('maxPool2d', c));
  for (const c of poolConfigs(10, 8)) cases.push(poolCase('avgPool2d', c));
  cases.push(adaptiveCase([2, 3, 7, 5], [3, 2]), adaptiveCase([1, 4, 9, 9], 1), adaptiveCase([2, 2, 5, 11], [4, null]), adaptiveCase([1, 2, 3, 4], [5, 7]));
  cases.push(batchNormCase([4, 3, 5, 6], 1e-5, 0.1), batchNormCase([2, 5, 3, 3], 1e-3, 0.3));
  return cases;
}

describeWithPeers('torch', 'convolution, pooling and BatchNorm2d match PyTorch', () => {
  let cases: Case[] = [];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let wanted: any[] = [];
  beforeAll(() => {
    cases = buildCases();
    const script = join(__dirname, 'torch-conv.py');
    wanted = JSON.parse(execFileSync('/usr/bin/python3', [script], { input: JSON.stringify(cases.map((c) => c.spec)), encoding: 'utf8', maxBuffer: 1 << 28 }));
  }, 300_000);

  it('compares at least 20 convolution configurations', () => {
    expect(cases.filter((c) => c.spec['op'] === 'conv2d').length).toBeGreaterThanOrEqual(20);
  });

  it.each(Array.from({ length: CASE_COUNT }, (_, i) => i))('case %i: output and every gradient within 1e-4', (i) => {
    const c = cases[i]!;
    const want = wanted[i];
    expect(c.shape, `${c.label}: output shape`).toEqual(want.shape);
    for (const [name, values] of Object.entries(c.ours)) expectRelative(values, want[name], 1e-4, `${c.label}: ${name}`);
  });

  it('covers every case', () => {
    expect(cases.length).toBe(CASE_COUNT);
  });
});

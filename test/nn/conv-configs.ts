// Random convolution and pooling configurations for the gradient checks and the PyTorch
// comparisons: odd sizes, strides above 1, dilation, asymmetric and 'same' padding, groups and
// depthwise, with and without bias. Drawn from a fixed seed, so every run tests the same ones.
import type { Conv2dOptions } from '../../lib/autograd/ops/conv';
import { convGeometry, outputSize } from '../../lib/autograd/ops/conv-geometry';

export interface ConvConfig {
  x: [number, number, number, number];
  weight: [number, number, number, number];
  bias: boolean;
  options: Conv2dOptions & { stride: [number, number]; padding: [number, number] | 'same' | 'valid'; dilation: [number, number]; groups: number };
}

export interface PoolConfig {
  x: [number, number, number, number];
  kernelSize: [number, number];
  stride: [number, number];
  padding: [number, number];
  dilation: [number, number];
  ceilMode: boolean;
  countIncludePad: boolean;
  divisorOverride: number | null;
}

/** A small deterministic generator (mulberry32): configurations, not tensor values. */
export function generator(seed: number): (low: number, high: number) => number {
  let a = seed >>> 0;
  return (low, high) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const u = ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
    return low + Math.floor(u * (high - low + 1));
  };
}

/** count valid convolutions: their output has at least one position. `scale` grows the sizes. */
export function convConfigs(count: number, seed: number, scale = 1): ConvConfig[] {
  const int = generator(seed);
  const out: ConvConfig[] = [];
  while (out.length < count) {
    const groupsKind = int(0, 3); // 0, 1: groups 1; 2: grouped; 3: depthwise
    const groups = groupsKind < 2 ? 1 : groupsKind === 2 ? int(2, 3) : int(2, 4);
    const perGroupIn = groupsKind === 3 ? 1 : int(1, 3);
    const c = perGroupIn * groups;
    const outC = groups * (groupsKind === 3 ? int(1, 2) : int(1, 3));
    const kernel: [number, number] = [int(1, 4), int(1, 4)];
    const dilation: [number, number] = int(0, 3) === 0 ? [int(1, 3), int(1, 2)] : [1, 1];
    const same = int(0, 4) === 0;
    const stride: [number, number] = same ? [1, 1] : [int(1, 3), int(1, 2)];
    const padding: ConvConfig['options']['padding'] = same ? 'same' : int(0, 5) === 0 ? 'valid' : [int(0, 2), int(0, 2)];
    const x: ConvConfig['x'] = [int(1, 3), c, int(3, 9) * scale, int(3, 9) * scale];
    const weight: ConvConfig['weight'] = [outC, perGroupIn, ...kernel];
    const options = { stride, padding, dilation, groups };
    try {
      convGeometry('config', x, weight, options);
    } catch {
      continue; // the kernel does not fit: the error tests cover that
    }
    out.push({ x, weight, bias: int(0, 3) !== 0, options });
  }
  return out;
}

export function poolConfigs(count: number, seed: number): PoolConfig[] {
  const int = generator(seed);
  const out: PoolConfig[] = [];
  while (out.length < count) {
    const kernelSize: [number, number] = [int(1, 4), int(1, 4)];
    const stride: [number, number] = [int(1, 3), int(1, 3)];
    const padding: [number, number] = [int(0, Math.floor(kernelSize[0] / 2)), int(0, Math.floor(kernelSize[1] / 2))];
    const dilation: [number, number] = int(0, 3) === 0 ? [int(1, 2), int(1, 2)] : [1, 1];
    const ceilMode = int(0, 1) === 1;
    const x: PoolConfig['x'] = [int(1, 2), int(1, 3), int(3, 9), int(3, 9)];
    const oh = outputSize(x[2], kernelSize[0], stride[0], padding[0], padding[0], dilation[0], ceilMode);
    const ow = outputSize(x[3], kernelSize[1], stride[1], padding[1], padding[1], dilation[1], ceilMode);
    if (oh <= 0 || ow <= 0) continue;
    out.push({ x, kernelSize, stride, padding, dilation, ceilMode, countIncludePad: int(0, 2) !== 0, divisorOverride: int(0, 4) === 0 ? int(1, 7) : null });
  }
  return out;
}

export function describeConv(c: ConvConfig): string {
  const o = c.options;
  return `x ${JSON.stringify(c.x)} w ${JSON.stringify(c.weight)} stride ${o.stride} padding ${JSON.stringify(o.padding)} dilation ${o.dilation} groups ${o.groups}${c.bias ? '' : ' no bias'}`;
}

export function describePool(c: PoolConfig): string {
  return `x ${JSON.stringify(c.x)} k ${c.kernelSize} stride ${c.stride} padding ${c.padding} dilation ${c.dilation}${c.ceilMode ? ' ceil' : ''}${c.countIncludePad ? '' : ' excludePad'}${c.divisorOverride ? ` divisor ${c.divisorOverride}` : ''}`;
}

const conv = (x: ConvConfig['x'], weight: ConvConfig['weight'], options: Partial<ConvConfig['options']>, bias = true): ConvConfig => ({
  x, weight, bias, options: { stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1, ...options },
});

/** Shapes worth naming: 'same' with even kernels (padded more at the bottom and right), typical CNN layers. */
export const NAMED_CONV_CONFIGS: ConvConfig[] = [
  conv([2, 3, 7, 8], [4, 3, 2, 4], { padding: 'same' }),
  conv([1, 2, 6, 5], [3, 2, 4, 3], { padding: 'same', dilation: [1, 2] }, false),
  conv([2, 4, 9, 9], [4, 1, 3, 3], { stride: [2, 2], padding: [1, 1], groups: 4 }),
  conv([2, 3, 11, 10], [5, 3, 5, 5], { padding: [2, 2] }),
  conv([2, 6, 5, 7], [4, 6, 1, 1], {}),
  conv([1, 4, 8, 8], [6, 2, 3, 3], { padding: 'same', groups: 2 }),
];

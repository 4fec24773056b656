/** Pooling layers: MaxPool2d, AvgPool2d, AdaptiveAvgPool2d (PyTorch's names and defaults). */
import type { Pair } from '../../autograd/ops/conv-geometry';
import { pair } from '../../autograd/ops/conv-geometry';
import type { AdaptiveSize } from '../../autograd/ops/pool';
import { adaptiveAvgPool2d, avgPool2d, maxPool2d } from '../../autograd/ops/pool';
import type { Tensor } from '../../autograd/tensor';
import { formatShape } from '../../autograd/tensor';
import { Module } from '../module';

export interface MaxPool2dOptions {
  /** Default: the kernel size. */
  stride?: Pair | null;
  /** Implicit −∞ padding, at most half the kernel (default 0). */
  padding?: Pair;
  dilation?: Pair;
  /** Round the output size up (a last, partial window) instead of down (default false). */
  ceilMode?: boolean;
}

export interface AvgPool2dOptions {
  stride?: Pair | null;
  padding?: Pair;
  ceilMode?: boolean;
  /** Count the zero padding in each window's divisor (default true). */
  countIncludePad?: boolean;
  /** Divide each window's sum by this instead (default null). */
  divisorOverride?: number | null;
}

function checkFlag(label: string, name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new TypeError(`${label}: Expected a boolean for ${name} but received ${typeof value}`);
  return value;
}

/** The pooling options checked once, at construction, as PyTorch's modules would fail at their first call. */
interface Resolved {
  kernelSize: [number, number];
  stride: [number, number];
  padding: [number, number];
  dilation: [number, number];
  ceilMode: boolean;
}

function resolve(label: string, kernelSize: Pair, options: MaxPool2dOptions): Resolved {
  const k = pair(label, 'kernelSize', kernelSize, 1);
  const padding = pair(label, 'padding', options.padding ?? 0, 0);
  if (padding[0] > k[0] / 2 || padding[1] > k[1] / 2) {
    throw new RangeError(`${label}: Expected padding at most half the kernel size ${formatShape(k)} but received ${formatShape(padding)}`);
  }
  return {
    kernelSize: k, stride: pair(label, 'stride', options.stride ?? k, 1), padding,
    dilation: pair(label, 'dilation', options.dilation ?? 1, 1), ceilMode: checkFlag(label, 'ceilMode', options.ceilMode ?? false),
  };
}

export class MaxPool2d extends Module {
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];
  readonly dilation: [number, number];
  readonly ceilMode: boolean;

  constructor(kernelSize: Pair, options: MaxPool2dOptions = {}) {
    super();
    const r = resolve('MaxPool2d', kernelSize, options);
    this.kernelSize = r.kernelSize;
    this.stride = r.stride;
    this.padding = r.padding;
    this.dilation = r.dilation;
    this.ceilMode = r.ceilMode;
  }

  forward(x: Tensor): Tensor {
    return maxPool2d(x, {
      kernelSize: this.kernelSize, stride: this.stride, padding: this.padding, dilation: this.dilation,
      ceilMode: this.ceilMode, label: this.toString(),
    });
  }

  override toString(): string {
    return `MaxPool2d(kernelSize=${formatShape(this.kernelSize)}, stride=${formatShape(this.stride)}${this.padding[0] || this.padding[1] ? `, padding=${formatShape(this.padding)}` : ''}${this.ceilMode ? ', ceilMode' : ''})`;
  }
}

export class AvgPool2d extends Module {
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  readonly divisorOverride: number | null;

  constructor(kernelSize: Pair, options: AvgPool2dOptions = {}) {
    super();
    const r = resolve('AvgPool2d', kernelSize, options);
    this.kernelSize = r.kernelSize;
    this.stride = r.stride;
    this.padding = r.padding;
    this.ceilMode = r.ceilMode;
    this.countIncludePad = checkFlag('AvgPool2d', 'countIncludePad', options.countIncludePad ?? true);
    this.divisorOverride = options.divisorOverride ?? null;
    if (this.divisorOverride !== null && !(Number.isInteger(this.divisorOverride) && this.divisorOverride > 0)) {
      throw new RangeError(`AvgPool2d: Expected divisorOverride as a positive integer or null but received ${String(this.divisorOverride)}`);
    }
  }

  forward(x: Tensor): Tensor {
    return avgPool2d(x, {
      kernelSize: this.kernelSize, stride: this.stride, padding: this.padding, ceilMode: this.ceilMode,
      countIncludePad: this.countIncludePad, divisorOverride: this.divisorOverride, label: this.toString(),
    });
  }

  override toString(): string {
    return `AvgPool2d(kernelSize=${formatShape(this.kernelSize)}, stride=${formatShape(this.stride)}${this.padding[0] || this.padding[1] ? `, padding=${formatShape(this.padding)}` : ''})`;
  }
}

/** Averages over bins that give exactly outputSize ([1, 1]: global average pooling). */
export class AdaptiveAvgPool2d extends Module {
  constructor(readonly outputSize: AdaptiveSize) {
    super();
    const sizes = typeof outputSize === 'number' ? [outputSize] : Array.isArray(outputSize) && outputSize.length === 2 ? outputSize : [NaN];
    if (!sizes.every((s) => s === null || (Number.isInteger(s) && s >= 1))) {
      throw new RangeError(`AdaptiveAvgPool2d: Expected outputSize as a positive integer or a pair [h, w] (null keeps the input's) but received ${JSON.stringify(outputSize)}`);
    }
  }

  forward(x: Tensor): Tensor {
    return adaptiveAvgPool2d(x, this.outputSize, { label: this.toString() });
  }

  override toString(): string {
    return `AdaptiveAvgPool2d(${JSON.stringify(this.outputSize)})`;
  }
}

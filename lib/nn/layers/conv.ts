/** Conv2d: PyTorch's layer, shapes and defaults, with an optional fused ReLU. */
import { zeros } from '../../autograd/create';
import type { ConvActivation } from '../../autograd/ops/conv';
import { conv2d } from '../../autograd/ops/conv';
import type { Padding, Pair } from '../../autograd/ops/conv-geometry';
import { pair } from '../../autograd/ops/conv-geometry';
import type { DType, Tensor } from '../../autograd/tensor';
import { formatShape } from '../../autograd/tensor';
import { fans, uniform } from '../init';
import { Module } from '../module';
import { Parameter } from '../parameter';

export interface Conv2dOptions {
  /** Default 1. */
  stride?: Pair;
  /** Zero padding: an integer or [h, w] (default 0), 'valid' (none) or 'same' (output size = input size; stride 1 only). */
  padding?: Padding;
  /** Spacing between kernel taps (default 1). */
  dilation?: Pair;
  /** Channel groups (default 1); groups = inChannels is a depthwise convolution. */
  groups?: number;
  /** Whether the layer has a bias (default true). */
  bias?: boolean;
  /** 'relu' fuses max(·, 0) into the convolution's output pass (default 'none'). */
  activation?: ConvActivation;
  dtype?: DType;
}

function positive(label: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new RangeError(`${label}: Expected a positive integer for ${name} but received ${String(value)}`);
  }
  return value;
}

export class Conv2d extends Module {
  /** [outChannels, inChannels/groups, kH, kW], PyTorch's layout. */
  weight: Parameter;
  bias: Parameter | null;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number] | 'same' | 'valid';
  readonly dilation: [number, number];
  readonly groups: number;
  readonly activation: ConvActivation;

  /**
   * PyTorch's initialization: weight and bias uniform in ±1/√fanIn with fanIn =
   * (inChannels/groups)·kH·kW (kaiming_uniform with a = √5), from the seeded generator.
   */
  constructor(inChannels: number, outChannels: number, kernelSize: Pair, options: Conv2dOptions = {}) {
    super();
    const label = 'Conv2d';
    this.inChannels = positive(label, 'inChannels', inChannels);
    this.outChannels = positive(label, 'outChannels', outChannels);
    this.groups = positive(label, 'groups', options.groups ?? 1);
    if (inChannels % this.groups !== 0 || outChannels % this.groups !== 0) {
      throw new RangeError(`Conv2d(${inChannels}, ${outChannels}): Expected inChannels and outChannels divisible by groups but received groups = ${this.groups}`);
    }
    this.kernelSize = pair(label, 'kernelSize', kernelSize, 1);
    this.stride = pair(label, 'stride', options.stride ?? 1, 1);
    this.dilation = pair(label, 'dilation', options.dilation ?? 1, 1);
    const padding = options.padding ?? 0;
    if (padding === 'same' || padding === 'valid') this.padding = padding;
    else if (typeof padding === 'string') throw new RangeError(`Conv2d: Expected padding 'same', 'valid', an integer ≥ 0 or a pair of them but received '${padding}'`);
    else this.padding = pair(label, 'padding', padding, 0);
    if (this.padding === 'same' && (this.stride[0] !== 1 || this.stride[1] !== 1)) {
      throw new RangeError(`Conv2d: padding 'same' needs stride 1 (as in PyTorch) but received stride ${formatShape(this.stride)}`);
    }
    this.activation = options.activation ?? 'none';
    if (this.activation !== 'none' && this.activation !== 'relu') {
      throw new RangeError(`Conv2d: Expected activation 'none' or 'relu' but received ${JSON.stringify(this.activation)}`);
    }
    const dtype = options.dtype ?? 'float32';
    this.weight = new Parameter(zeros([outChannels, inChannels / this.groups, ...this.kernelSize], { dtype }));
    this.bias = options.bias === false ? null : new Parameter(zeros([outChannels], { dtype }));
    const bound = 1 / Math.sqrt(fans(this.weight).fanIn);
    uniform(this.weight, -bound, bound);
    if (this.bias) uniform(this.bias, -bound, bound);
  }

  forward(x: Tensor): Tensor {
    return conv2d(x, this.weight, this.bias, {
      stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups,
      activation: this.activation, label: this.toString(),
    });
  }

  override toString(): string {
    const parts = [`${this.inChannels}`, `${this.outChannels}`, `kernelSize=${formatShape(this.kernelSize)}`];
    if (this.stride[0] !== 1 || this.stride[1] !== 1) parts.push(`stride=${formatShape(this.stride)}`);
    if (typeof this.padding === 'string') parts.push(`padding=${this.padding}`);
    else if (this.padding[0] !== 0 || this.padding[1] !== 0) parts.push(`padding=${formatShape(this.padding)}`);
    if (this.dilation[0] !== 1 || this.dilation[1] !== 1) parts.push(`dilation=${formatShape(this.dilation)}`);
    if (this.groups !== 1) parts.push(`groups=${this.groups}`);
    if (!this.bias) parts.push('bias=false');
    if (this.activation !== 'none') parts.push(this.activation);
    return `Conv2d(${parts.join(', ')})`;
  }
}

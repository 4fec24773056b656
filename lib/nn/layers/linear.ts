/** Linear: y = x·Wᵀ + b, optionally with a fused ReLU or Leaky ReLU. */
import type { DType, Tensor } from '../../autograd/tensor';
import { zeros } from '../../autograd/create';
import { type LinearActivation, linear } from '../functional/linear';
import { uniform } from '../init';
import { Module } from '../module';
import { Parameter } from '../parameter';

export interface LinearOptions {
  /** Whether the layer has a bias (default true). */
  bias?: boolean;
  /** An activation fused into the GEMM's output pass (default 'none'). */
  activation?: LinearActivation;
  /** Leaky ReLU's slope when activation is 'leakyRelu' (default 0.01). */
  slope?: number;
  dtype?: DType;
}

function checkFeatures(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new RangeError(`Linear: Expected a positive integer for ${name} but received ${String(value)}`);
  }
  return value;
}

export class Linear extends Module {
  /** [outFeatures, inFeatures], PyTorch's layout. */
  weight: Parameter;
  bias: Parameter | null;
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly activation: LinearActivation;
  readonly slope: number;

  /** PyTorch's initialization: weight and bias uniform in ±1/√inFeatures, from the seeded generator. */
  constructor(inFeatures: number, outFeatures: number, options: LinearOptions = {}) {
    super();
    this.inFeatures = checkFeatures('inFeatures', inFeatures);
    this.outFeatures = checkFeatures('outFeatures', outFeatures);
    this.activation = options.activation ?? 'none';
    this.slope = options.slope ?? 0.01;
    const dtype = options.dtype ?? 'float32';
    const bound = 1 / Math.sqrt(inFeatures);
    this.weight = new Parameter(zeros([outFeatures, inFeatures], { dtype }));
    this.bias = options.bias === false ? null : new Parameter(zeros([outFeatures], { dtype }));
    uniform(this.weight, -bound, bound);
    if (this.bias) uniform(this.bias, -bound, bound);
  }

  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias, this.activation, this.slope);
  }

  override toString(): string {
    return `Linear(${this.inFeatures}, ${this.outFeatures}${this.bias ? '' : ', bias=false'}${this.activation === 'none' ? '' : `, ${this.activation}`})`;
  }
}

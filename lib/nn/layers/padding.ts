/**
 * Padding layers with PyTorch's names and arguments: ZeroPad2d, ConstantPad2d, ReflectionPad2d
 * and ReplicationPad2d pad the last two dimensions of [N, C, H, W] (or [C, H, W]); a padding is
 * one number for all four sides or [left, right, top, bottom].
 */
import { type PadMode, pad } from '../../autograd/ops/pad';
import type { Tensor } from '../../autograd/tensor';
import { formatShape } from '../../autograd/tensor';
import { Module } from '../module';

export type Padding2d = number | readonly [number, number, number, number];

/** The four sides of a 2-D padding: [left, right, top, bottom]. */
function sides(layer: string, padding: Padding2d): [number, number, number, number] {
  const four = typeof padding === 'number' ? [padding, padding, padding, padding] : padding;
  if (!Array.isArray(four) || four.length !== 4 || !four.every((p) => Number.isSafeInteger(p) && p >= 0)) {
    throw new RangeError(`${layer}: Expected padding as a non-negative integer or [left, right, top, bottom] but received ${JSON.stringify(padding)}`);
  }
  return [four[0]!, four[1]!, four[2]!, four[3]!];
}

/** What the four padding layers share; exported so ONNX export has one entry for them. */
export abstract class Pad2d extends Module {
  readonly padding: readonly [number, number, number, number];

  constructor(readonly layerName: string, padding: Padding2d, readonly mode: PadMode, readonly value = 0) {
    super();
    this.padding = sides(layerName, padding);
  }

  forward(x: Tensor): Tensor {
    if (x.ndim !== 3 && x.ndim !== 4) throw new RangeError(`${this.layerName}: Expected a 3-D [C, H, W] or 4-D [N, C, H, W] input but received ${formatShape(x.shape)}`);
    try {
      return pad(x, this.padding, { mode: this.mode, value: this.value });
    } catch (error) {
      throw new RangeError(`${this.layerName}: ${(error as Error).message.replace(/^pad: /, '')}`);
    }
  }

  override toString(): string {
    return `${this.layerName}([${this.padding.join(', ')}]${this.mode === 'constant' && this.value !== 0 ? `, ${this.value}` : ''})`;
  }
}

/** Zeros around the last two dimensions. */
export class ZeroPad2d extends Pad2d {
  constructor(padding: Padding2d) {
    super('ZeroPad2d', padding, 'constant');
  }
}

/** `value` around the last two dimensions. */
export class ConstantPad2d extends Pad2d {
  constructor(padding: Padding2d, value: number) {
    if (typeof value !== 'number') throw new TypeError(`ConstantPad2d: Expected a number value but received ${typeof value}`);
    super('ConstantPad2d', padding, 'constant', value);
  }
}

/** The rows and columns next to the edge, mirrored (the edge itself not repeated). */
export class ReflectionPad2d extends Pad2d {
  constructor(padding: Padding2d) {
    super('ReflectionPad2d', padding, 'reflect');
  }
}

/** The edge rows and columns, repeated. */
export class ReplicationPad2d extends Pad2d {
  constructor(padding: Padding2d) {
    super('ReplicationPad2d', padding, 'replicate');
  }
}

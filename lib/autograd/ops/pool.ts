/**
 * 2-D pooling over [N, C, H, W] (or unbatched [C, H, W]), as PyTorch's F.max_pool2d,
 * F.avg_pool2d and F.adaptive_avg_pool2d: each plane on its own, the same window everywhere.
 * Attributes: kernelSize, stride, padding, ceilMode, and dilation (max), countIncludePad and
 * divisorOverride (average), outputSize (adaptive), each a number or an [h, w] pair.
 */
import { record } from '../record';
import { Tensor, allocateIndices, allocateOutput, formatShape, kernelsFor } from '../tensor';
import type { PoolShapeOptions } from './conv-geometry';
import { checkSpatialInput, pair, poolGeometry, spatialShape } from './conv-geometry';
import { checkTensor } from './unary';

interface Labelled {
  /** How errors name the caller (the layer); default the function's name. */
  label?: string;
}

export interface MaxPool2dOptions extends PoolShapeOptions, Labelled {}

/**
 * The largest value of each window and where it was (iy·W + ix within its plane, as PyTorch).
 * Inside a BufferPool step the indices come from the pool, like the output: valid until its next reclaim.
 */
export function maxPool2dWithIndices(x: Tensor, options: MaxPool2dOptions): { output: Tensor; indices: Int32Array } {
  const label = options.label ?? 'maxPool2d';
  checkTensor(label, x);
  const g = poolGeometry(label, x.shape, options);
  const planes = g.n * g.c;
  const shape = spatialShape(g, g.c, g.oh, g.ow);
  const y = allocateOutput(shape, x.dtype);
  const indices = allocateIndices(planes * g.oh * g.ow); // every entry written by the kernel
  const { h, w, oh, ow } = g;
  const kernels = kernelsFor(x.dtype);
  kernels.maxPool2d(x.data, planes, h, w, g.kh, g.kw, g.strideH, g.strideW, g.padH, g.padW, g.dilationH, g.dilationW, g.ceilMode, y, indices);
  const attributes = {
    kernelSize: [g.kh, g.kw], stride: [g.strideH, g.strideW], padding: [g.padH, g.padW],
    dilation: [g.dilationH, g.dilationW], ceilMode: g.ceilMode,
  };
  const output = record('maxPool2d', attributes, [x], y, shape, (grad) => {
    const dx = allocateOutput(x.shape, x.dtype);
    kernels.maxPool2dBackward(grad, indices, planes, h, w, oh, ow, dx);
    return [dx];
  });
  return { output, indices };
}

/** The largest value of each window; the gradient goes to the position that held it. */
export function maxPool2d(x: Tensor, options: MaxPool2dOptions): Tensor {
  return maxPool2dWithIndices(x, { label: 'maxPool2d', ...options }).output;
}

export interface AvgPool2dOptions extends Omit<PoolShapeOptions, 'dilation'>, Labelled {
  /** Count the zero padding in each window's divisor (default true, as PyTorch). */
  countIncludePad?: boolean;
  /** Divide every window's sum by this instead (default null). */
  divisorOverride?: number | null;
}

/** The mean of each window (see countIncludePad and divisorOverride for the divisor). */
export function avgPool2d(x: Tensor, options: AvgPool2dOptions): Tensor {
  const label = options.label ?? 'avgPool2d';
  checkTensor(label, x);
  if ('dilation' in options) throw new RangeError(`${label}: Expected no dilation (average pooling has none, as in PyTorch)`);
  const g = poolGeometry(label, x.shape, options);
  const countIncludePad = options.countIncludePad ?? true;
  if (typeof countIncludePad !== 'boolean') throw new TypeError(`${label}: Expected a boolean for countIncludePad but received ${typeof countIncludePad}`);
  const divisor = options.divisorOverride ?? 0;
  if (!Number.isInteger(divisor) || divisor < 0 || (options.divisorOverride != null && divisor === 0)) {
    throw new RangeError(`${label}: Expected divisorOverride as a positive integer or null but received ${String(options.divisorOverride)}`);
  }
  const planes = g.n * g.c;
  const shape = spatialShape(g, g.c, g.oh, g.ow);
  const y = allocateOutput(shape, x.dtype);
  const args = [planes, g.h, g.w, g.kh, g.kw, g.strideH, g.strideW, g.padH, g.padW, g.ceilMode, countIncludePad, divisor] as const;
  const kernels = kernelsFor(x.dtype);
  kernels.avgPool2d(x.data, ...args, y);
  const attributes = {
    kernelSize: [g.kh, g.kw], stride: [g.strideH, g.strideW], padding: [g.padH, g.padW], ceilMode: g.ceilMode,
    countIncludePad, divisorOverride: divisor === 0 ? null : divisor,
  };
  return record('avgPool2d', attributes, [x], y, shape, (grad) => {
    const dx = allocateOutput(x.shape, x.dtype);
    kernels.avgPool2dBackward(grad, ...args, dx);
    return [dx];
  });
}

/** An output size: one number for both, or [h, w] with null keeping the input's size. */
export type AdaptiveSize = number | readonly [number | null, number | null];

/** The mean over adaptive bins giving an output of exactly outputSize (1: global average pooling). */
export function adaptiveAvgPool2d(x: Tensor, outputSize: AdaptiveSize, options: Labelled = {}): Tensor {
  const label = options.label ?? 'adaptiveAvgPool2d';
  checkTensor(label, x);
  const g = checkSpatialInput(label, x.shape);
  const given = typeof outputSize === 'number' ? [outputSize, outputSize] : Array.isArray(outputSize) ? outputSize : null;
  if (!given || given.length !== 2) {
    throw new RangeError(`${label}: Expected outputSize as a positive integer or a pair [h, w] (null keeps the input's) but received ${JSON.stringify(outputSize)}`);
  }
  const [oh, ow] = pair(label, 'outputSize', [given[0] ?? g.h, given[1] ?? g.w], 1);
  if (g.h === 0 || g.w === 0) {
    throw new RangeError(`${label}: Expected an input with non-empty spatial dimensions but received ${formatShape(x.shape)}`);
  }
  const planes = g.n * g.c;
  const shape = spatialShape(g, g.c, oh, ow);
  const y = allocateOutput(shape, x.dtype);
  const kernels = kernelsFor(x.dtype);
  kernels.adaptiveAvgPool2d(x.data, planes, g.h, g.w, oh, ow, y);
  return record('adaptiveAvgPool2d', { outputSize: [oh, ow] }, [x], y, shape, (grad) => {
    const dx = allocateOutput(x.shape, x.dtype);
    kernels.adaptiveAvgPool2dBackward(grad, planes, g.h, g.w, oh, ow, dx);
    return [dx];
  });
}

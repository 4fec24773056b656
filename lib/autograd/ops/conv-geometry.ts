/**
 * The shape arithmetic of convolution and pooling, PyTorch's: options as numbers or [h, w]
 * pairs, output sizes, and the checks that name the layer, the shapes and what was expected.
 * Every op and layer of conv.ts and pool.ts goes through here before a kernel runs.
 */
import type { Shape } from '../tensor';
import { formatShape } from '../tensor';

export type Pair = number | readonly [number, number];
export type Padding = Pair | 'same' | 'valid';

/** A spatial input: [N, C, H, W], or [C, H, W] unbatched (N = 1, the output unbatched too). */
export interface SpatialInput {
  n: number;
  c: number;
  h: number;
  w: number;
  batched: boolean;
}

/** value as [h, w], each an integer ≥ min. */
export function pair(label: string, name: string, value: unknown, min: number): [number, number] {
  const both = typeof value === 'number' ? [value, value] : Array.isArray(value) && value.length === 2 ? value : null;
  if (!both || !both.every((v) => Number.isInteger(v) && v >= min)) {
    throw new RangeError(`${label}: Expected ${name} as an integer ≥ ${min} or a pair [h, w] of them but received ${JSON.stringify(value)}`);
  }
  return [both[0] as number, both[1] as number];
}

export function checkSpatialInput(label: string, shape: Shape, channels?: number): SpatialInput {
  const want = channels === undefined ? '[N, C, H, W] or [C, H, W]' : `[N, ${channels}, H, W] or [${channels}, H, W]`;
  if (shape.length !== 4 && shape.length !== 3) {
    throw new RangeError(`${label}: Expected a ${shape.length === 2 ? '' : '4-D '}input ${want} but received ${formatShape(shape)} (${shape.length}-D)`);
  }
  const batched = shape.length === 4;
  const [n, c, h, w] = batched ? (shape as [number, number, number, number]) : [1, ...(shape as [number, number, number])];
  if (channels !== undefined && c !== channels) {
    throw new RangeError(`${label}: Expected an input ${want} (${channels} channels) but received ${formatShape(shape)} with ${c}`);
  }
  return { n: n!, c: c!, h: h!, w: w!, batched };
}

/**
 * One spatial dimension's output size, floor((size + padBefore + padAfter − dilation·(taps − 1) − 1)/stride) + 1,
 * with ceil instead of floor in ceil mode (PyTorch's pooling rule: the last window must start
 * inside the input or the leading padding).
 */
export function outputSize(size: number, taps: number, stride: number, padBefore: number, padAfter: number, dilation: number, ceilMode = false): number {
  const span = size + padBefore + padAfter - dilation * (taps - 1) - 1;
  if (span < 0) return 0;
  let out = (ceilMode ? Math.ceil(span / stride) : Math.floor(span / stride)) + 1;
  if (ceilMode && (out - 1) * stride >= size + padBefore) out--;
  return out;
}

/** The error for a kernel that does not fit the padded input. */
function tooSmall(label: string, shape: Shape, padded: [number, number], kernel: [number, number], dilation: [number, number], padding: readonly number[]): RangeError {
  const effective = kernel.map((k, i) => dilation[i]! * (k - 1) + 1);
  return new RangeError(
    `${label}: input ${formatShape(shape)} with padding ${formatShape(padding)} is ${padded[0]}×${padded[1]}, smaller than the ` +
    `kernel ${kernel[0]}×${kernel[1]}${dilation[0] > 1 || dilation[1] > 1 ? ` dilated to ${effective[0]}×${effective[1]}` : ''}: ` +
    `expected every padded spatial size ≥ dilation·(kernelSize − 1) + 1, so the output has at least one row and column`,
  );
}

export interface ConvGeometry extends SpatialInput {
  outC: number;
  kh: number;
  kw: number;
  strideH: number;
  strideW: number;
  /** Top, left, bottom, right: asymmetric only for 'same' with an even dilated kernel. */
  pads: [number, number, number, number];
  dilationH: number;
  dilationW: number;
  groups: number;
  oh: number;
  ow: number;
}

export interface ConvShapeOptions {
  stride?: Pair;
  padding?: Padding;
  dilation?: Pair;
  groups?: number;
}

/** Checks x [N, C, H, W] against weight [outC, C/groups, kh, kw] and the options. */
export function convGeometry(label: string, xShape: Shape, wShape: Shape, options: ConvShapeOptions): ConvGeometry {
  const groups = options.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1) throw new RangeError(`${label}: Expected groups as a positive integer but received ${String(groups)}`);
  if (wShape.length !== 4) {
    throw new RangeError(`${label}: Expected a weight [outChannels, inChannels/groups, kH, kW] but received ${formatShape(wShape)} (${wShape.length}-D)`);
  }
  const [outC, cg, kh, kw] = wShape as [number, number, number, number];
  if (outC % groups !== 0) {
    throw new RangeError(`${label}: Expected outChannels divisible by groups = ${groups} but weight ${formatShape(wShape)} has ${outC}`);
  }
  const input = checkSpatialInput(label, xShape, cg * groups);
  const [strideH, strideW] = pair(label, 'stride', options.stride ?? 1, 1);
  const [dilationH, dilationW] = pair(label, 'dilation', options.dilation ?? 1, 1);
  const padding = options.padding ?? 0;
  let pads: [number, number, number, number];
  if (padding === 'valid') pads = [0, 0, 0, 0];
  else if (padding === 'same') {
    if (strideH !== 1 || strideW !== 1) {
      throw new RangeError(`${label}: padding 'same' needs stride 1 (as in PyTorch) but received stride [${strideH}, ${strideW}]`);
    }
    // PyTorch's split: the extra row or column of an even dilated kernel goes at the bottom/right.
    const th = dilationH * (kh - 1);
    const tw = dilationW * (kw - 1);
    pads = [Math.floor(th / 2), Math.floor(tw / 2), th - Math.floor(th / 2), tw - Math.floor(tw / 2)];
  } else {
    if (typeof padding === 'string') throw new RangeError(`${label}: Expected padding 'same', 'valid', an integer ≥ 0 or a pair of them but received '${padding}'`);
    const [ph, pw] = pair(label, 'padding', padding, 0);
    pads = [ph, pw, ph, pw];
  }
  const oh = outputSize(input.h, kh, strideH, pads[0], pads[2], dilationH);
  const ow = outputSize(input.w, kw, strideW, pads[1], pads[3], dilationW);
  if (oh <= 0 || ow <= 0) {
    throw tooSmall(label, xShape, [input.h + pads[0] + pads[2], input.w + pads[1] + pads[3]], [kh, kw], [dilationH, dilationW], pads[0] === pads[2] && pads[1] === pads[3] ? [pads[0], pads[1]] : pads);
  }
  return { ...input, outC, kh, kw, strideH, strideW, pads, dilationH, dilationW, groups, oh, ow };
}

export interface PoolShapeOptions {
  kernelSize: Pair;
  /** Default: the kernel size (PyTorch's stride=None). */
  stride?: Pair | null;
  padding?: Pair;
  dilation?: Pair;
  ceilMode?: boolean;
}

export interface PoolGeometry extends SpatialInput {
  kh: number;
  kw: number;
  strideH: number;
  strideW: number;
  padH: number;
  padW: number;
  dilationH: number;
  dilationW: number;
  ceilMode: boolean;
  oh: number;
  ow: number;
}

/** Checks a pooling input and options; padding at most half the kernel, as PyTorch requires. */
export function poolGeometry(label: string, xShape: Shape, options: PoolShapeOptions): PoolGeometry {
  const input = checkSpatialInput(label, xShape);
  const [kh, kw] = pair(label, 'kernelSize', options.kernelSize, 1);
  const [strideH, strideW] = pair(label, 'stride', options.stride ?? [kh, kw], 1);
  const [padH, padW] = pair(label, 'padding', options.padding ?? 0, 0);
  const [dilationH, dilationW] = pair(label, 'dilation', options.dilation ?? 1, 1);
  const ceilMode = options.ceilMode ?? false;
  if (typeof ceilMode !== 'boolean') throw new TypeError(`${label}: Expected a boolean for ceilMode but received ${typeof ceilMode}`);
  if (padH > kh / 2 || padW > kw / 2) {
    throw new RangeError(`${label}: Expected padding at most half the kernel size ${formatShape([kh, kw])} but received ${formatShape([padH, padW])}`);
  }
  const oh = outputSize(input.h, kh, strideH, padH, padH, dilationH, ceilMode);
  const ow = outputSize(input.w, kw, strideW, padW, padW, dilationW, ceilMode);
  if (oh <= 0 || ow <= 0) {
    throw tooSmall(label, xShape, [input.h + 2 * padH, input.w + 2 * padW], [kh, kw], [dilationH, dilationW], [padH, padW]);
  }
  return { ...input, kh, kw, strideH, strideW, padH, padW, dilationH, dilationW, ceilMode, oh, ow };
}

/** The output shape: batched like the input. */
export function spatialShape(g: SpatialInput, channels: number, oh: number, ow: number): number[] {
  return g.batched ? [g.n, channels, oh, ow] : [channels, oh, ow];
}

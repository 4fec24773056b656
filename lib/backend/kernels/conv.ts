/**
 * 2-D convolution (cross-correlation, as PyTorch's conv2d) over NCHW batches: the forward with
 * an optional bias and a fused ReLU, and the two backward kernels. x is [batch, inChannels,
 * height, width], weight [outChannels, inChannels/groups, kernelH, kernelW], y [batch,
 * outChannels, outH, outW]; padTop and padLeft place the window, padBottom and padRight only
 * lengthen the output (asymmetric padding: 'same' with an even kernel). Positions outside the
 * image read as zero. The reference sums in double and rounds once; the native kernels sum in
 * float32 (im2col + GEMM, or direct loops), in another order: within the declared bounds.
 * Outputs must not overlap any input.
 */
import { absolute, accumulationTolerance } from '../compare';
import { choice, index, input, kernel, output, type Arg } from '../declare';
import * as reference from '../reference/conv';

/** The geometry every convolution kernel takes after its input arrays, in this order. */
const geometry = [
  index('batch', { example: 2 }), index('inChannels', { example: 4 }), index('height', { example: 5 }), index('width', { example: 6 }),
  index('outChannels', { example: 6 }), index('kernelH', { min: 1, example: 3 }), index('kernelW', { min: 1, example: 2 }),
  index('strideH', { min: 1, example: 2 }), index('strideW', { min: 1, example: 1 }),
  index('padTop', { example: 1 }), index('padLeft', { example: 0 }), index('padBottom', { example: 0 }), index('padRight', { example: 1 }),
  index('dilationH', { min: 1, example: 1 }), index('dilationW', { min: 1, example: 2 }), index('groups', { min: 1, example: 2 }),
] as const;

const withGeometry = <I extends readonly Arg[], O extends readonly Arg[]>(inputs: I, outputs: O) => [...inputs, ...geometry, ...outputs] as const;

/** The channels of a group, the dilated window and the output grid; groups must divide both channel counts and the window fit. */
const grid = {
  derive: {
    groupIn: 'inChannels / groups', groupOut: 'outChannels / groups',
    spanH: 'dilationH*(kernelH-1) + 1', spanW: 'dilationW*(kernelW-1) + 1',
    outH: '(height + padTop + padBottom - spanH) / strideH + 1', outW: '(width + padLeft + padRight - spanW) / strideW + 1',
  },
  requires: [
    { that: 'groupIn*groups == inChannels', message: 'Expected inChannels divisible by groups = {groups} but received inChannels = {inChannels}' },
    { that: 'groupOut*groups == outChannels', message: 'Expected outChannels divisible by groups = {groups} but received outChannels = {outChannels}' },
    {
      that: 'spanH <= height + padTop + padBottom',
      message: 'Expected an output height of at least 1 (a window of dilationH*(kernelH-1)+1 = {spanH} rows within height+padTop+padBottom = {height + padTop + padBottom}) but the window does not fit',
    },
    {
      that: 'spanW <= width + padLeft + padRight',
      message: 'Expected an output width of at least 1 (a window of dilationW*(kernelW-1)+1 = {spanW} columns within width+padLeft+padRight = {width + padLeft + padRight}) but the window does not fit',
    },
  ],
};

const IMAGE = 'batch*inChannels*height*width';
const WEIGHT = 'outChannels*groupIn*kernelH*kernelW';
const OUT = 'batch*outChannels*outH*outW';

/** The 16 geometry numbers of a call. */
type Geometry = [number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number];
const geometryAt = (args: readonly unknown[], at: number) => args.slice(at, at + 16) as Geometry;

/**
 * How many terms each output's float32 sum has, per kernel: a forward output sums groupIn·kernelH·
 * kernelW products and the bias; a pixel of dx at most groupOut·kernelH·kernelW products (a GEMM
 * over groupOut, then col2im's kernelH·kernelW additions, or the direct loop's axpys); a weight
 * or bias batch·outH·outW products (GEMMs chunk after chunk, or lanes added in double).
 */
function sumLengths(g: Geometry) {
  const [batch, inChannels, height, width, outChannels, kernelH, kernelW, strideH, strideW, padTop, padLeft, padBottom, padRight, dilationH, dilationW, groups] = g;
  const outH = Math.floor((height + padTop + padBottom - dilationH * (kernelH - 1) - 1) / strideH) + 1;
  const outW = Math.floor((width + padLeft + padRight - dilationW * (kernelW - 1) - 1) / strideW) + 1;
  const taps = kernelH * kernelW;
  return { forward: (inChannels / groups) * taps + 1, data: (outChannels / groups) * taps + taps, weight: batch * outH * outW + batch };
}

export const CONV = {
  /**
   * y = act(conv(x, weight) + bias), bias of length outChannels or empty (none). activation
   * 'none' or 'relu' (max(v, 0); relu(±0) = 0, NaN passes through), fused into the output pass.
   */
  conv2d: kernel({
    args: withGeometry(
      [input('x', IMAGE), input('weight', WEIGHT), input('bias', { expr: 'outChannels', orEmpty: true })] as const,
      [choice('activation', ['none', 'relu'] as const), output('y', OUT)] as const,
    ),
    ...grid,
    reference: reference.conv2d,
    // The bound on Σ|x·w| + |bias| (the reference on absolute values), which ReLU does not enlarge.
    tolerance: (before, _output, rerun) => {
      const g = geometryAt(before, 3);
      const bound = new Float32Array(before[20].length);
      rerun(absolute(before[0]), absolute(before[1]), absolute(before[2]), ...g, 'none', bound);
      return accumulationTolerance(bound, sumLengths(g).forward);
    },
  }),
  /** dx = ∂L/∂x of conv2d given dy (of the product, before any activation); dx is written. */
  conv2dBackwardData: kernel({
    args: withGeometry([input('dy', OUT), input('weight', WEIGHT)] as const, [output('dx', IMAGE)] as const),
    ...grid,
    reference: reference.conv2dBackwardData,
    tolerance: (before, _output, rerun) => {
      const g = geometryAt(before, 2);
      const bound = new Float32Array(before[18].length);
      rerun(absolute(before[0]), absolute(before[1]), ...g, bound);
      return accumulationTolerance(bound, sumLengths(g).data);
    },
  }),
  /** dweight = ∂L/∂weight and dbias = Σ dy per output channel, given x and dy; both written. */
  conv2dBackwardWeight: kernel({
    args: withGeometry([input('x', IMAGE), input('dy', OUT)] as const, [output('dweight', WEIGHT), output('dbias', 'outChannels')] as const),
    ...grid,
    reference: reference.conv2dBackwardWeight,
    tolerance: (before, output, rerun) => {
      const g = geometryAt(before, 2);
      const [weight, bias] = [new Float32Array(before[18].length), new Float32Array(before[19].length)];
      rerun(absolute(before[0]), absolute(before[1]), ...g, weight, bias);
      return accumulationTolerance(output === 'dbias' ? bias : weight, sumLengths(g).weight);
    },
  }),
};

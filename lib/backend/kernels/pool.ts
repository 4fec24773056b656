/**
 * 2-D pooling over planes (an [N, C, H, W] tensor is planes = N·C planes of height × width), as
 * PyTorch's max_pool2d (with its argmax indices), avg_pool2d and adaptive_avg_pool2d, and the
 * per-plane scaling of Dropout2d. The output grid is derived as PyTorch's: outH = ⌊(height +
 * 2·padH − dilationH·(kernelH − 1) − 1) / strideH⌋ + 1, ceil instead of floor in ceilMode, minus
 * one when that last window would start past the input and its leading padding. Maxima are
 * exact and every sum runs in double in the reference's order, rounded once: the backends agree
 * bit for bit. Outputs must not overlap any input (scalePlanes's y may be x).
 */
import { flag, index, input, kernel, output, type Arg } from '../declare';
import * as reference from '../reference/pool';

const planeArgs = [index('planes', { example: 3 }), index('height', { example: 7 }), index('width', { example: 6 })] as const;

/** The window: kernel, stride and padding per axis (the dilations and ceilMode placed by each kernel). */
const windowArgs = [
  index('kernelH', { min: 1, example: 3 }), index('kernelW', { min: 1, example: 2 }),
  index('strideH', { min: 1, example: 2 }), index('strideW', { min: 1, example: 1 }),
  index('padH', { example: 1 }), index('padW', { example: 1 }),
] as const;

/** PyTorch's output size along one axis from its span (the dilated window), ceilMode included. */
function pooled(axis: 'H' | 'W', size: string) {
  const room = `${size} + 2*pad${axis} - span${axis}`;
  return {
    [`floor${axis}`]: `(${room}) / stride${axis} + 1`,
    [`ceil${axis}`]: `(${room} + stride${axis} - 1) / stride${axis} + 1`,
    [`out${axis}`]: `ceilMode*(ceil${axis} - ((ceil${axis} - 1)*stride${axis} >= ${size} + pad${axis})) + !ceilMode*floor${axis}`,
  };
}

const fits = [
  {
    that: 'spanH <= height + 2*padH',
    message: 'Expected an output height of at least 1 (a window of {spanH} rows within height+2*padH = {height + 2*padH}) but the window does not fit',
  },
  {
    that: 'spanW <= width + 2*padW',
    message: 'Expected an output width of at least 1 (a window of {spanW} columns within width+2*padW = {width + 2*padW}) but the window does not fit',
  },
];

const maxGrid = {
  derive: { spanH: 'dilationH*(kernelH-1) + 1', spanW: 'dilationW*(kernelW-1) + 1', ...pooled('H', 'height'), ...pooled('W', 'width') },
  requires: fits,
};

const nonEmptyPlane = { that: 'height > 0 && width > 0', message: 'Expected a plane of at least one position but received height = {height}, width = {width}' };

/**
 * Average windows have no dilation; a non-empty plane and padding at most half the kernel (as
 * PyTorch) leave no window without a position in the plane, so no divisor is 0.
 */
const averageGrid = {
  derive: { spanH: 'kernelH', spanW: 'kernelW', ...pooled('H', 'height'), ...pooled('W', 'width') },
  requires: [
    nonEmptyPlane,
    ...fits,
    { that: '2*padH <= kernelH', message: 'Expected padH at most half of kernelH = {kernelH} but received padH = {padH}' },
    { that: '2*padW <= kernelW', message: 'Expected padW at most half of kernelW = {kernelW} but received padW = {padW}' },
  ],
};

const PLANES = 'planes*height*width';
const POOLED = 'planes*outH*outW';

const averageArgs = <I extends Arg, O extends Arg>(x: I, y: O) =>
  [x, ...planeArgs, ...windowArgs, flag('ceilMode', { example: true }), flag('countIncludePad'), index('divisor', { example: 0 }), y] as const;

const adaptiveArgs = <I extends Arg, O extends Arg>(x: I, y: O) =>
  [x, ...planeArgs, index('outH', { min: 1, example: 4 }), index('outW', { min: 1, example: 4 }), y] as const;

export const POOL = {
  /**
   * y = the largest value of each window (padding counts as −∞; the first largest wins a tie,
   * NaN wins, the last NaN of a window), indices = its position iy·width + ix in its plane; a
   * window with no position in the plane gives −∞ and −1.
   */
  maxPool2d: kernel({
    args: [
      input('x', PLANES), ...planeArgs, ...windowArgs,
      index('dilationH', { min: 1, example: 1 }), index('dilationW', { min: 1, example: 2 }), flag('ceilMode', { example: true }),
      output('y', POOLED), output('indices', POOLED, { element: 'int32' }),
    ],
    ...maxGrid,
    reference: reference.maxPool2d,
  }),
  /** dx[plane, indices[o]] += dy[o] for every output o of the plane (−1: none), in output order; dx is written. */
  maxPool2dBackward: kernel({
    args: [
      input('dy', POOLED), input('indices', POOLED, { element: 'int32', values: '[0 - 1, height*width)' }), ...planeArgs,
      index('outH', { example: 2 }), index('outW', { example: 3 }), output('dx', PLANES),
    ],
    reference: reference.maxPool2dBackward,
  }),
  /**
   * y = the mean of each window: its sum divided by divisor when that is not 0, else by the
   * window clipped to the padded plane (countIncludePad) or to the plane.
   */
  avgPool2d: kernel({
    args: averageArgs(input('x', PLANES), output('y', POOLED)),
    ...averageGrid,
    reference: reference.avgPool2d,
  }),
  /** dx of avgPool2d: each dy divided as the forward divides, spread over its window's positions in the plane. */
  avgPool2dBackward: kernel({
    args: averageArgs(input('dy', POOLED), output('dx', PLANES)),
    ...averageGrid,
    reference: reference.avgPool2dBackward,
  }),
  /** y = the mean of each adaptive bin [⌊o·size/out⌋, ⌈(o + 1)·size/out⌉) of a non-empty plane. */
  adaptiveAvgPool2d: kernel({
    args: adaptiveArgs(input('x', PLANES), output('y', POOLED)),
    requires: [nonEmptyPlane],
    reference: reference.adaptiveAvgPool2d,
  }),
  /** dx of adaptiveAvgPool2d. */
  adaptiveAvgPool2dBackward: kernel({
    args: adaptiveArgs(input('dy', POOLED), output('dx', PLANES)),
    requires: [nonEmptyPlane],
    reference: reference.adaptiveAvgPool2dBackward,
  }),
  /** y[p, s] = x[p, s]·scale[p] over planes of hw values (Dropout2d's channel mask); y may be x. */
  scalePlanes: kernel({
    args: [input('x', 'planes*hw'), input('scale', 'planes'), index('planes', { example: 3 }), index('hw', { example: 4 }), output('y', 'planes*hw', { inPlace: ['x'] })],
    reference: reference.scalePlanes,
  }),
};

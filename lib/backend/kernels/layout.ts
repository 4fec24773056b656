/**
 * Kernels that move values without arithmetic (scatterAddRows adds, in index order): the
 * backends agree bit for bit.
 */
import { index, inout, input, kernel, output, type Arg } from '../declare';
import * as reference from '../reference/layout';

/**
 * The arguments of im2col and col2im, around the image and the patch matrix: an NCHW batch
 * (batch×channels×height×width), a kernelH×kernelW window moved by strideH/strideW over the
 * image padded with padH/padW zeros on each side, its taps dilationH/dilationW apart.
 */
const windowArgs = <I extends Arg, C extends Arg>(image: I, cols: C) => [
  image, index('batch', { example: 2 }), index('channels', { example: 3 }), index('height', { example: 5 }), index('width', { example: 6 }),
  index('kernelH', { min: 1, example: 2 }), index('kernelW', { min: 1, example: 3 }),
  index('strideH', { min: 1, example: 1 }), index('strideW', { min: 1, example: 2 }),
  index('padH', { example: 1 }), index('padW', { example: 0 }),
  index('dilationH', { min: 1, example: 2 }), index('dilationW', { min: 1, example: 1 }), cols,
] as const;

/** The output grid of the window, and the condition that the dilated window fits the padded image. */
const grid = {
  derive: {
    spanH: 'dilationH*(kernelH-1) + 1', spanW: 'dilationW*(kernelW-1) + 1',
    outH: '(height + 2*padH - spanH) / strideH + 1', outW: '(width + 2*padW - spanW) / strideW + 1',
  },
  requires: [
    { that: 'spanH <= height + 2*padH', message: 'Expected a window of dilationH*(kernelH-1)+1 = {spanH} rows to fit in height+2*padH = {height + 2*padH} but it does not' },
    { that: 'spanW <= width + 2*padW', message: 'Expected a window of dilationW*(kernelW-1)+1 = {spanW} columns to fit in width+2*padW = {width + 2*padW} but it does not' },
  ],
};

const IMAGE = 'batch*channels*height*width';
const COLS = 'batch*channels*kernelH*kernelW*outH*outW';

export const LAYOUT = {
  /** out[j, i] = x[i, j] for a rows×cols x (out is cols×rows). out must not overlap x. */
  transpose: kernel({
    args: [input('x', 'rows*cols'), index('rows'), index('cols'), output('out', 'rows*cols')],
    reference: reference.transpose,
  }),
  /**
   * out[r, :] = x[indices[r], :] for a rows×cols x: one output row per index (out is
   * indices.length×cols). Every index must lie in [0, rows). out must not overlap x.
   */
  gatherRows: kernel({
    args: [
      input('x', 'rows*cols'), index('rows'), index('cols'), input('indices', undefined, { element: 'int32', values: '[0, rows)' }),
      output('out', 'indices.length*cols'),
    ],
    reference: reference.gatherRows,
  }),
  /**
   * out[indices[r], :] += src[r, :] for r = 0, 1, … in order (a repeated index sums its rows):
   * the gradient of gatherRows. out is rows×cols, src is indices.length×cols; every index must
   * lie in [0, rows). out must not overlap src.
   */
  scatterAddRows: kernel({
    args: [
      input('src', 'indices.length*cols'), input('indices', undefined, { element: 'int32', values: '[0, rows)' }),
      index('rows'), index('cols'), inout('out', 'rows*cols'),
    ],
    reference: reference.scatterAddRows,
  }),

  /**
   * The patches of an NCHW batch as columns, as torch.nn.functional.unfold lays them out:
   * cols[b, (c·kernelH + i)·kernelW + j, oy·outW + ox] = x[b, c, oy·strideH − padH + i·dilationH,
   * ox·strideW − padW + j·dilationW], 0 where that falls in the padding; outH = ⌊(height + 2·padH −
   * dilationH·(kernelH − 1) − 1) / strideH⌋ + 1 (outW likewise), and the dilated window must fit
   * the padded image. A convolution is then one GEMM per image. cols must not overlap x.
   * bfloat16 too: the values are copied, never rounded.
   */
  im2col: kernel({
    args: windowArgs(input('x', IMAGE), output('cols', COLS)),
    ...grid,
    dtypes: ['float32', 'float64', 'bfloat16'],
    reference: reference.im2col,
  }),
  /**
   * The adjoint of im2col (torch.nn.functional.fold): x[b, c, y, x'] = the sum of every cols
   * element im2col would have read from there, added in im2col's order (c, i, j, oy, ox), so
   * the backends agree bit for bit; 0 where no window reaches (padding and a stride that skips).
   * x is written, not accumulated into. x must not overlap cols.
   */
  col2im: kernel({
    args: windowArgs(output('x', IMAGE), input('cols', COLS)),
    ...grid,
    reference: reference.col2im,
  }),
};

/**
 * Kernels that move values without arithmetic (scatterAddRows adds, in index order): the
 * backends agree bit for bit.
 */
import { index, inout, input, kernel, output } from '../declare';
import * as reference from '../reference/layout';

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
};

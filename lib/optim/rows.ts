/**
 * Row-sparse updates: a parameter's gradRows (sorted unique rows) as runs of consecutive rows,
 * so the dense update kernels run on subarray slices: native code, the same bits per element as
 * the dense update, one call per run rather than per row.
 */
import type { Tensor } from '../autograd/tensor';
import { rowSize } from '../autograd/sparse-grad';

/** Calls fn(begin, end) with the element range of each run of consecutive rows. */
export function forEachRowRun(param: Tensor, rows: Int32Array, fn: (begin: number, end: number) => void): void {
  const width = rowSize(param);
  let i = 0;
  while (i < rows.length) {
    const first = rows[i]!;
    let last = first;
    while (i + 1 < rows.length && rows[i + 1] === last + 1) last = rows[++i]!;
    i++;
    fn(first * width, (last + 1) * width);
  }
}

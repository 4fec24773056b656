/**
 * Padding along any axes, in PyTorch's four modes: constant (a value), reflect (mirrored about
 * the edge, the edge not repeated), replicate (the edge repeated) and circular (wrapped).
 * Attributes: pad { before, after, mode, value }.
 */
import { record } from '../record';
import type { Tensor } from '../tensor';
import { full } from '../create';
import { allocate, allocateOutput, checkShape, formatShape, kernelsFor } from '../tensor';
import { concat } from './shape';

export type PadMode = 'constant' | 'reflect' | 'replicate' | 'circular';
export const PAD_MODES: readonly PadMode[] = ['constant', 'reflect', 'replicate', 'circular'];

/** Where output position j of an axis of size `size` padded by `before` reads from. */
function sourceOf(mode: Exclude<PadMode, 'constant'>, j: number, before: number, size: number): number {
  const t = j - before;
  if (mode === 'replicate') return Math.min(Math.max(t, 0), size - 1);
  if (mode === 'circular') return ((t % size) + size) % size;
  return t < 0 ? -t : t >= size ? 2 * (size - 1) - t : t; // reflect: pads < size, so one mirror suffices
}

function checkPads(op: string, x: Tensor, before: readonly number[], after: readonly number[], mode: PadMode): void {
  if (!PAD_MODES.includes(mode)) throw new RangeError(`${op}: Expected mode ${PAD_MODES.map((m) => `'${m}'`).join(', ')} but received ${JSON.stringify(String(mode).slice(0, 40))}`);
  if (before.length !== x.ndim || after.length !== x.ndim) {
    throw new RangeError(`${op}: Expected ${x.ndim} pads before and after, one per dimension of ${formatShape(x.shape)}, but received ${before.length} and ${after.length}`);
  }
  for (let a = 0; a < x.ndim; a++) {
    const [b, e, d] = [before[a]!, after[a]!, x.shape[a]!];
    if (!Number.isSafeInteger(b) || !Number.isSafeInteger(e) || b < 0 || e < 0) {
      throw new RangeError(`${op}: Expected non-negative integer pads but received ${b} and ${e} for dimension ${a}`);
    }
    if (b === 0 && e === 0) continue;
    // PyTorch's limits: a reflection needs a neighbour to mirror, a wrap at most one period.
    if (mode === 'reflect' && Math.max(b, e) >= d) throw new RangeError(`${op}: reflect padding must be smaller than the dimension it pads, but dimension ${a} of ${formatShape(x.shape)} is ${d} and the pads are ${b} and ${e}`);
    if (mode === 'replicate' && d === 0) throw new RangeError(`${op}: replicate padding of the empty dimension ${a} of ${formatShape(x.shape)}`);
    if (mode === 'circular' && Math.max(b, e) > d) throw new RangeError(`${op}: circular padding must be at most the dimension it pads, but dimension ${a} of ${formatShape(x.shape)} is ${d} and the pads are ${b} and ${e}`);
  }
}

/**
 * x padded by before[a] and after[a] along each dimension a. Constant padding concatenates
 * blocks of `value` (the gradient of the padding is dropped); the other modes read every output
 * element from one input element, and the gradient adds back into it (an edge element read
 * several times gets every gradient).
 */
export function padAxes(x: Tensor, before: readonly number[], after: readonly number[], mode: PadMode = 'constant', value = 0): Tensor {
  checkPads('pad', x, before, after, mode);
  const shape = x.shape.map((d, a) => d + before[a]! + after[a]!);
  checkShape('pad', shape);
  if (typeof value !== 'number') throw new TypeError(`pad: Expected a number value but received ${typeof value}`);
  // The source index map is int32, as the gather kernel's indices are.
  if (mode !== 'constant' && (x.size > 0x7fffffff || shape.reduce((n, d) => n * d, 1) > 0x7fffffff)) {
    throw new RangeError(`pad: ${mode} padding supports tensors of at most 2^31 − 1 elements, but ${formatShape(x.shape)} padded is ${formatShape(shape)}`);
  }
  if (mode === 'constant') {
    let y = x;
    for (let a = 0; a < x.ndim; a++) {
      const side = (n: number) => full(y.shape.map((d, k) => (k === a ? n : d)), value, { dtype: x.dtype });
      const parts: Tensor[] = [];
      if (before[a]! > 0) parts.push(side(before[a]!));
      parts.push(y);
      if (after[a]! > 0) parts.push(side(after[a]!));
      if (parts.length > 1) y = concat(parts, a);
    }
    return y;
  }
  // The flat source of every output element, built one dimension at a time (row-major).
  let index = Int32Array.of(0);
  for (let a = 0; a < x.ndim; a++) {
    const size = x.shape[a]!;
    const map = Array.from({ length: shape[a]! }, (_, j) => sourceOf(mode, j, before[a]!, size));
    const next = new Int32Array(index.length * map.length);
    for (let i = 0; i < index.length; i++) {
      const base = index[i]! * size;
      for (let j = 0; j < map.length; j++) next[i * map.length + j] = base + map[j]!;
    }
    index = next;
  }
  const kernels = kernelsFor(x.dtype);
  const out = allocateOutput(shape, x.dtype);
  if (x.size > 0) kernels.gatherRows(x.data, x.size, 1, index, out);
  const attributes = { before: [...before], after: [...after], mode, value };
  return record('pad', attributes, [x], out, shape, (grad) => {
    const dx = allocate(x.shape, x.dtype);
    if (x.size > 0) kernels.scatterAddRows(grad, index, x.size, 1, dx);
    return [dx];
  });
}

/**
 * PyTorch's F.pad: `pads` lists (before, after) pairs from the last dimension backwards —
 * [left, right] pads the last, [left, right, top, bottom] the last two.
 */
export function pad(x: Tensor, pads: readonly number[], options: { mode?: PadMode; value?: number } = {}): Tensor {
  if (!Array.isArray(pads) || pads.length % 2 !== 0 || pads.length / 2 > x.ndim) {
    throw new RangeError(`pad: Expected an even number of pads, at most 2 per dimension of ${formatShape(x.shape)}, but received ${JSON.stringify(pads)}`);
  }
  const before = new Array<number>(x.ndim).fill(0);
  const after = new Array<number>(x.ndim).fill(0);
  for (let i = 0; i < pads.length / 2; i++) {
    before[x.ndim - 1 - i] = pads[2 * i]!;
    after[x.ndim - 1 - i] = pads[2 * i + 1]!;
  }
  return padAxes(x, before, after, options.mode ?? 'constant', options.value ?? 0);
}

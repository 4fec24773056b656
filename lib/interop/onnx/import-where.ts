/**
 * Comparisons and Where on import: Greater, Less, GreaterOrEqual, LessOrEqual and Equal give a
 * mask (integers 0/1, fixed: no gradient flows through a comparison), Where(mask, a, b) picks
 * from a or b elementwise (broadcast as numpy does). The pick is a Gather from [a | b], so the
 * gradient reaches whichever side was picked and no arithmetic mixes the two (an ∞ on the side
 * not taken stays out). tensorgrad's Softplus(β, threshold) exports as such a Where.
 */
import { add } from '../../autograd/ops/arithmetic';
import { broadcastShapes } from '../../autograd/ops/broadcast';
import { concat, gather, reshape } from '../../autograd/ops/shape';
import { zeros } from '../../autograd/create';
import { Tensor } from '../../autograd/tensor';
import { type OpEntry, type Value, checkSize, count, fail } from './import-ops';
import type { CheckedNode } from './read-graph';

const dimsOf = (v: Value) => (v instanceof Tensor ? [...v.shape] : v.dims);
const valuesOf = (v: Value): ArrayLike<number> => v.data;

/** The flat index into `dims` of each element of the broadcast shape `out`. */
function broadcastIndex(dims: readonly number[], out: readonly number[]): Int32Array {
  const n = count(out);
  const index = new Int32Array(n);
  const offset = out.length - dims.length;
  const strides = dims.map((_, k) => count(dims.slice(k + 1)));
  for (let flat = 0; flat < n; flat++) {
    let rest = flat;
    let at = 0;
    for (let k = out.length - 1; k >= 0; k--) {
      const i = rest % out[k]!;
      rest = Math.floor(rest / out[k]!);
      const d = k - offset;
      if (d >= 0 && dims[d] !== 1) at += i * strides[d]!;
    }
    index[flat] = at;
  }
  return index;
}

function shapeOf(node: CheckedNode, values: Value[]): number[] {
  let shape: number[] = [];
  try {
    for (const v of values) shape = broadcastShapes(node.op, shape, dimsOf(v));
  } catch (e) {
    fail(node, (e as Error).message);
  }
  return checkSize(node, shape);
}

function compare(test: (a: number, b: number) => boolean): OpEntry {
  return {
    compile: (node) => (inputs) => {
      const [a, b] = inputs;
      if (a === undefined || b === undefined) return fail(node, 'Expected two inputs');
      const out = shapeOf(node, [a, b]);
      const ia = broadcastIndex(dimsOf(a), out);
      const ib = broadcastIndex(dimsOf(b), out);
      const va = valuesOf(a);
      const vb = valuesOf(b);
      return [{ kind: 'int', data: Array.from(ia, (i, k) => (test(va[i]!, vb[ib[k]!]!) ? 1 : 0)), dims: out }];
    },
  };
}

/** v as a float tensor of the broadcast shape (adding zeros keeps ±∞ and the gradient). */
function expandTo(v: Value, shape: number[]): Tensor {
  const t = v instanceof Tensor ? v : new Tensor(Float32Array.from(v.data), v.dims);
  return t.shape.length === shape.length && t.shape.every((d, i) => d === shape[i]) ? t : add(t, zeros(shape));
}

const where: OpEntry = {
  compile: (node) => (inputs) => {
    const [condition, a, b] = inputs;
    if (condition === undefined || a === undefined || b === undefined) return fail(node, 'Expected a condition and two values');
    if (condition instanceof Tensor) return fail(node, 'Expected a boolean condition (from a comparison or a Cast to bool)');
    const out = shapeOf(node, [condition, a, b]);
    const mask = broadcastIndex(condition.dims, out);
    const n = count(out);
    if (!(a instanceof Tensor) && !(b instanceof Tensor)) {
      // Shape arithmetic: integers in, integers out.
      const ia = broadcastIndex(a.dims, out);
      const ib = broadcastIndex(b.dims, out);
      return [{ kind: 'int', data: Array.from(mask, (m, k) => (condition.data[m] ? a.data[ia[k]!]! : b.data[ib[k]!]!)), dims: out }];
    }
    const stacked = concat([reshape(expandTo(a, out), [n, 1]), reshape(expandTo(b, out), [n, 1])], 0);
    const picks = Array.from(mask, (m, k) => (condition.data[m] ? k : n + k));
    return [reshape(gather(stacked, picks), out)];
  },
};

export const WHERE_OPS: Record<string, OpEntry> = {
  Greater: compare((a, b) => a > b),
  Less: compare((a, b) => a < b),
  GreaterOrEqual: compare((a, b) => a >= b),
  LessOrEqual: compare((a, b) => a <= b),
  Equal: compare((a, b) => a === b),
  Where: where,
};

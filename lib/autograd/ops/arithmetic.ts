/**
 * Elementwise arithmetic with broadcasting (a [C] bias against [N, C], an [N, 1] column against
 * [N, C], a 0-d tensor against anything) and with plain numbers. Gradients of stretched
 * operands are summed back to their shapes. Two tensors record no attributes; a tensor and a
 * number record { scalar } (the number), and sub and div also { scalarFirst } (n − x, n / x).
 */
import { NO_ATTRIBUTES, record } from '../record';
import type { DType, FloatArray, Kernels, Shape } from '../tensor';
import { Tensor, allocate, commonDType, kernelsFor } from '../tensor';
import { broadcastShapes, expand, reduceTo, rowRepeats, sameShape } from './broadcast';

/** A tensor, or a number standing for a 0-d tensor that needs no gradient. */
export type Operand = Tensor | number;

function checkOperand(op: string, name: string, value: unknown): void {
  if (value instanceof Tensor) return;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new TypeError(`${op}: Expected a Tensor or a finite number for ${name} but received ${typeof value === 'number' ? String(value) : typeof value}`);
  }
}

interface Pair {
  a: Tensor;
  b: Tensor;
  shape: number[];
  dtype: DType;
  kernels: Kernels;
}

function pair(op: string, a: Tensor, b: Tensor): Pair {
  const dtype = commonDType(op, [a, b]);
  return { a, b, shape: broadcastShapes(op, a.shape, b.shape), dtype, kernels: kernelsFor(dtype) };
}

/** When `small` repeats as a row over `full` (full already has the output shape): [rows, cols]. */
function rowCase(full: Tensor, small: Tensor, shape: Shape): [number, number] | undefined {
  if (!sameShape(full.shape, shape)) return undefined;
  const rows = rowRepeats(small.shape, shape);
  return rows === undefined ? undefined : [rows, small.size];
}

function full(p: Pair, t: Tensor): FloatArray {
  return expand(t.data, t.shape, p.shape, p.dtype);
}

function negated(kernels: Kernels, x: FloatArray, dtype: DType, shape: Shape): FloatArray {
  const out = allocate(shape, dtype);
  kernels.mulScalar(x, -1, out);
  return out;
}

type Binary = 'add' | 'sub' | 'mul' | 'div';

/**
 * The broadcast forward of a binary op: the same-shape kernel, the row kernel when one operand
 * repeats as a row of the other (either side for the commutative ops), else both stretched.
 */
function broadcastForward(p: Pair, op: Binary): FloatArray {
  const { a, b } = p;
  const out = allocate(p.shape, p.dtype);
  const rowOp = `${op}Row` as const;
  const rowB = rowCase(a, b, p.shape);
  const rowA = rowB || op === 'sub' || op === 'div' ? undefined : rowCase(b, a, p.shape);
  if (sameShape(a.shape, b.shape)) p.kernels[op](a.data, b.data, out);
  else if (rowB) p.kernels[rowOp](a.data, b.data, rowB[0], rowB[1], out);
  else if (rowA) p.kernels[rowOp](b.data, a.data, rowA[0], rowA[1], out);
  else p.kernels[op](full(p, a), full(p, b), out);
  return out;
}

/** a + b. ∂/∂a = ∂/∂b = the upstream gradient, summed over broadcast dimensions. */
export function add(a: Operand, b: Operand): Tensor {
  checkOperand('add', 'a', a);
  checkOperand('add', 'b', b);
  if (typeof a === 'number') return add(b, a);
  if (typeof b === 'number') {
    const kernels = kernelsFor(a.dtype);
    const out = allocate(a.shape, a.dtype);
    kernels.addScalar(a.data, b, out);
    return record('add', { scalar: b }, [a], out, a.shape, (grad) => [grad]);
  }
  const p = pair('add', a, b);
  const out = broadcastForward(p, 'add');
  return record('add', NO_ATTRIBUTES, [a, b], out, p.shape, (grad) => [
    a.requiresGrad ? reduceTo(grad, p.shape, a.shape, p.dtype) : null,
    b.requiresGrad ? reduceTo(grad, p.shape, b.shape, p.dtype) : null,
  ]);
}

/** a − b. ∂/∂a = grad, ∂/∂b = −grad, each summed over broadcast dimensions. */
export function sub(a: Operand, b: Operand): Tensor {
  checkOperand('sub', 'a', a);
  checkOperand('sub', 'b', b);
  if (typeof a === 'number') {
    const x = b as Tensor;
    const kernels = kernelsFor(x.dtype);
    const out = negated(kernels, x.data, x.dtype, x.shape);
    kernels.addScalar(out, a, out);
    return record('sub', { scalar: a, scalarFirst: true }, [x], out, x.shape, (grad) => [negated(kernels, grad, x.dtype, x.shape)]);
  }
  if (typeof b === 'number') {
    const kernels = kernelsFor(a.dtype);
    const out = allocate(a.shape, a.dtype);
    kernels.subScalar(a.data, b, out);
    return record('sub', { scalar: b, scalarFirst: false }, [a], out, a.shape, (grad) => [grad]);
  }
  const p = pair('sub', a, b);
  const out = broadcastForward(p, 'sub');
  return record('sub', NO_ATTRIBUTES, [a, b], out, p.shape, (grad) => {
    const db = b.requiresGrad ? reduceTo(negated(p.kernels, grad, p.dtype, p.shape), p.shape, b.shape, p.dtype) : null;
    const da = a.requiresGrad ? reduceTo(grad, p.shape, a.shape, p.dtype) : null;
    return [da, db];
  });
}

/** grad · other, with other stretched to the output shape (a row kernel when it is a row). */
function timesOperand(p: Pair, grad: FloatArray, other: Tensor): FloatArray {
  const product = allocate(p.shape, p.dtype);
  const rows = rowRepeats(other.shape, p.shape);
  if (sameShape(other.shape, p.shape)) p.kernels.mul(grad, other.data, product);
  else if (rows !== undefined) p.kernels.mulRow(grad, other.data, rows, other.size, product);
  else p.kernels.mul(grad, full(p, other), product);
  return product;
}

/** a · b elementwise. ∂/∂a = grad · b, ∂/∂b = grad · a, summed over broadcast dimensions. */
export function mul(a: Operand, b: Operand): Tensor {
  checkOperand('mul', 'a', a);
  checkOperand('mul', 'b', b);
  if (typeof a === 'number') return mul(b, a);
  if (typeof b === 'number') {
    const kernels = kernelsFor(a.dtype);
    const out = allocate(a.shape, a.dtype);
    kernels.mulScalar(a.data, b, out);
    return record('mul', { scalar: b }, [a], out, a.shape, (grad) => {
      kernels.mulScalar(grad, b, grad);
      return [grad];
    });
  }
  const p = pair('mul', a, b);
  const out = broadcastForward(p, 'mul');
  return record('mul', NO_ATTRIBUTES, [a, b], out, p.shape, (grad) => [
    a.requiresGrad ? reduceTo(timesOperand(p, grad, b), p.shape, a.shape, p.dtype) : null,
    b.requiresGrad ? reduceTo(timesOperand(p, grad, a), p.shape, b.shape, p.dtype) : null,
  ]);
}

/** a / b elementwise (IEEE: x/0 = ±Inf). ∂/∂a = grad/b, ∂/∂b = −grad·(a/b)/b. */
export function div(a: Operand, b: Operand): Tensor {
  checkOperand('div', 'a', a);
  checkOperand('div', 'b', b);
  if (typeof b === 'number') {
    const x = a as Tensor;
    const kernels = kernelsFor(x.dtype);
    const out = allocate(x.shape, x.dtype);
    kernels.divScalar(x.data, b, out);
    return record('div', { scalar: b, scalarFirst: false }, [x], out, x.shape, (grad) => {
      kernels.divScalar(grad, b, grad);
      return [grad];
    });
  }
  if (typeof a === 'number') {
    const kernels = kernelsFor(b.dtype);
    const out = allocate(b.shape, b.dtype).fill(a);
    kernels.div(out, b.data, out);
    return record('div', { scalar: a, scalarFirst: true }, [b], out, b.shape, (grad) => {
      // −grad · (a/b) / b
      const g = negated(kernels, grad, b.dtype, b.shape);
      kernels.mul(g, out, g);
      kernels.div(g, b.data, g);
      return [g];
    });
  }
  const p = pair('div', a, b);
  const out = broadcastForward(p, 'div');
  return record('div', NO_ATTRIBUTES, [a, b], out, p.shape, (grad) => {
    const bFull = full(p, b);
    const gOverB = allocate(p.shape, p.dtype);
    p.kernels.div(grad, bFull, gOverB);
    let db = null;
    if (b.requiresGrad) {
      const g = allocate(p.shape, p.dtype);
      p.kernels.mul(gOverB, out, g);
      p.kernels.mulScalar(g, -1, g);
      db = reduceTo(g, p.shape, b.shape, p.dtype);
    }
    const da = a.requiresGrad ? reduceTo(gOverB, p.shape, a.shape, p.dtype) : null;
    return [da, db];
  });
}

/** −x. ∂/∂x = −grad. */
export function neg(x: Tensor): Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`neg: Expected a Tensor but received ${typeof x}`);
  const kernels = kernelsFor(x.dtype);
  return record('neg', NO_ATTRIBUTES, [x], negated(kernels, x.data, x.dtype, x.shape), x.shape, (grad) => {
    kernels.mulScalar(grad, -1, grad);
    return [grad];
  });
}

/**
 * What each ONNX op becomes on import: a step over tensorgrad's differentiable ops (so the
 * imported model trains), or a layer module holding the node's weights (Gemm → Linear,
 * LSTM/GRU/RNN → the recurrent layers with the gate blocks reordered back; the convolutional
 * ops and BatchNormalization are in import-conv-ops.ts). Integer values (shapes, axes, indices, as PyTorch's export computes them
 * around an LSTM) are plain arrays worked out in JavaScript.
 */
import { full } from '../../autograd/create';
import { abs, exp, log, sqrt } from '../../autograd/ops/math';
import { add, div, mul, neg, sub } from '../../autograd/ops/arithmetic';
import { elu, leakyRelu, prelu, relu, sigmoid, softplus, tanh } from '../../autograd/ops/activation';
import { matmul } from '../../autograd/ops/matmul';
import { mean, sum } from '../../autograd/ops/reduce';
import { sliceRows, swapLeadingDims } from '../../autograd/ops/recurrent';
import { concat, gather, reshape, transpose } from '../../autograd/ops/shape';
import { logSoftmax, softmax } from '../../autograd/ops/softmax';
import { Tensor } from '../../autograd/tensor';
import { Dropout } from '../../nn/layers/dropout';
import { Linear } from '../../nn/layers/linear';
import { GRU, LSTM, RNN } from '../../nn/layers/recurrent';
import type { AnyModule } from './exporters';
import type { Parameter } from '../../nn/parameter';
import { type AttributeValue, type CheckedNode, type Constant, MAX_ELEMENTS } from './read-graph';
import { GATE_ORDER, reorderGates } from './recurrent-exporters';

/** A value while the graph runs: a tensor, or integers (shapes, axes, indices). */
export type Value = Tensor | { kind: 'int'; data: number[]; dims: number[] };
type Ints = Extract<Value, { kind: 'int' }>;

export type Step = (inputs: (Value | undefined)[]) => Value[];

export interface ImportContext {
  /** A value fixed at import (initializer, Constant node, Identity of one), else undefined. */
  constant(name: string): Constant | undefined;
  /** The model's ai.onnx opset (some ops moved attributes to inputs). */
  readonly opset: number;
  /** Registers a layer module under a name derived from `base`; returns it. */
  addLayer<M extends AnyModule>(base: string, module: M): M;
  /** The node that computes `name` (undefined for the input, initializers and unknown names). */
  producer(name: string): CheckedNode | undefined;
  /** Whether any node or graph output reads `name`. */
  isRead(name: string): boolean;
  /** The graph input's declared rank. */
  readonly inputRank: number;
}

export interface OpEntry {
  /** Inputs (by position) whose initializers the op takes into its own layer module. */
  weights?: readonly number[];
  compile(node: CheckedNode, context: ImportContext): Step;
}

export const fail = (node: CheckedNode, message: string): never => {
  throw new RangeError(`onnx.importModel: node ${node.label} (${node.op}): ${message}`.slice(0, 500));
};

export function attribute<T extends AttributeValue>(node: CheckedNode, name: string, kind: 'number' | 'string' | 'ints' | 'floats', fallback?: T): T {
  const v = node.attributes.get(name);
  if (v === undefined) {
    if (fallback === undefined) fail(node, `Expected the attribute ${name}`);
    return fallback!;
  }
  // No supported op gives NaN or ±∞ attributes a meaning.
  const ok = kind === 'number' ? typeof v === 'number' && Number.isFinite(v) : kind === 'string' ? typeof v === 'string'
    : Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x));
  if (!ok) fail(node, `Expected attribute ${name} to be ${kind === 'ints' || kind === 'floats' ? `a list of finite ${kind}` : kind === 'number' ? 'a finite number' : 'a string'}`);
  return v as T;
}

export function tensorIn(node: CheckedNode, inputs: (Value | undefined)[], i: number): Tensor {
  const v = inputs[i];
  if (!(v instanceof Tensor)) fail(node, `Expected input ${i} to be a float tensor but it is ${v === undefined ? 'absent' : 'integer'}`);
  return v as Tensor;
}

export function intsIn(node: CheckedNode, inputs: (Value | undefined)[], i: number): Ints {
  const v = inputs[i];
  if (v instanceof Tensor) {
    // Integer ids given as a float tensor (tensorgrad's convention).
    const data = Array.from(v.data, Number);
    if (!data.every(Number.isSafeInteger)) fail(node, `Expected input ${i} to hold integers`);
    return { kind: 'int', data, dims: [...v.shape] };
  }
  if (v === undefined) return fail(node, `Expected input ${i}`);
  return v;
}

const ints = (data: number[], dims: number[] = [data.length]): Ints => ({ kind: 'int', data, dims });
export const count = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

export function checkSize(node: CheckedNode, dims: readonly number[]): number[] {
  if (!dims.every((d) => Number.isSafeInteger(d) && d >= 0) || count(dims) > MAX_ELEMENTS) {
    fail(node, `the shape [${dims.join(', ')}] is not a valid shape of at most ${MAX_ELEMENTS} elements`);
  }
  return [...dims];
}

function normAxis(node: CheckedNode, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!(a >= 0 && a < rank)) fail(node, `axis ${axis} is outside a rank-${rank} value`);
  return a;
}

/** Elementwise on integers (shape arithmetic): equal lengths or one scalar. */
function intBinary(node: CheckedNode, a: Ints, b: Ints, f: (x: number, y: number) => number): Ints {
  const n = Math.max(a.data.length, b.data.length);
  if (!(a.data.length === n || a.data.length === 1) || !(b.data.length === n || b.data.length === 1)) fail(node, 'integer operands of different lengths');
  const data = Array.from({ length: n }, (_, i) => f(a.data[a.data.length === 1 ? 0 : i]!, b.data[b.data.length === 1 ? 0 : i]!));
  return ints(data, a.data.length === n ? a.dims : b.dims);
}

function binary(f: (a: Tensor, b: Tensor) => Tensor, g: (x: number, y: number) => number): OpEntry {
  return {
    compile: (node) => (inputs) => {
      const [a, b] = inputs;
      if (a instanceof Tensor && b instanceof Tensor) return [f(a, b)];
      if (a && b && !(a instanceof Tensor) && !(b instanceof Tensor)) return [intBinary(node, a, b, g)];
      return fail(node, 'Expected two float tensors or two integer values');
    },
  };
}

export function unaryOp(f: (x: Tensor, node: CheckedNode) => Tensor): OpEntry {
  return { compile: (node) => (inputs) => [f(tensorIn(node, inputs, 0), node)] };
}

/** x with the dims given (reshape of a float tensor or of integers). */
function reshaped(node: CheckedNode, v: Value, dims: number[]): Value {
  checkSize(node, dims);
  if (v instanceof Tensor) {
    if (count(dims) !== v.size) fail(node, `cannot reshape [${v.shape.join(', ')}] to [${dims.join(', ')}]`);
    return reshape(v, dims);
  }
  if (count(dims) !== v.data.length) fail(node, `cannot reshape integers [${v.dims.join(', ')}] to [${dims.join(', ')}]`);
  return ints(v.data, dims);
}

const dimsOf = (v: Value) => (v instanceof Tensor ? [...v.shape] : v.dims);

/** Squeeze/Unsqueeze axes: the second input from opset 13 on. */
function axesOf(node: CheckedNode, inputs: (Value | undefined)[]): number[] | null {
  return inputs[1] === undefined ? null : intsIn(node, inputs, 1).data;
}

export function constantValue(node: CheckedNode, c: Constant | undefined, what: string): Constant {
  if (!c) fail(node, `Expected ${what} to be an initializer or a constant`);
  return c!;
}

const gemm: OpEntry = {
  weights: [1, 2],
  compile(node, context) {
    const alpha = attribute<number>(node, 'alpha', 'number', 1);
    const beta = attribute<number>(node, 'beta', 'number', 1);
    const transA = attribute<number>(node, 'transA', 'number', 0);
    const transB = attribute<number>(node, 'transB', 'number', 0);
    if (alpha !== 1 || beta !== 1 || transA !== 0) fail(node, `only alpha = beta = 1 and transA = 0 are supported (received ${alpha}, ${beta}, ${transA})`);
    const w = constantValue(node, context.constant(node.inputs[1]!), 'the weight B');
    if (w.kind !== 'float' || w.dims.length !== 2) fail(node, 'Expected a 2-D float weight');
    const [rows, cols] = w.dims as [number, number];
    const [out, inp] = transB ? [rows, cols] : [cols, rows];
    const c = node.inputs[2] ? constantValue(node, context.constant(node.inputs[2]), 'the bias C') : null;
    if (c && (c.kind !== 'float' || count(c.dims) !== out || c.dims.length > 1)) fail(node, `Expected a bias of ${out} floats`);
    if (out < 1 || inp < 1) fail(node, 'Expected a non-empty weight');
    const layer = context.addLayer(node.inputs[1]!, new Linear(inp, out, { bias: c !== null }));
    if (transB) layer.weight.data.set(w.data);
    else for (let o = 0; o < out; o++) for (let i = 0; i < inp; i++) layer.weight.data[o * inp + i] = (w.data as Float32Array)[i * out + o]!;
    if (c) layer.bias!.data.set(c.data as Float32Array);
    return (inputs) => {
      const x = tensorIn(node, inputs, 0);
      if (x.ndim !== 2 || x.shape[1] !== inp) fail(node, `Expected an input [N, ${inp}] but received [${x.shape.join(', ')}]`);
      return [layer.forward(x)];
    };
  },
};

/** The inverse of GATE_ORDER: for each of tensorgrad's (PyTorch's) gate blocks, the ONNX block. */
function fromOnnxOrder(order: readonly number[]): number[] {
  const inverse = new Array<number>(order.length);
  order.forEach((from, to) => { inverse[from] = to; });
  return inverse;
}

function recurrent(kind: 'rnn' | 'lstm' | 'gru'): OpEntry {
  return {
    weights: [1, 2, 3],
    compile(node, context) {
      const direction = attribute<string>(node, 'direction', 'string', 'forward');
      if (direction !== 'forward') fail(node, `only direction "forward" is supported (received "${direction}")`);
      if (attribute<number>(node, 'layout', 'number', 0) !== 0) fail(node, 'only layout 0 (time-major) is supported');
      if (node.attributes.has('clip')) fail(node, 'the clip attribute is not supported');
      if (kind === 'lstm' && attribute<number>(node, 'input_forget', 'number', 0) !== 0) fail(node, 'input_forget is not supported');
      if (kind === 'gru' && attribute<number>(node, 'linear_before_reset', 'number', 0) !== 1) fail(node, 'only linear_before_reset = 1 (PyTorch\'s GRU) is supported');
      let nonlinearity: 'tanh' | 'relu' = 'tanh';
      const defaults = { rnn: ['Tanh'], lstm: ['Sigmoid', 'Tanh', 'Tanh'], gru: ['Sigmoid', 'Tanh'] }[kind];
      if (node.attributes.has('activations')) {
        const given = node.attributes.get('activations');
        if (!Array.isArray(given) || !given.every((a) => typeof a === 'string')) fail(node, 'Expected activations to be strings');
        const names = given as string[];
        if (kind === 'rnn' && names.length === 1 && (names[0] === 'Tanh' || names[0] === 'Relu')) nonlinearity = names[0] === 'Relu' ? 'relu' : 'tanh';
        else if (names.join() !== defaults.join()) fail(node, `activations ${names.join(', ')} are not supported`);
      }
      if (node.inputs[4]) fail(node, 'sequence_lens is not supported');
      const H = attribute<number>(node, 'hidden_size', 'number');
      const order = fromOnnxOrder(GATE_ORDER[kind]);
      const G = order.length;
      const W = constantValue(node, context.constant(node.inputs[1]!), 'W');
      const R = constantValue(node, context.constant(node.inputs[2]!), 'R');
      const B = node.inputs[3] ? constantValue(node, context.constant(node.inputs[3]), 'B') : null;
      if (!(Number.isSafeInteger(H) && H >= 1) || W.kind !== 'float' || W.dims.length !== 3 || W.dims[0] !== 1 || W.dims[1] !== G * H) {
        fail(node, `Expected W [1, ${G}·hidden_size, input_size] for hidden_size ${H} but received [${W.dims.join(', ')}]`);
      }
      const F = W.dims[2]!;
      if (F < 1 || R.kind !== 'float' || R.dims.join() !== [1, G * H, H].join()) fail(node, `Expected R [1, ${G * H}, ${H}] but received [${R.dims.join(', ')}]`);
      if (B && (B.kind !== 'float' || B.dims.join() !== [1, 2 * G * H].join())) fail(node, `Expected B [1, ${2 * G * H}] but received [${B.dims.join(', ')}]`);
      const options = { inputSize: F, hiddenSize: H, bias: B !== null, batchFirst: false };
      const layer = context.addLayer(node.name || kind, kind === 'lstm' ? new LSTM(options) : kind === 'gru' ? new GRU(options) : new RNN({ ...options, nonlinearity }));
      const params = layer as unknown as Record<string, Parameter>;
      params['weight_ih_l0']!.data.set(reorderGates(W.data as Float32Array, order, H, F));
      params['weight_hh_l0']!.data.set(reorderGates(R.data as Float32Array, order, H, H));
      if (B) {
        const b = B.data as Float32Array;
        params['bias_ih_l0']!.data.set(reorderGates(b.subarray(0, G * H), order, H, 1));
        params['bias_hh_l0']!.data.set(reorderGates(b.subarray(G * H), order, H, 1));
      }
      return (inputs) => {
        const x = tensorIn(node, inputs, 0);
        if (x.ndim !== 3 || x.shape[2] !== F) fail(node, `Expected X [T, N, ${F}] but received [${x.shape.join(', ')}]`);
        const [T, N] = x.shape as [number, number];
        const state = (i: number) => {
          if (inputs[i] === undefined) return undefined;
          const s = tensorIn(node, inputs, i);
          if (s.shape.join() !== [1, N, H].join()) fail(node, `Expected input ${i} [1, ${N}, ${H}] but received [${s.shape.join(', ')}]`);
          return s;
        };
        const h0 = state(5);
        const out = layer instanceof LSTM
          ? layer.forward(x, h0 || inputs[6] ? { h: h0 ?? full([1, N, H], 0), c: state(6) ?? full([1, N, H], 0) } : undefined)
          : layer.forward(x, h0);
        const result: Value[] = [reshape(out.output, [T, 1, N, H]), out.h];
        if (out.c) result.push(out.c);
        return result;
      };
    },
  };
}

/** Slicing integers, or a float tensor: any axis when nothing needs its gradient, else rows (axis 0, step 1). */
function slice(node: CheckedNode, inputs: (Value | undefined)[]): Value {
  const data = inputs[0];
  if (data === undefined) return fail(node, 'Expected the data input');
  const dims = dimsOf(data);
  const starts = intsIn(node, inputs, 1).data;
  const ends = intsIn(node, inputs, 2).data;
  const axes = inputs[3] ? intsIn(node, inputs, 3).data : starts.map((_, i) => i);
  const steps = inputs[4] ? intsIn(node, inputs, 4).data : starts.map(() => 1);
  if (ends.length !== starts.length || axes.length !== starts.length || steps.length !== starts.length) fail(node, 'starts, ends, axes and steps differ in length');
  const ranges = dims.map((d) => ({ start: 0, step: 1, size: d }));
  axes.forEach((axisArg, i) => {
    const axis = normAxis(node, axisArg, dims.length);
    const d = dims[axis]!;
    const step = steps[i]!;
    if (step === 0) fail(node, 'Expected non-zero steps');
    // ONNX's clamping: into [0, d] going forwards, into [−1, d − 1] going backwards.
    const [low, high] = step > 0 ? [0, d] : [-1, d - 1];
    const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + d : v, low), high);
    const start = Math.min(clamp(starts[i]!), step > 0 ? d : d - 1);
    const end = clamp(ends[i]!);
    ranges[axis] = { start, step, size: Math.max(0, Math.ceil((end - start) / step)) };
  });
  const outDims = ranges.map((r) => r.size);
  if (data instanceof Tensor && data.requiresGrad) {
    // Rows of a view keep the gradient flowing: axis 0 directly, axis 1 between two swaps.
    const cut = ranges.flatMap((r, k) => (r.size !== dims[k] || r.step !== 1 ? [k] : []));
    if (cut.length === 0) return data;
    if (cut.some((k) => ranges[k]!.step !== 1)) fail(node, 'slicing a trainable value is supported with step 1 only');
    if (cut.length > 1 || cut[0]! > 1) fail(node, 'slicing a trainable value is supported along one of axes 0 and 1');
    const r = ranges[cut[0]!]!;
    return cut[0] === 0 ? sliceRows(data, r.start, r.size) : swapLeadingDims(sliceRows(swapLeadingDims(data), r.start, r.size));
  }
  const src = data instanceof Tensor ? data.data : data.data;
  const out: number[] = new Array(count(outDims));
  const strides = dims.map((_, k) => count(dims.slice(k + 1)));
  for (let flat = 0; flat < out.length; flat++) {
    let rest = flat;
    let offset = 0;
    for (let k = dims.length - 1; k >= 0; k--) {
      const idx = rest % outDims[k]!;
      rest = Math.floor(rest / outDims[k]!);
      offset += (ranges[k]!.start + idx * ranges[k]!.step) * strides[k]!;
    }
    out[flat] = src[offset]!;
  }
  return data instanceof Tensor ? new Tensor(Float32Array.from(out), outDims) : ints(out, outDims);
}

function gatherOp(node: CheckedNode, inputs: (Value | undefined)[]): Value {
  const data = inputs[0];
  if (data === undefined) return fail(node, 'Expected the data input');
  const index = intsIn(node, inputs, 1);
  const dims = dimsOf(data);
  const axis = normAxis(node, attribute<number>(node, 'axis', 'number', 0), dims.length);
  const size = dims[axis]!;
  const idx = index.data.map((i) => {
    const j = i < 0 ? i + size : i;
    if (!(j >= 0 && j < size)) fail(node, `index ${i} is outside [${-size}, ${size})`);
    return j;
  });
  if (!(data instanceof Tensor)) {
    if (dims.length !== 1) fail(node, 'gathering from integers of more than one dimension');
    return ints(idx.map((j) => data.data[j]!), index.dims);
  }
  const rest = dims.slice(axis + 1);
  if (axis === 0) return reshape(gather(data, idx), checkSize(node, [...index.dims, ...rest]));
  if (axis === 1) {
    const picked = swapLeadingDims(gather(swapLeadingDims(data), idx)); // [A, len, ...rest]
    return reshape(picked, checkSize(node, [dims[0]!, ...index.dims, ...rest]));
  }
  return fail(node, `gathering along axis ${axis} of a float tensor is not supported (axes 0 and 1 are)`);
}

function transposeOp(node: CheckedNode, inputs: (Value | undefined)[]): Value {
  const value = inputs[0];
  if (value !== undefined && !(value instanceof Tensor)) return transposeInts(node, value);
  const x = tensorIn(node, inputs, 0);
  const perm = attribute<number[]>(node, 'perm', 'ints', x.shape.map((_, i) => x.ndim - 1 - i));
  if (perm.length !== x.ndim) fail(node, `perm [${perm.join(', ')}] does not fit a rank-${x.ndim} input`);
  if (perm.every((p, i) => p === i)) return x;
  if (x.ndim === 2) return transpose(x);
  if (perm[0] === 1 && perm[1] === 0 && perm.slice(2).every((p, i) => p === i + 2)) return swapLeadingDims(x);
  return fail(node, `perm [${perm.join(', ')}] is not supported (swapping the first two dimensions is)`);
}

/** Transpose of integers (shape arithmetic: PyTorch reverses Pad's (before, after) pairs with one), any perm. */
function transposeInts(node: CheckedNode, x: Ints): Ints {
  const rank = x.dims.length;
  const perm = attribute<number[]>(node, 'perm', 'ints', x.dims.map((_, i) => rank - 1 - i));
  if (perm.length !== rank || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) fail(node, `perm [${perm.join(', ')}] is not a permutation of a rank-${rank} input`);
  const dims = perm.map((p) => x.dims[p]!);
  const strides = x.dims.map((_, k) => count(x.dims.slice(k + 1)));
  const out = new Array<number>(x.data.length);
  for (let flat = 0; flat < out.length; flat++) {
    let rest = flat;
    let offset = 0;
    for (let k = rank - 1; k >= 0; k--) {
      offset += (rest % dims[k]!) * strides[perm[k]!]!;
      rest = Math.floor(rest / dims[k]!);
    }
    out[flat] = x.data[offset]!;
  }
  return ints(out, dims);
}

/**
 * ReduceSum/ReduceMean: axes from the second input (ReduceSum from opset 13, ReduceMean from 18)
 * or the attribute; every axis when none is given. One axis at a time, highest first.
 */
function reduction(f: typeof sum, inputAxesFrom: number): OpEntry {
  return {
    compile: (node, context) => (inputs) => {
      const x = tensorIn(node, inputs, 0);
      const fromInput = context.opset >= inputAxesFrom;
      const given = fromInput ? (inputs[1] === undefined ? null : intsIn(node, inputs, 1).data) : (node.attributes.has('axes') ? attribute<number[]>(node, 'axes', 'ints') : null);
      if (given === null && attribute<number>(node, 'noop_with_empty_axes', 'number', 0) === 1) return [x];
      const axes = [...new Set((given ?? x.shape.map((_, i) => i)).map((a) => normAxis(node, a, x.ndim)))].sort((a, b) => b - a);
      const keep = attribute<number>(node, 'keepdims', 'number', 1) === 1;
      let y = x;
      for (const a of axes) y = f(y, a, true);
      return [keep ? y : reshape(y, x.shape.filter((_, i) => !axes.includes(i)))];
    },
  };
}

/**
 * Dropout: the identity in a file exported for inference. In one exported in training mode
 * (training_mode a constant true) a Dropout layer of the file's ratio, which the model's
 * train()/eval() then switches, as BatchNormalization's training_mode is; the mask output is
 * not supported.
 */
const dropout: OpEntry = {
  compile(node, context) {
    if (node.outputs.slice(1).some((o) => o !== '' && context.isRead(o))) fail(node, 'the mask output is read by the graph, which is not supported');
    const given = (i: number) => (node.inputs[i] ?? '') !== '';
    const ratioOf = (): number => {
      if (context.opset < 12) return attribute<number>(node, 'ratio', 'number', 0.5);
      if (!given(1)) return 0.5;
      const r = constantValue(node, context.constant(node.inputs[1]!), 'input 1 (ratio)');
      if (count(r.dims) !== 1) fail(node, 'Expected the ratio as one number');
      return Number(r.data[0]);
    };
    const ratio = ratioOf();
    if (!(ratio >= 0 && ratio < 1)) fail(node, `Expected a ratio in [0, 1) but received ${ratio}`);
    let training = false;
    if (context.opset >= 12 && given(2)) {
      const t = constantValue(node, context.constant(node.inputs[2]!), 'input 2 (training_mode)');
      if (t.kind !== 'int' || count(t.dims) !== 1) fail(node, 'Expected training_mode as one boolean');
      training = t.data[0] === 1;
    }
    if (!training || ratio === 0) return (inputs) => [inputs[0]!];
    const layer = context.addLayer(node.outputs[0] || 'dropout', new Dropout(ratio));
    return (inputs) => [layer.forward(tensorIn(node, inputs, 0))];
  },
};

export const OPS: Record<string, OpEntry> = {
  ReduceSum: reduction(sum, 13),
  ReduceMean: reduction(mean, 18),
  Identity: { compile: () => (inputs) => [inputs[0]!] },
  Dropout: dropout,
  Gemm: gemm,
  LSTM: recurrent('lstm'),
  GRU: recurrent('gru'),
  RNN: recurrent('rnn'),
  MatMul: {
    compile: (node) => (inputs) => {
      const a = tensorIn(node, inputs, 0);
      const b = tensorIn(node, inputs, 1);
      if (b.ndim !== 2 || a.ndim < 2 || a.shape[a.ndim - 1] !== b.shape[0]) fail(node, `[${a.shape.join(', ')}] x [${b.shape.join(', ')}] is not supported (a [..., K] by a [K, M] is)`);
      if (a.ndim === 2) return [matmul(a, b)];
      const lead = a.shape.slice(0, -1);
      return [reshape(matmul(reshape(a, [count(lead), b.shape[0]!]), b), [...lead, b.shape[1]!])];
    },
  },
  Add: binary(add, (x, y) => x + y),
  Sub: binary(sub, (x, y) => x - y),
  Mul: binary(mul, (x, y) => x * y),
  Div: binary(div, (x, y) => (y === 0 ? 0 : Math.trunc(x / y))),
  Neg: unaryOp((x) => neg(x)),
  Relu: unaryOp((x) => relu(x)),
  Sigmoid: unaryOp((x) => sigmoid(x)),
  Tanh: unaryOp((x) => tanh(x)),
  Exp: unaryOp((x) => exp(x)),
  Log: unaryOp((x) => log(x)),
  Sqrt: unaryOp((x) => sqrt(x)),
  Abs: unaryOp((x) => abs(x)),
  Softplus: unaryOp((x) => softplus(x, 1, 3.4028234663852886e38)),
  LeakyRelu: unaryOp((x, node) => leakyRelu(x, attribute<number>(node, 'alpha', 'number', 0.01))),
  Elu: unaryOp((x, node) => elu(x, attribute<number>(node, 'alpha', 'number', 1))),
  Softmax: unaryOp((x, node) => softmax(x, normAxis(node, attribute<number>(node, 'axis', 'number', -1), x.ndim))),
  LogSoftmax: unaryOp((x, node) => logSoftmax(x, normAxis(node, attribute<number>(node, 'axis', 'number', -1), x.ndim))),
  PRelu: {
    compile: (node) => (inputs) => {
      const x = tensorIn(node, inputs, 0);
      const slope = tensorIn(node, inputs, 1);
      const channels = slope.size;
      if (channels !== 1 && !(x.ndim >= 2 && x.shape[1] === channels)) fail(node, `a slope of ${channels} values for an input [${x.shape.join(', ')}] is not supported (one, or one per channel of dimension 1)`);
      return [prelu(x, slope.ndim === 1 ? slope : reshape(slope, [channels]))];
    },
  },
  Flatten: {
    compile: (node) => (inputs) => {
      const x = inputs[0];
      if (x === undefined) return fail(node, 'Expected an input');
      const dims = dimsOf(x);
      const axis = attribute<number>(node, 'axis', 'number', 1);
      const a = axis < 0 ? axis + dims.length : axis;
      if (!(a >= 0 && a <= dims.length)) fail(node, `axis ${axis} is outside a rank-${dims.length} input`);
      return [reshaped(node, x, [count(dims.slice(0, a)), count(dims.slice(a))])];
    },
  },
  Reshape: {
    compile: (node) => (inputs) => {
      const x = inputs[0];
      if (x === undefined) return fail(node, 'Expected an input');
      const dims = dimsOf(x);
      const allowZero = attribute<number>(node, 'allowzero', 'number', 0) === 1;
      const wanted = intsIn(node, inputs, 1).data;
      if (wanted.length > 8) fail(node, `a target of ${wanted.length} dimensions`);
      const shape = wanted.map((d, i) => (d === 0 && !allowZero ? dims[i] ?? fail(node, `dimension ${i} to copy does not exist`) : d));
      const unknown = shape.filter((d) => d === -1).length;
      if (unknown > 1 || shape.some((d) => d < -1)) fail(node, `the target [${wanted.join(', ')}] is not a shape`);
      if (unknown === 1) {
        const known = count(shape.filter((d) => d !== -1));
        const total = count(dims);
        if (known === 0 || total % known !== 0) fail(node, `cannot reshape [${dims.join(', ')}] to [${wanted.join(', ')}]`);
        shape[shape.indexOf(-1)] = total / known;
      }
      return [reshaped(node, x, shape)];
    },
  },
  Transpose: { compile: (node) => (inputs) => [transposeOp(node, inputs)] },
  Squeeze: {
    compile: (node) => (inputs) => {
      const x = inputs[0];
      if (x === undefined) return fail(node, 'Expected an input');
      const dims = dimsOf(x);
      const axes = (axesOf(node, inputs) ?? dims.flatMap((d, i) => (d === 1 ? [i] : []))).map((a) => normAxis(node, a, dims.length));
      for (const a of axes) if (dims[a] !== 1) fail(node, `dimension ${a} of [${dims.join(', ')}] is not 1`);
      return [reshaped(node, x, dims.filter((_, i) => !axes.includes(i)))];
    },
  },
  Unsqueeze: {
    compile: (node) => (inputs) => {
      const x = inputs[0];
      if (x === undefined) return fail(node, 'Expected an input');
      const dims = dimsOf(x);
      const given = axesOf(node, inputs);
      if (!given) return fail(node, 'Expected the axes input');
      const rank = dims.length + given.length;
      const axes = given.map((a) => normAxis(node, a, rank));
      const out: number[] = [];
      for (let i = 0, k = 0; i < rank; i++) out.push(axes.includes(i) ? 1 : dims[k++]!);
      return [reshaped(node, x, out)];
    },
  },
  Shape: {
    compile: (node) => (inputs) => {
      const x = inputs[0];
      if (x === undefined) return fail(node, 'Expected an input');
      const dims = dimsOf(x);
      const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + dims.length : v, 0), dims.length);
      const start = clamp(attribute<number>(node, 'start', 'number', 0));
      const end = clamp(attribute<number>(node, 'end', 'number', dims.length));
      return [ints(dims.slice(start, Math.max(start, end)))];
    },
  },
  Gather: { compile: (node) => (inputs) => [gatherOp(node, inputs)] },
  Slice: { compile: (node) => (inputs) => [slice(node, inputs)] },
  Concat: {
    compile: (node) => (inputs) => {
      const values = inputs.filter((v): v is Value => v !== undefined);
      if (values.length === 0) fail(node, 'Expected inputs');
      if (values.every((v) => v instanceof Tensor)) {
        const rank = (values[0] as Tensor).ndim;
        return [concat(values as Tensor[], normAxis(node, attribute<number>(node, 'axis', 'number'), rank))];
      }
      if (values.some((v) => v instanceof Tensor || v.dims.length !== 1)) fail(node, 'Expected all float tensors or all 1-D integers');
      const all = (values as Ints[]).flatMap((v) => v.data);
      if (all.length > MAX_ELEMENTS) fail(node, 'too many values');
      return [ints(all)];
    },
  },
  ConstantOfShape: {
    compile: (node) => {
      const v = node.attributes.get('value');
      if (v !== undefined && (typeof v !== 'object' || Array.isArray(v) || v.data.length !== 1)) fail(node, 'Expected value to be one number');
      const value = v as Constant | undefined;
      const fill = value ? Number(value.data[0]) : 0;
      // An integer fill makes integers: PyTorch builds Pad's pads list with one (ConstantOfShape of 0s).
      if (value?.kind === 'int') {
        return (inputs) => {
          const dims = checkSize(node, intsIn(node, inputs, 0).data);
          return [ints(new Array<number>(dims.reduce((a, b) => a * b, 1)).fill(fill), dims)];
        };
      }
      return (inputs) => [full(checkSize(node, intsIn(node, inputs, 0).data), fill)];
    },
  },
  Cast: {
    compile: (node) => {
      const to = attribute<number>(node, 'to', 'number');
      return (inputs) => {
        const x = inputs[0];
        if (x === undefined) return fail(node, 'Expected an input');
        if (to === 1) return [x instanceof Tensor ? x : new Tensor(Float32Array.from(x.data), x.dims)];
        if (to === 6 || to === 7) return [intsIn(node, inputs, 0)];
        if (to === 9) { const v = intsIn(node, inputs, 0); return [ints(v.data.map((d) => (d !== 0 ? 1 : 0)), v.dims)]; } // bool
        return fail(node, `casting to element type ${to} is not supported`);
      };
    },
  },
};

/** A child module name from an initializer ("0.weight" → "0") or a node name ("/lstm/LSTM_1" → "lstm_LSTM_1"). */
export function layerName(base: string): string {
  const stem = base.endsWith('.weight') ? base.slice(0, -'.weight'.length) : base;
  const clean = stem.replace(/^[/:]+/, '').replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
  return clean === '' ? 'layer' : clean;
}


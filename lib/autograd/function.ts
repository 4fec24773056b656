/**
 * User-defined differentiable ops, shaped like PyTorch's torch.autograd.Function: a subclass
 * writes a static forward(ctx, ...args) and a static backward(ctx, ...outputGrads), and calls
 * MyOp.apply(...args). forward runs with recording off and saves what backward needs on ctx;
 * backward returns one gradient per forward argument (null for arguments without one). The op
 * goes on the tape as one node named after the class, so gradcheck, modules, optimizers, toDot
 * and graphOf treat it as they treat the built-in ops.
 */
import { isGradEnabled, noGrad } from './grad-mode';
import { NO_ATTRIBUTES } from './record';
import type { AttributeValue, FloatArray, Node, OpAttributes } from './tensor';
import { Tensor, allocate, formatShape } from './tensor';

/** Ends a context's forward phase and gives apply() what forward set (assigned in FunctionContext). */
let finishForward: (ctx: FunctionContext) => { attributes: OpAttributes; nonDifferentiable: ReadonlySet<Tensor> };

/** What forward may keep for backward, and what backward may ask about the call. */
export class FunctionContext {
  /**
   * For each forward argument: whether it is a tensor that requires a gradient (PyTorch's
   * needs_input_grad), so backward can skip the gradients nobody will read.
   */
  readonly needsInputGrad: readonly boolean[];
  readonly #op: string;
  #saved: readonly Tensor[] = [];
  #inForward = true;
  #attributes: OpAttributes = NO_ATTRIBUTES;
  readonly #nonDifferentiable = new Set<Tensor>();

  /** Made by Function.apply. */
  constructor(op: string, needsInputGrad: readonly boolean[]) {
    this.#op = op;
    this.needsInputGrad = Object.freeze([...needsInputGrad]);
  }

  /**
   * Keeps tensors (inputs or outputs of forward) for backward, replacing any saved before. For
   * other values (numbers, options, index arrays) assign your own properties on ctx, as in
   * PyTorch (`ctx.slope = slope`, typed with `ctx: FunctionContext & { slope: number }`).
   */
  saveForBackward(...tensors: Tensor[]): void {
    this.#forwardOnly('saveForBackward');
    tensors.forEach((t, i) => {
      if (!(t instanceof Tensor)) {
        throw new TypeError(`${this.#op}: saveForBackward: Expected Tensors but argument ${i} is ${describe(t)} (keep other values as properties of ctx)`);
      }
    });
    this.#saved = Object.freeze([...tensors]);
  }

  /** The tensors saveForBackward kept, in its order. */
  get savedTensors(): readonly Tensor[] {
    return this.#saved;
  }

  /**
   * Marks outputs of forward that have no gradient (an index, a mask, a count): they are returned
   * without history, and backward receives zeros for them.
   */
  markNonDifferentiable(...outputs: Tensor[]): void {
    this.#forwardOnly('markNonDifferentiable');
    outputs.forEach((t, i) => {
      if (!(t instanceof Tensor)) throw new TypeError(`${this.#op}: markNonDifferentiable: Expected output Tensors but argument ${i} is ${describe(t)}`);
      this.#nonDifferentiable.add(t);
    });
  }

  /**
   * The op's attributes on the tape (what toDot prints and an exporter reads): plain data only,
   * numbers, strings, booleans, null or arrays of numbers.
   */
  setAttributes(attributes: Record<string, AttributeValue>): void {
    this.#forwardOnly('setAttributes');
    if (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes)) {
      throw new TypeError(`${this.#op}: setAttributes: Expected an object of plain values but received ${describe(attributes)}`);
    }
    const copy: Record<string, AttributeValue> = {};
    for (const [key, value] of Object.entries(attributes)) copy[key] = plainValue(this.#op, key, value);
    this.#attributes = Object.freeze(copy);
  }

  static {
    finishForward = (ctx) => {
      ctx.#inForward = false;
      return { attributes: ctx.#attributes, nonDifferentiable: ctx.#nonDifferentiable };
    };
  }

  #forwardOnly(what: string): void {
    if (!this.#inForward) throw new Error(`${this.#op}: ${what} is for forward; backward reads what forward kept`);
  }
}

function plainValue(op: string, key: string, value: unknown): AttributeValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return value;
  if ((Array.isArray(value) || ArrayBuffer.isView(value)) && Array.from(value as ArrayLike<unknown>).every((v) => typeof v === 'number')) {
    return Object.freeze(Array.from(value as ArrayLike<number>));
  }
  throw new TypeError(`${op}: setAttributes: Expected a number, string, boolean, null or an array of numbers for ${key} but received ${describe(value)}`);
}

function describe(value: unknown): string {
  if (value instanceof Tensor) return `a Tensor of shape ${formatShape(value.shape)}`;
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}

type Rest<T> = T extends readonly [unknown, ...infer R] ? R : [];
/** A gradient per forward argument: a tensor of the argument's shape, or null (none). */
export type InputGradients = Tensor | null | undefined | readonly (Tensor | null | undefined)[];

/**
 * The base of user-defined ops. Subclass it with static forward and backward:
 *
 *     class Cube extends autograd.Function {
 *       static forward(ctx: autograd.FunctionContext, x: Tensor): Tensor {
 *         ctx.saveForBackward(x);
 *         return x.pow(3);
 *       }
 *       static backward(ctx: autograd.FunctionContext, grad: Tensor): Tensor {
 *         const [x] = ctx.savedTensors;
 *         return grad.mul(x!.pow(2)).mul(3);
 *       }
 *     }
 *     const y = Cube.apply(x);
 *
 * forward receives apply's arguments (tensors and any other values) and returns a Tensor or an
 * array of Tensors; its ops are not recorded. backward receives ∂L/∂ each output (zeros for
 * outputs no gradient reached) and returns ∂L/∂ each argument of forward, in order: a Tensor of
 * that argument's shape and dtype, or null (always null for arguments that are not tensors);
 * a single Tensor stands for a one-argument forward. Its ops are not recorded either (no
 * gradients of gradients).
 */
export class Function {
  static forward(_ctx: FunctionContext, ..._args: any[]): Tensor | readonly Tensor[] {
    throw new TypeError(`${this.name}: Expected a subclass of autograd.Function with a static forward(ctx, ...args)`);
  }

  static backward(_ctx: FunctionContext, ..._grads: Tensor[]): InputGradients {
    throw new TypeError(`${this.name}: Expected a subclass of autograd.Function with a static backward(ctx, ...outputGrads)`);
  }

  /** Runs forward on the arguments and records the op on the tape (when some input requires a gradient). */
  static apply<F extends typeof Function>(this: F, ...args: Rest<Parameters<F['forward']>>): ReturnType<F['forward']> {
    const op = this.name || 'Function';
    if (this.forward === Function.forward || this.backward === Function.backward) {
      throw new TypeError(`${op}: Expected a subclass of autograd.Function with both a static forward(ctx, ...args) and a static backward(ctx, ...outputGrads)`);
    }
    const recording = isGradEnabled();
    const ctx = new FunctionContext(op, args.map((a) => recording && a instanceof Tensor && a.requiresGrad));
    const result = noGrad(() => {
      const r: unknown = this.forward(ctx, ...args);
      if (r instanceof Promise) throw new TypeError(`${op}.forward: Expected a synchronous forward but it returned a Promise`);
      return r;
    });
    const { attributes, nonDifferentiable } = finishForward(ctx);
    const single = result instanceof Tensor;
    const outputs = checkOutputs(op, result);
    const inputs = args.filter((a): a is Tensor => a instanceof Tensor);
    if (!ctx.needsInputGrad.some(Boolean) || outputs.every((o) => nonDifferentiable.has(o))) {
      const plain = outputs.map((o) => (o.requiresGrad ? o.detach() : o));
      return (single ? plain[0] : plain) as ReturnType<F['forward']>;
    }
    const node: Node = {
      op,
      attributes,
      inputs,
      outputCount: outputs.length,
      backward: (grads) => runBackward(this, ctx, args, outputs, grads),
    };
    const wrapped = outputs.map((o, i) => (nonDifferentiable.has(o) ? o.detach() : new Tensor(o.data, o.shape, { node, outputIndex: i })));
    return (single ? wrapped[0] : wrapped) as ReturnType<F['forward']>;
  }
}

function checkOutputs(op: string, result: unknown): Tensor[] {
  if (result instanceof Tensor) return [result];
  if (Array.isArray(result) && result.length > 0) {
    result.forEach((o, i) => {
      if (!(o instanceof Tensor)) throw new TypeError(`${op}.forward: Expected Tensors but output ${i} is ${describe(o)}`);
    });
    return [...result];
  }
  throw new TypeError(`${op}.forward: Expected a Tensor or a non-empty array of Tensors but received ${describe(result)}`);
}

/**
 * Calls the user's backward with a tensor per output, checks what comes back against the forward
 * arguments, and hands the engine one array per tensor input: the engine's own arrays as they
 * are, anything else copied (backward may return a saved tensor, which the engine must not add into).
 */
function runBackward(
  fn: typeof Function, ctx: FunctionContext, args: readonly unknown[], outputs: readonly Tensor[],
  grads: readonly (FloatArray | null)[],
): (FloatArray | null)[] {
  const op = fn.name || 'Function';
  const handed = new Set(grads.filter((g): g is FloatArray => g !== null));
  const gradTensors = outputs.map((o, i) => new Tensor(grads[i] ?? allocate(o.shape, o.dtype), o.shape));
  const returned: unknown = noGrad(() => fn.backward(ctx, ...gradTensors));
  const list: readonly unknown[] = Array.isArray(returned) ? returned : [returned];
  if (list.length !== args.length) {
    throw new RangeError(`${op}.backward: Expected ${args.length} gradient${args.length === 1 ? '' : 's'} (one per forward argument, null where there is none) but received ${list.length}`);
  }
  const out: (FloatArray | null)[] = [];
  args.forEach((arg, i) => {
    const g = list[i];
    if (!(arg instanceof Tensor)) {
      if (g !== null && g !== undefined) {
        throw new TypeError(`${op}.backward: Expected null for argument ${i} (${describe(arg)}, not a tensor) but received ${describe(g)}`);
      }
      return;
    }
    if (g === null || g === undefined) {
      out.push(null);
      return;
    }
    if (!(g instanceof Tensor)) throw new TypeError(`${op}.backward: Expected a Tensor or null for the gradient of argument ${i} but received ${describe(g)}`);
    if (g.shape.length !== arg.shape.length || g.shape.some((d, k) => d !== arg.shape[k])) {
      throw new RangeError(`${op}.backward: Expected the gradient of argument ${i} to have its shape ${formatShape(arg.shape)} but received ${formatShape(g.shape)}`);
    }
    if (g.dtype !== arg.dtype) {
      throw new TypeError(`${op}.backward: Expected the gradient of argument ${i} in ${arg.dtype} (its dtype) but received ${g.dtype}`);
    }
    if (!arg.requiresGrad) {
      out.push(null);
      return;
    }
    if (handed.has(g.data)) {
      out.push(g.data);
      return;
    }
    const copy = allocate(arg.shape, arg.dtype);
    copy.set(g.data);
    out.push(copy);
  });
  return out;
}

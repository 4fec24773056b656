/**
 * Tensor: a contiguous row-major array with a shape, and its place on the autograd tape.
 * float32 tensors compute on the selected backend; float64 tensors always compute on the
 * float64 reference kernels (for gradient checks in double).
 */
import type { Backend, KernelName } from '../backend';
import { kernelsOf } from '../backend';
import { formatShape } from '../format-shape';

export type DType = 'float32' | 'float64';
export type FloatArray = Float32Array | Float64Array;
export type Shape = readonly number[];
export type NestedArray = number | NestedArray[];

/**
 * One setting of an op beside its tensor inputs, as plain data an exporter can write out:
 * a number, string, boolean or null, or a list of numbers (a shape, dimensions, class weights).
 */
export type AttributeValue = number | string | boolean | null | readonly number[];

/** An op's settings (eps, slope, dim, shape, reduction, …), frozen; {} for an op without any. */
export type OpAttributes = Readonly<Record<string, AttributeValue>>;

/**
 * How an op's outputs came about: its stable name, its attributes, its tensor inputs, and how
 * to pass gradients back. An op with several outputs (a custom Function) shares one Node among
 * them; each output knows its place (Tensor.outputIndex).
 */
export interface Node {
  /** The op's name: the function that recorded it ('matmul', 'linear', 'batchNorm', …) or a custom Function's. */
  readonly op: string;
  readonly attributes: OpAttributes;
  readonly inputs: readonly Tensor[];
  /** How many tensors the op returned (1 for every built-in op). */
  readonly outputCount: number;
  /**
   * Given ∂L/∂output for each output (null for an output no gradient reached; never null for a
   * one-output op), returns ∂L/∂input for each input, or null for inputs that do not require a
   * gradient. The engine owns what it passes and what comes back: return a passed array itself
   * or new arrays, never an array a tensor still uses (the engine adds into them in place).
   */
  backward(grads: readonly (FloatArray | null)[]): (FloatArray | null)[];
}

export interface TensorOptions {
  requiresGrad?: boolean;
  dtype?: DType;
}

export class Tensor {
  /** The values, row-major; a Float64Array for float64 tensors. */
  readonly data: FloatArray;
  readonly shape: Shape;
  readonly dtype: DType;
  /** Whether backward() computes a gradient for this tensor (leaves) or through it. */
  requiresGrad: boolean;
  /** ∂L/∂this after backward() for a leaf that requires a gradient; accumulates until zeroed. */
  grad: Tensor | null = null;
  /** The op that produced this tensor, or null for a leaf. */
  readonly node: Node | null;
  /** Which of its node's outputs this tensor is (0 for a leaf and for one-output ops). */
  readonly outputIndex: number;
  /** Functions backward() calls with ∂L/∂this once it is complete (see registerHook). */
  hooks: ((grad: Tensor) => void)[] | null = null;
  #gradRows: Int32Array | null = null;
  #gradRowsOf: Tensor | null = null;

  /**
   * Which rows (indices along dim 0) of `grad` may be non-zero, sorted and unique, or null when
   * unknown (dense). Kept by the ops that add rows into a leaf's grad in place (hierarchical
   * softmax, Embedding with sparse: true) so zeroGrad and the optimizers can skip the rest. The
   * record belongs to the grad tensor it was made for: assigning another grad makes it null.
   * Read-only: set it with setGradRows.
   */
  get gradRows(): Int32Array | null {
    return this.grad !== null && this.#gradRowsOf === this.grad ? this.#gradRows : null;
  }

  /**
   * Records gradRows for the current grad (null: dense). rows: an Int32Array of strictly
   * increasing indices in [0, shape[0]), the only rows of grad that may be non-zero. See
   * lib/autograd/sparse-grad.ts.
   */
  setGradRows(rows: Int32Array | null): void {
    if (rows !== null) {
      if (!(rows instanceof Int32Array)) throw new TypeError(`setGradRows: Expected an Int32Array of row indices or null but received ${typeof rows}`);
      const count = this.shape.length === 0 ? 1 : this.shape[0]!;
      for (let i = 0; i < rows.length; i++) {
        if (rows[i]! < 0 || rows[i]! >= count || (i > 0 && rows[i]! <= rows[i - 1]!)) {
          throw new RangeError(`setGradRows: Expected strictly increasing row indices in [0, ${count}) but rows[${i}] is ${rows[i]}${i > 0 ? ` after ${rows[i - 1]}` : ''}`);
        }
      }
    }
    this.#gradRows = rows;
    this.#gradRowsOf = rows === null ? null : this.grad;
  }

  constructor(data: FloatArray, shape: Shape, options: { requiresGrad?: boolean; node?: Node | null; outputIndex?: number } = {}) {
    const size = sizeOf(shape);
    if (data.length !== size) {
      throw new RangeError(`Tensor: Expected ${size} values for shape ${formatShape(shape)} but received ${data.length}`);
    }
    this.data = data;
    this.shape = Object.freeze([...shape]);
    this.dtype = data instanceof Float64Array ? 'float64' : 'float32';
    this.node = options.node ?? null;
    this.outputIndex = options.outputIndex ?? 0;
    this.requiresGrad = options.requiresGrad ?? this.node !== null;
  }

  get size(): number {
    return this.data.length;
  }

  get ndim(): number {
    return this.shape.length;
  }

  /** Whether this tensor is a leaf of the graph (made by the user, not by an op). */
  get isLeaf(): boolean {
    return this.node === null;
  }

  /** The value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) {
      throw new RangeError(`item: Expected a tensor with one element but received shape ${formatShape(this.shape)}`);
    }
    return this.data[0]!;
  }

  /** The values as nested arrays following the shape (a number for a 0-d tensor). */
  toArray(): NestedArray {
    const build = (dim: number, offset: number): NestedArray => {
      if (dim === this.shape.length) return this.data[offset]!;
      const stride = sizeOf(this.shape.slice(dim + 1));
      return Array.from({ length: this.shape[dim]! }, (_, i) => build(dim + 1, offset + i * stride));
    };
    return build(0, 0);
  }

  /**
   * Calls fn with ∂L/∂this during backward(), once every use has contributed (for inspecting
   * gradients of intermediate tensors, which PyTorch keeps only for leaves). Returns a function
   * that removes the hook. The tensor passed must not be modified.
   */
  registerHook(fn: (grad: Tensor) => void): () => void {
    if (typeof fn !== 'function') throw new TypeError('registerHook: Expected a function');
    (this.hooks ??= []).push(fn);
    return () => {
      this.hooks = this.hooks?.filter((h) => h !== fn) ?? null;
    };
  }

  /** A tensor sharing these values with no history: gradients stop here. */
  detach(): Tensor {
    return new Tensor(this.data, this.shape);
  }

  toString(): string {
    return `Tensor(shape=${formatShape(this.shape)}, dtype=${this.dtype}${this.requiresGrad ? ', requiresGrad' : ''})`;
  }
}

export function sizeOf(shape: Shape): number {
  let size = 1;
  for (const d of shape) size *= d;
  return size;
}

export function checkShape(fn: string, shape: unknown): number[] {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    const shown = Array.isArray(shape) ? `[${shape.map((d) => JSON.stringify(d) ?? String(d)).join(', ')}]` : JSON.stringify(shape) ?? String(shape);
    throw new TypeError(`${fn}: Expected a shape (an array of non-negative integers) but received ${shown}`);
  }
  if (sizeOf(shape) > 2 ** 32) {
    throw new RangeError(`${fn}: Expected at most 2^32 elements but shape ${formatShape(shape)} holds ${sizeOf(shape)}`);
  }
  return shape;
}

function fresh(size: number, dtype: DType): FloatArray {
  return dtype === 'float64' ? new Float64Array(size) : new Float32Array(size);
}

/** What a BufferPool lends: op outputs and gradients, and the indices some ops keep for their backward. */
type PooledArray = FloatArray | Int32Array;

/**
 * Buffers reused from one training step to the next. Inside run(), every op output and
 * gradient comes from the pool; reclaim() makes everything lent since the last reclaim free
 * again, so the next step of the same shapes allocates nothing. Whatever was computed in a step
 * is only valid until the pool is reclaimed: copy what must outlive it.
 */
export class BufferPool {
  readonly #free = new Map<string, PooledArray[]>();
  readonly #lent = new Set<PooledArray>();
  /** How many buffers were made new, and how many handed out again. */
  readonly stats = { created: 0, reused: 0 };

  /**
   * A buffer of this size, reused when one is free: zero-filled, or with `zeroed` false as the
   * last step left it (for an output a kernel overwrites whole: no pass over memory to clear it).
   */
  take(size: number, dtype: DType, zeroed = true): FloatArray {
    const buffer = this.#free.get(`${dtype}:${size}`)?.pop();
    if (buffer) this.stats.reused++;
    else this.stats.created++;
    const out = buffer ? (zeroed ? buffer.fill(0) : buffer) : fresh(size, dtype);
    this.#lent.add(out);
    return out as FloatArray;
  }

  /**
   * An Int32Array of this size for indices a kernel writes whole (max pooling's argmax), reused
   * when one is free; it may hold a previous step's values until the kernel writes it.
   */
  takeIndices(size: number): Int32Array {
    const buffer = this.#free.get(`int32:${size}`)?.pop() as Int32Array | undefined;
    if (buffer) this.stats.reused++;
    else this.stats.created++;
    const out = buffer ?? new Int32Array(size);
    this.#lent.add(out);
    return out;
  }

  /**
   * Everything lent since the last reclaim is free again. Given back last-first, so a step that
   * repeats the last one's allocations gets the same buffer for each op.
   */
  reclaim(): void {
    const lent = [...this.#lent];
    for (let i = lent.length - 1; i >= 0; i--) this.give(lent[i]!);
    this.#lent.clear();
  }

  /** Stops tracking a lent buffer that lives on (a parameter's new gradient). */
  keep(buffer: PooledArray): void {
    this.#lent.delete(buffer);
  }

  /** Adds a buffer nothing uses any more (a gradient being dropped) to the free lists. */
  give(buffer: PooledArray): void {
    if (!(buffer instanceof Int32Array) && isHeldGradBuffer(buffer)) return; // a row-sparse gradient its parameter keeps (sparse-grad.ts)
    const key = `${buffer instanceof Float64Array ? 'float64' : buffer instanceof Int32Array ? 'int32' : 'float32'}:${buffer.length}`;
    const list = this.#free.get(key);
    if (list) list.push(buffer);
    else this.#free.set(key, [buffer]);
  }

  /** Runs fn with op outputs and gradients taken from this pool. */
  run<T>(fn: () => T): T {
    const previous = activePool;
    activePool = this;
    try {
      return fn();
    } finally {
      activePool = previous;
    }
  }
}

let activePool: BufferPool | null = null;

/**
 * Gradient buffers a parameter keeps from step to step (row-sparse gradients, zeroed row by row
 * rather than dropped): never handed to a pool, which would lend them out while still in use.
 */
const heldGradBuffers = new WeakSet<FloatArray>();

export function holdGradBuffer(buffer: FloatArray): void {
  heldGradBuffers.add(buffer);
}

export function isHeldGradBuffer(buffer: FloatArray): boolean {
  return heldGradBuffers.has(buffer);
}

/** A zero-filled array for an op's output or gradient: from the active pool, if any. */
export function allocate(shape: Shape, dtype: DType): FloatArray {
  const size = sizeOf(shape);
  return activePool ? activePool.take(size, dtype) : fresh(size, dtype);
}

/**
 * An array for an output the caller's kernel overwrites whole (a GEMM with beta 0, a fused
 * loss): from the active pool without zero-filling it, so it may hold a previous step's values
 * until the kernel writes it. Zero-filled when new. Use allocate() when anything is accumulated.
 */
export function allocateOutput(shape: Shape, dtype: DType): FloatArray {
  const size = sizeOf(shape);
  return activePool ? activePool.take(size, dtype, false) : fresh(size, dtype);
}

/** An Int32Array for indices a kernel writes whole: from the active pool, if any (its values then are stale until written). */
export function allocateIndices(size: number): Int32Array {
  return activePool ? activePool.takeIndices(size) : new Int32Array(size);
}

/** Takes a buffer out of the active pool's reuse: it now belongs to something long-lived. */
export function keepBuffer(buffer: FloatArray): void {
  activePool?.keep(buffer);
}

type Widen<T> = T extends Float32Array ? FloatArray : T;
type WidenArgs<F> = F extends (...args: infer A) => infer R ? (...args: { [K in keyof A]: Widen<A[K]> }) => R : never;
/** The kernels as tensors call them: float arrays of the tensor's dtype where the contract says Float32Array. */
export type Kernels = { readonly [K in KernelName]: WidenArgs<Backend[K]> };

/** The kernels a tensor of this dtype computes with. */
export function kernelsFor(dtype: DType): Kernels {
  return kernelsOf(dtype);
}

/** The common dtype of an op's inputs; mixing float32 and float64 is an error. */
export function commonDType(op: string, tensors: readonly Tensor[]): DType {
  const dtype = tensors[0]!.dtype;
  for (const t of tensors) {
    if (t.dtype !== dtype) {
      throw new TypeError(`${op}: Expected tensors of one dtype but received ${tensors.map((x) => x.dtype).join(' and ')}`);
    }
  }
  return dtype;
}

/** Re-exported for the ops and layers that import it with Tensor. */
export { formatShape };

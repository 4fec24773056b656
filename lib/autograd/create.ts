/** Making tensors: from data, constants, ranges and random draws. */
import type { DType, NestedArray, Shape, TensorOptions } from './tensor';
import { Tensor, allocate, checkShape, formatShape, kernelsFor, sizeOf } from './tensor';
import { takeStream } from './random';

function dtypeOf(fn: string, options: TensorOptions): DType {
  const dtype = options.dtype ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'float64') {
    throw new TypeError(`${fn}: Expected dtype "float32" or "float64" but received ${JSON.stringify(dtype)}`);
  }
  return dtype;
}

function make(fn: string, values: ArrayLike<number>, shape: Shape, options: TensorOptions): Tensor {
  const data = allocate(shape, dtypeOf(fn, options));
  data.set(values);
  return new Tensor(data, shape, { requiresGrad: options.requiresGrad ?? false });
}

/** The shape of nested arrays, checking that they are not ragged and hold only numbers. */
function shapeOfNested(value: NestedArray, path = 'data'): number[] {
  if (typeof value === 'number') return [];
  if (!Array.isArray(value)) throw new TypeError(`tensor: Expected numbers or arrays at ${path} but received ${typeof value}`);
  if (value.length === 0) return [0];
  const inner = shapeOfNested(value[0]!, `${path}[0]`);
  value.forEach((item, i) => {
    const s = shapeOfNested(item, `${path}[${i}]`);
    if (s.join() !== inner.join()) {
      throw new RangeError(`tensor: Expected ${path}[${i}] to have shape ${formatShape(inner)} like ${path}[0] but it has ${formatShape(s)}`);
    }
  });
  return [value.length, ...inner];
}

/**
 * A tensor from a number, nested arrays or a typed array (copied), with an optional shape
 * (required to reshape flat data).
 */
export function tensor(data: NestedArray | ArrayLike<number>, shape?: Shape, options: TensorOptions = {}): Tensor {
  let values: ArrayLike<number>;
  let inferred: number[];
  if (typeof data === 'number') {
    values = [data];
    inferred = [];
  } else if (ArrayBuffer.isView(data)) {
    values = data as ArrayLike<number>;
    inferred = [values.length];
  } else if (Array.isArray(data)) {
    inferred = shapeOfNested(data as NestedArray);
    values = (data as unknown[]).flat(Infinity) as number[];
  } else {
    throw new TypeError(`tensor: Expected a number, nested arrays or a typed array but received ${typeof data}`);
  }
  const target = shape === undefined ? inferred : checkShape('tensor', shape);
  if (sizeOf(target) !== values.length) {
    throw new RangeError(`tensor: Expected ${sizeOf(target)} values for shape ${formatShape(target)} but received ${values.length}`);
  }
  return make('tensor', values, target, options);
}

export function full(shape: Shape, value: number, options: TensorOptions = {}): Tensor {
  const data = allocate(checkShape('full', shape), dtypeOf('full', options)).fill(value);
  return new Tensor(data, shape, { requiresGrad: options.requiresGrad ?? false });
}

export function zeros(shape: Shape, options: TensorOptions = {}): Tensor {
  return full(shape, 0, options);
}

export function ones(shape: Shape, options: TensorOptions = {}): Tensor {
  return full(shape, 1, options);
}

/** start, start + step, … below end (as torch.arange); arange(n) is 0 … n − 1. */
export function arange(start: number, end?: number, step = 1, options: TensorOptions = {}): Tensor {
  if (end === undefined) [start, end] = [0, start];
  if (![start, end, step].every(Number.isFinite) || step === 0) {
    throw new RangeError(`arange: Expected finite start, end and a non-zero step but received ${start}, ${end}, ${step}`);
  }
  const count = Math.max(0, Math.ceil((end - start) / step));
  const values = Array.from({ length: count }, (_, i) => start + i * step);
  return make('arange', values, [count], options);
}

export interface UniformOptions extends TensorOptions {
  low?: number;
  high?: number;
}

/** Uniform in [low, high) (default [0, 1)) from the seeded generator. */
export function rand(shape: Shape, options: UniformOptions = {}): Tensor {
  const data = allocate(checkShape('rand', shape), dtypeOf('rand', options));
  const { seed, offset } = takeStream(data.length);
  kernelsFor(options.dtype ?? 'float32').fillUniform(data, seed, offset, options.low ?? 0, options.high ?? 1);
  return new Tensor(data, shape, { requiresGrad: options.requiresGrad ?? false });
}

export interface NormalOptions extends TensorOptions {
  mean?: number;
  std?: number;
}

/** Normal with the given mean and std (default N(0, 1)) from the seeded generator. */
export function randn(shape: Shape, options: NormalOptions = {}): Tensor {
  const data = allocate(checkShape('randn', shape), dtypeOf('randn', options));
  const { seed, offset } = takeStream(data.length);
  kernelsFor(options.dtype ?? 'float32').fillNormal(data, seed, offset, options.mean ?? 0, options.std ?? 1);
  return new Tensor(data, shape, { requiresGrad: options.requiresGrad ?? false });
}

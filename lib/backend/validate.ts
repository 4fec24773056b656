/**
 * Argument checks for the TypeScript backends, in the same voice as the addon's (native/args.h):
 * "<kernel>: Expected <what> for <name> but received <value>". TypeError for a wrong kind of
 * value or argument count, RangeError for a value of the right kind out of range.
 */

/** Largest integer a JavaScript number holds exactly. */
export const MAX_INDEX = Number.MAX_SAFE_INTEGER;

/** Describes a value for an error message: "a string", "NaN", "a Float64Array of length 3". */
export function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
    case 'number':
      return String(value);
    case 'string':
      return 'a string';
    case 'symbol':
      return 'a symbol';
    case 'bigint':
      return 'a bigint';
    case 'function':
      return 'a function';
  }
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return `a ${value.constructor.name} of length ${(value as unknown as ArrayLike<unknown>).length}`;
  }
  if (Array.isArray(value)) return 'an Array';
  if (value instanceof ArrayBuffer) return 'an ArrayBuffer';
  return 'an object';
}

function expected(fn: string, what: string, name: string, value: unknown): string {
  return `${fn}: Expected ${what} for ${name} but received ${describe(value)}`;
}

export function checkCount(fn: string, received: number, count: number): void {
  if (received !== count) {
    throw new TypeError(`${fn}: Expected ${count} arguments but received ${received}`);
  }
}

export function f32(fn: string, name: string, value: unknown): Float32Array {
  if (!(value instanceof Float32Array)) throw new TypeError(expected(fn, 'a Float32Array', name, value));
  return value;
}

export function u32(fn: string, name: string, value: unknown): Uint32Array {
  if (!(value instanceof Uint32Array)) throw new TypeError(expected(fn, 'a Uint32Array', name, value));
  return value;
}

export function i32(fn: string, name: string, value: unknown): Int32Array {
  if (!(value instanceof Int32Array)) throw new TypeError(expected(fn, 'an Int32Array', name, value));
  return value;
}

/** A non-negative integer no larger than 2^53 − 1: a size, a seed, an offset. */
export function index(fn: string, name: string, value: unknown): number {
  if (typeof value !== 'number') throw new TypeError(expected(fn, 'a non-negative integer', name, value));
  if (!(value >= 0) || value > MAX_INDEX || Math.floor(value) !== value) {
    throw new RangeError(expected(fn, 'a non-negative integer no larger than 2^53-1', name, value));
  }
  return value;
}

export function flag(fn: string, name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new TypeError(expected(fn, 'a boolean', name, value));
  return value;
}

const FLOAT32_MAX = 3.4028234663852886e38;

/** A finite number float32 can hold (alpha, beta). */
export function finiteFloat(fn: string, name: string, value: unknown): number {
  if (typeof value !== 'number') throw new TypeError(expected(fn, 'a finite float32 number', name, value));
  if (!Number.isFinite(value) || Math.abs(value) > FLOAT32_MAX) {
    throw new RangeError(expected(fn, 'a finite float32 number', name, value));
  }
  return value;
}

export function finiteDouble(fn: string, name: string, value: unknown): number {
  if (typeof value !== 'number') throw new TypeError(expected(fn, 'a finite number', name, value));
  if (!Number.isFinite(value)) throw new RangeError(expected(fn, 'a finite number', name, value));
  return value;
}

/** a · b, or a RangeError naming expr when the product passes 2^53 − 1. */
export function product(fn: string, a: number, b: number, expr: string): number {
  const p = a * b;
  if (p > MAX_INDEX) {
    throw new RangeError(`${fn}: Expected ${expr} to be no larger than 2^53-1 but it is ${p}`);
  }
  return p;
}

export function checkLength(
  fn: string, name: string, array: ArrayLike<number>, length: number, expr: string,
): void {
  if (array.length !== length) {
    const type = array.constructor.name;
    throw new RangeError(
      `${fn}: Expected a ${type} of length ${expr} = ${length} for ${name} but received a ${type} of length ${array.length}`,
    );
  }
}

/** Throws when out and input share bytes (same buffer, overlapping ranges, both non-empty). */
export function checkDisjoint(
  fn: string, outName: string, out: ArrayBufferView, inName: string, input: ArrayBufferView,
): void {
  if (out.buffer !== input.buffer || out.byteLength === 0 || input.byteLength === 0) return;
  const o = out.byteOffset;
  const i = input.byteOffset;
  if (o < i + input.byteLength && i < o + out.byteLength) {
    throw new RangeError(`${fn}: Expected ${outName} not to share memory with ${inName} but the two overlap`);
  }
}

/** Allows out to be exactly the input (elementwise in place), not a partial overlap. */
export function checkSameOrDisjoint(
  fn: string, outName: string, out: ArrayBufferView, inName: string, input: ArrayBufferView,
): void {
  if (out.buffer === input.buffer && out.byteOffset === input.byteOffset) return;
  checkDisjoint(fn, outName, out, inName, input);
}

/** The stream words offset … offset + length − 1 must have safe indices. */
export function checkStream(fn: string, length: number, offset: number): void {
  if (offset > MAX_INDEX - length) {
    throw new RangeError(`${fn}: Expected offset + out.length to be no larger than 2^53-1 but it is ${offset + length}`);
  }
}

/**
 * Checks of optimizer hyper-parameters, in the library's voice: "<Optimizer>: Expected <what>
 * for <name> but received <value>". The ranges are PyTorch's (torch.optim raises ValueError for
 * the same values), stricter only where a value outside makes the formula meaningless
 * (RMSprop's alpha and SGD's dampening above 1). They run at construction and before every
 * step, so a hyper-parameter changed between steps is checked too.
 */
import { describe } from '../backend/validate';

/** Merges options over the defaults (an option set to undefined keeps its default), refusing keys the optimizer does not know (typos). */
export function withDefaults<H extends object>(name: string, defaults: H, options: unknown): H {
  if (options === undefined) return { ...defaults };
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`${name}: Expected an options object but received ${describe(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!(key in defaults)) {
      throw new TypeError(`${name}: Expected options among ${Object.keys(defaults).join(', ')} but received "${key}"`);
    }
  }
  return { ...defaults, ...definedOnly(options) };
}

/** The entries whose value is not undefined. */
export function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function fail(name: string, what: string, key: string, value: unknown, type = false): never {
  const message = `${name}: Expected ${what} for ${key} but received ${describe(value)}`;
  throw type ? new TypeError(message) : new RangeError(message);
}

/** A finite number ≥ low (or > low when `open`). */
export function atLeast(name: string, key: string, value: unknown, low = 0, open = false): number {
  const what = `a finite number ${open ? '>' : '>='} ${low}`;
  if (typeof value !== 'number') fail(name, what, key, value, true);
  if (!Number.isFinite(value) || (open ? value <= low : value < low)) fail(name, what, key, value);
  return value;
}

/** A number in [low, high), or [low, high] when `closed`. */
export function inInterval(name: string, key: string, value: unknown, low: number, high: number, closed = false): number {
  const what = `a number in [${low}, ${high}${closed ? ']' : ')'}`;
  if (typeof value !== 'number') fail(name, what, key, value, true);
  if (!(value >= low && (closed ? value <= high : value < high))) fail(name, what, key, value);
  return value;
}

export function bool(name: string, key: string, value: unknown): boolean {
  if (typeof value !== 'boolean') fail(name, 'true or false', key, value, true);
  return value;
}

/** Adam's (β₁, β₂): two numbers, each in [0, 1). */
export function betas(name: string, value: unknown): readonly [number, number] {
  if (!Array.isArray(value) || value.length !== 2) fail(name, 'an Array [beta1, beta2]', 'betas', value, true);
  inInterval(name, 'betas[0]', value[0], 0, 1);
  inInterval(name, 'betas[1]', value[1], 0, 1);
  return value as [number, number];
}

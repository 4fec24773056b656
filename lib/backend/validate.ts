/**
 * The argument checker of the TypeScript backends: runs a kernel's plan (plan.ts) over the
 * arguments of a call, as native/plan.cc does in the addon, and throws a TypeError (a wrong kind
 * of value, a wrong argument count) or a RangeError (a value of the right kind out of range) in
 * the voice "<kernel>: Expected <what> for <name> but received <value>".
 */
import { runProgram } from './expression';
import type { ArgPlan, Plan, Template } from './plan';

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

const FLOAT32_MAX = 3.4028234663852886e38;

type View = ArrayBufferView & ArrayLike<number>;

const CLASSES = {
  Float32Array, Float64Array, Uint16Array, Int32Array, Uint32Array,
} as const;

/** Whether two views share bytes (both non-empty). */
function overlap(a: ArrayBufferView, b: ArrayBufferView): boolean {
  if (a.buffer !== b.buffer || a.byteLength === 0 || b.byteLength === 0) return false;
  return a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
}

const render = (t: Template, run: (p: number[]) => number) =>
  t.text.reduce((s, text, i) => s + text + (i < t.values.length ? String(run(t.values[i]!)) : ''), '');

/**
 * Checks a call against its plan and returns the arguments as the kernel takes them: float32
 * numbers rounded to float32 where the dtype computes in it, everything else as given.
 */
export function checkArguments(plan: Plan, args: ArrayLike<unknown>): unknown[] {
  if (args.length !== plan.arity) throw new TypeError(`${plan.countError}${args.length}`);
  const out = Array.from(args);
  const values = new Array<number>(plan.arity + plan.derived.length).fill(0);
  const lengths = new Array<number>(plan.arity).fill(0);
  plan.args.forEach((arg, i) => {
    const [value, length] = checkArgument(arg, out[i]);
    out[i] = value;
    if (typeof value === 'number') values[i] = value;
    else if (typeof value === 'boolean') values[i] = value ? 1 : 0;
    lengths[i] = length;
  });
  const fail = (message: number, value: number): never => {
    throw new RangeError(`${plan.strings[message]}${value}`);
  };
  const run = (program: number[]) => runProgram(program, values, lengths, fail);
  plan.derived.forEach((program, k) => {
    values[plan.arity + k] = run(program);
  });
  for (const r of plan.requires) {
    if (r.when && !run(r.when)) continue;
    if (!run(r.that)) throw new RangeError(render(r.message, run));
  }
  for (const l of plan.lengths) {
    const actual = lengths[l.position]!;
    if (l.mode === 'emptyWhen' && run(l.when!)) {
      if (actual !== 0) throw new RangeError(`${l.emptyError}${actual}`);
      continue;
    }
    const expected = run(l.expected);
    if (actual !== expected && !(l.mode === 'orEmpty' && actual === 0)) {
      throw new RangeError(`${l.error[0]}${expected}${l.error[1]}${actual}`);
    }
  }
  for (const d of plan.disjoint) {
    const a = out[d.output] as View;
    const b = out[d.other] as View;
    if (d.same && a.buffer === b.buffer && a.byteOffset === b.byteOffset) continue;
    if (overlap(a, b)) throw new RangeError(d.error);
  }
  plan.args.forEach((arg, i) => {
    if (arg.kind === 'list' && arg.output) checkListDisjoint(arg, out[i] as View[]);
  });
  for (const v of plan.values) {
    const array = out[v.position] as View;
    const min = run(v.min);
    const max = run(v.max);
    for (let i = 0; i < array.length; i++) {
      const x = array[i]!;
      const inside = (v.minOpen ? x > min : x >= min) && (v.maxOpen ? x < max : x <= max);
      if (!inside && !(v.nanPasses && Number.isNaN(x))) {
        throw new RangeError(`${render(v.message, run)}${v.item}[${i}] is ${x}`);
      }
    }
  }
  return out;
}

/** One argument's type and range: [the value the kernel takes, its length if it is an array]. */
function checkArgument(arg: ArgPlan, value: unknown): [unknown, number] {
  switch (arg.kind) {
    case 'array':
      if (!(value instanceof CLASSES[arg.type])) throw new TypeError(arg.typeError + describe(value));
      return [value, (value as View).length];
    case 'list': {
      if (!Array.isArray(value)) throw new TypeError(arg.typeError + describe(value));
      for (let k = 0; k < value.length; k++) {
        // Holes included: a sparse Array is refused at its first hole.
        if (!(value[k] instanceof CLASSES[arg.type])) {
          throw new TypeError(`${arg.elementError[0]}${k}${arg.elementError[1]}${describe(value[k])}`);
        }
      }
      return [value, value.length];
    }
    case 'index': {
      if (typeof value !== 'number') throw new TypeError(arg.typeError + describe(value));
      if (!(value >= 0) || value > MAX_INDEX || Math.floor(value) !== value) throw new RangeError(arg.rangeError + describe(value));
      if (value < arg.min || value > arg.max) throw new RangeError(arg.boundError + describe(value));
      return [value, 0];
    }
    case 'flag':
      if (typeof value !== 'boolean') throw new TypeError(arg.typeError + describe(value));
      return [value, 0];
    case 'number': {
      if (typeof value !== 'number') throw new TypeError(arg.typeError + describe(value));
      if (!Number.isFinite(value) || (arg.float32 && Math.abs(value) > FLOAT32_MAX)) {
        throw new RangeError(arg.typeError + describe(value));
      }
      const v = arg.round ? Math.fround(value) : value;
      const inside = (arg.minOpen ? v > arg.min : v >= arg.min) && (arg.maxOpen ? v < arg.max : v <= arg.max);
      if (!inside) throw new RangeError(arg.boundError + describe(value));
      return [v, 0];
    }
    case 'choice':
      if (typeof value !== 'string' || !arg.choices.includes(value)) throw new TypeError(arg.typeError + describe(value));
      return [value, 0];
  }
}

/**
 * Arrays written in place must not share memory (the same array twice would be scaled twice):
 * per buffer, sorted by offset, neighbours must not overlap, as the addon checks them by address.
 */
function checkListDisjoint(arg: Extract<ArgPlan, { kind: 'list' }>, list: View[]): void {
  const byBuffer = new Map<ArrayBufferLike, number[]>();
  list.forEach((g, k) => {
    if (g.byteLength === 0) return;
    const group = byBuffer.get(g.buffer) ?? [];
    group.push(k);
    byBuffer.set(g.buffer, group);
  });
  for (const group of byBuffer.values()) {
    group.sort((a, b) => list[a]!.byteOffset - list[b]!.byteOffset);
    for (let j = 1; j < group.length; j++) {
      const [a, b] = [group[j - 1]!, group[j]!];
      if (list[a]!.byteOffset + list[a]!.byteLength > list[b]!.byteOffset) {
        const [first, second] = a < b ? [a, b] : [b, a];
        throw new RangeError(`${arg.overlapError[0]}${second}${arg.overlapError[1]}${first}${arg.overlapError[2]}`);
      }
    }
  }
}

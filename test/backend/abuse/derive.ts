// The argument-abuse cases of a kernel, derived from its declaration: the kind of each argument,
// a valid call (from the declared examples and lengths), and valid-typed calls that must be
// refused (lengths one off, values just outside their declared range, outputs overlapping the
// arrays they must not overlap, elements outside their declared interval).
import type { KernelName } from '../../../lib/backend';
import type { Arg, ArrayArg, Declaration, Length, Range } from '../../../lib/backend/declare';
import { compile, namesIn, runProgram } from '../../../lib/backend/expression';
import { DECLARATIONS } from '../../../lib/backend/registry';
import type { Kind } from './signature';

const ARRAYS = { data: Float32Array, float32: Float32Array, int32: Int32Array, uint32: Uint32Array } as const;

export function kindOf(arg: Arg): Kind {
  switch (arg.kind) {
    case 'array': return arg.element === 'int32' ? 'i32' : arg.element === 'uint32' ? 'u32' : 'f32';
    case 'list': return 'f32list';
    case 'float': return 'float';
    case 'double': return 'double';
    default: return arg.kind;
  }
}

const expressionOf = (length: Length) => (typeof length === 'string' ? length : length.expr);

/** Evaluates an expression over the numbers and array lengths chosen so far, and the derived sizes (in order, each over those before it). */
function evaluate(declaration: Declaration, source: string, args: unknown[]): number {
  const names = declaration.args.map((a) => a.name);
  const derived = Object.keys(declaration.derive);
  const values = args.map((v) => (typeof v === 'number' ? v : typeof v === 'boolean' ? Number(v) : 0));
  const lengths = args.map((v) => (ArrayBuffer.isView(v) ? (v as Float32Array).length : 0));
  const scope = {
    value: (n: string) => {
      const i = names.indexOf(n);
      return i >= 0 ? i : derived.includes(n) ? names.length + derived.indexOf(n) : undefined;
    },
    array: (n: string) => (names.includes(n) ? names.indexOf(n) : undefined),
  };
  const run = (text: string) => runProgram(compile(text, scope, () => 0), values, lengths, () => {
    throw new Error(`example: ${text} overflows`);
  });
  for (const d of derived) values.push(run(declaration.derive[d]!));
  return run(source);
}

/** A number inside a declared range (its example if it has one). */
function inside(range: Range & { example?: number }, fallback: number): number {
  if (range.example !== undefined) return range.example;
  const { min, max } = range;
  if (min !== undefined && max !== undefined) return (min + max) / 2;
  if (min !== undefined) return Math.max(min + (range.minOpen ? 1 : 0), fallback);
  if (max !== undefined) return Math.min(fallback, max - 1);
  return fallback;
}

/** The valid example call of a declaration, fresh each time. */
export function exampleCall(name: KernelName): unknown[] {
  const declaration = DECLARATIONS[name];
  const args: unknown[] = declaration.args.map(() => undefined);
  let nextIndex = 2;
  declaration.args.forEach((arg, i) => {
    switch (arg.kind) {
      case 'index': args[i] = inside(arg, nextIndex++); break;
      case 'flag': args[i] = arg.example ?? false; break;
      case 'float':
      case 'double': args[i] = inside(arg, 0.5); break;
      case 'choice': args[i] = arg.choices[arg.choices.length - 1]; break;
      case 'list': args[i] = [new Float32Array(3), new Float32Array(0), new Float32Array(5)]; break;
      case 'array': break;
    }
  });
  // Arrays without a length of their own first (others may refer to theirs), then the rest.
  const arrays = declaration.args.map((a, i) => [a, i] as const).filter(([a]) => a.kind === 'array') as [ArrayArg, number][];
  for (const pass of [false, true]) {
    for (const [arg, i] of arrays) {
      if ((arg.length !== undefined) !== pass) continue;
      let length = arg.example?.length ?? 5;
      if (arg.length !== undefined) {
        const empty = typeof arg.length !== 'string' && 'emptyWhen' in arg.length && evaluate(declaration, arg.length.emptyWhen, args);
        length = empty ? 0 : evaluate(declaration, expressionOf(arg.length), args);
      }
      const array = new ARRAYS[arg.element](length);
      if (arg.example) array.set(arg.example);
      args[i] = array;
    }
  }
  return args;
}

/** Arrays whose length nothing fixes: no length of their own, and no other array's length reads it. */
function freeArrays(declaration: Declaration): Set<string> {
  const read = new Set<string>();
  const expressions = declaration.args.flatMap((a) => (a.kind === 'array' && a.length !== undefined ? [expressionOf(a.length)] : []));
  for (const e of expressions) for (const n of namesIn(e)) if (n.endsWith('.length')) read.add(n.slice(0, -'.length'.length));
  return new Set(declaration.args.filter((a) => a.kind === 'array' && a.length === undefined && !read.has(a.name)).map((a) => a.name));
}

export interface BadCall {
  label: string;
  args: unknown[];
}

/** Copies of the example call with one argument replaced. */
function replaced(name: KernelName, position: number, value: unknown): unknown[] {
  const args = exampleCall(name);
  args[position] = value;
  return args;
}

/** Lengths one off, numbers just outside their range, overlaps, elements outside their interval. */
export function derivedRefusals(name: KernelName): BadCall[] {
  const declaration = DECLARATIONS[name];
  const calls: BadCall[] = [];
  const free = freeArrays(declaration);
  const example = exampleCall(name);
  declaration.args.forEach((arg, position) => {
    if (arg.kind === 'array' && !free.has(arg.name)) {
      const length = (example[position] as Float32Array).length;
      const orEmpty = arg.length !== undefined && typeof arg.length !== 'string';
      for (const delta of [-1, 1]) {
        if (length + delta < 0 || (orEmpty && length + delta === 0)) continue;
        calls.push({ label: `${arg.name} of length ${length + delta}`, args: replaced(name, position, new ARRAYS[arg.element](length + delta)) });
      }
    }
    if (arg.kind === 'index' || arg.kind === 'float' || arg.kind === 'double') {
      const low = arg.min ?? (arg.kind === 'index' ? 0 : undefined);
      if (low !== undefined) {
        const below = arg.minOpen ? low : arg.kind === 'index' ? low - 1 : low - Math.max(1e-3, Math.abs(low) * 1e-3);
        calls.push({ label: `${arg.name} = ${below}`, args: replaced(name, position, below) });
      }
      if (arg.max !== undefined) {
        const above = arg.maxOpen ? arg.max : arg.max + (arg.kind === 'index' ? 1 : Math.max(1e-3, Math.abs(arg.max) * 1e-3));
        calls.push({ label: `${arg.name} = ${above}`, args: replaced(name, position, above) });
      }
    }
    if (arg.kind === 'array' && arg.values !== undefined && (example[position] as Float32Array).length > 0) {
      const bad = exampleCall(name);
      const [, upper] = arg.values.slice(1, -1).split(',').map((s) => s.trim());
      const closed = arg.values.endsWith(']');
      (bad[position] as Float32Array)[0] = evaluate(declaration, upper!, bad) + (closed ? 0.5 : 0);
      calls.push({ label: `${arg.name}[0] outside ${arg.values}`, args: bad });
    }
  });
  calls.push(...overlaps(name));
  return calls;
}

/** Each output partly over each other array, and exactly on it unless it may be that input. */
function overlaps(name: KernelName): BadCall[] {
  const declaration = DECLARATIONS[name];
  const calls: BadCall[] = [];
  declaration.args.forEach((out, o) => {
    if (out.kind !== 'array' || out.role === 'in') return;
    declaration.args.forEach((other, p) => {
      if (p === o || other.kind !== 'array') return;
      const args = exampleCall(name);
      const a = args[o] as Float32Array;
      const b = args[p] as Float32Array;
      if (a.length === 0 || b.length === 0) return;
      const buffer = new ArrayBuffer((a.length + b.length) * 4);
      const shift = (view: Float32Array, at: number) => new (view.constructor as Float32ArrayConstructor)(buffer, at * 4, view.length);
      // b at the start, a from b's last element: they share exactly one element.
      const partly = args.slice();
      partly[p] = shift(b, 0);
      partly[o] = shift(a, b.length - 1);
      calls.push({ label: `${out.name} overlapping ${other.name}`, args: partly });
      if (!out.inPlace?.includes(other.name) && a.length === b.length && a.constructor === b.constructor) {
        const same = args.slice();
        same[o] = same[p];
        calls.push({ label: `${out.name} being ${other.name}`, args: same });
      }
    });
  });
  return calls;
}

/**
 * A kernel's argument checks, compiled from its declaration for one dtype: what validate.ts runs
 * before a reference loop and native/plan.cc runs before a C++ kernel. Both run the same plan in
 * the same order with the same messages, so the backends refuse a bad call alike:
 *
 *   1. the argument count;
 *   2. each argument in order: its type, then its range ("Expected … for name but received …");
 *   3. the derived sizes; 4. the requirements; 5. every array's length;
 *   6. outputs against every other array (no shared memory, except an output that is exactly an
 *      input it may overwrite); arrays of a list that is written, pairwise;
 *   7. the elements of arrays whose values are constrained (labels, indices, targets).
 *
 * Every message is written out here; the checkers only append the values they found.
 */
import type { Arg, ArrayArg, Declaration, DType, Element, Length, NumberArg, Range } from './declare';
import { compile, MAX_SAFE, type Scope } from './expression';

/** A message with values: text[0] value[0] text[1] … text[n]; values are programs. */
export interface Template {
  text: string[];
  values: number[][];
}

/** Typed-array classes by element; bfloat16 is stored in a Uint16Array. */
export type ArrayType = 'Float32Array' | 'Float64Array' | 'Uint16Array' | 'Int32Array' | 'Uint32Array';

export type ArgPlan =
  | { kind: 'array'; type: ArrayType; output: boolean; typeError: string }
  | { kind: 'list'; type: ArrayType; output: boolean; typeError: string; elementError: [string, string]; overlapError: [string, string, string] }
  | { kind: 'index'; typeError: string; rangeError: string; min: number; max: number; boundError: string }
  | { kind: 'flag'; typeError: string }
  | {
    kind: 'number'; float32: boolean; round: boolean; typeError: string;
    min: number; max: number; minOpen: boolean; maxOpen: boolean; boundError: string;
  }
  | { kind: 'choice'; choices: string[]; typeError: string };

export interface LengthPlan {
  position: number;
  expected: number[];
  /** exact: length = expected; orEmpty: expected or 0; emptyWhen: 0 when `when`, else expected. */
  mode: 'exact' | 'orEmpty' | 'emptyWhen';
  when: number[] | null;
  /** Before the expected length, and between it and the received one. */
  error: [string, string];
  emptyError: string;
}

export interface Plan {
  kernel: string;
  dtype: DType;
  arity: number;
  /** Messages the programs throw (overflowing sizes, zero divisors), by index. */
  strings: string[];
  countError: string;
  args: ArgPlan[];
  /** Programs for the derived sizes, in number slots arity, arity + 1, … */
  derived: number[][];
  requires: { when: number[] | null; that: number[]; message: Template }[];
  lengths: LengthPlan[];
  disjoint: { output: number; other: number; same: boolean; error: string }[];
  values: {
    position: number; min: number[]; max: number[]; minOpen: boolean; maxOpen: boolean;
    nanPasses: boolean; message: Template; item: string;
  }[];
  returns: boolean;
}

const DATA_TYPES: Record<DType, ArrayType> = { float32: 'Float32Array', float64: 'Float64Array', bfloat16: 'Uint16Array' };
const FIXED_TYPES: Record<Exclude<Element, 'data'>, ArrayType> = { float32: 'Float32Array', int32: 'Int32Array', uint32: 'Uint32Array' };

export function arrayType(element: Element, dtype: DType): ArrayType {
  return element === 'data' ? DATA_TYPES[dtype] : FIXED_TYPES[element];
}

/** "an Int32Array" but "a Uint32Array" (a "you"), as the messages always said. */
const article = (type: string) => (/^[AEIO]/.test(type) ? `an ${type}` : `a ${type}`);

/** 2^31 − 1 as "2^31-1", other bounds as JavaScript prints them. */
export function formatBound(v: number): string {
  if (v >= 65535 && Number.isInteger(Math.log2(v + 1))) return `2^${Math.log2(v + 1)}-1`;
  return String(v);
}

/** "a number in [0, 1)", "a float32 number > 0", "an integer >= 1". */
function rangePhrase(range: Range, what: string, defaultMax: number): string {
  if (range.expected) return range.expected;
  const low = range.min !== undefined && range.min > (what === 'an integer' ? 0 : -Infinity) ? range.min : undefined;
  const high = range.max !== undefined && range.max < defaultMax ? range.max : undefined;
  if (low !== undefined && high !== undefined) {
    return `${what} in ${range.minOpen ? '(' : '['}${formatBound(low)}, ${formatBound(high)}${range.maxOpen ? ')' : ']'}`;
  }
  if (low !== undefined) return `${what} ${range.minOpen ? '>' : '>='} ${formatBound(low)}`;
  if (high !== undefined) return what === 'an integer' ? `${what} no larger than ${formatBound(high)}` : `${what} ${range.maxOpen ? '<' : '<='} ${formatBound(high)}`;
  return what;
}

function hasBounds(range: Range, defaultMin: number, defaultMax: number): boolean {
  return (range.min !== undefined && range.min > defaultMin) || (range.max !== undefined && range.max < defaultMax) ||
    range.expected !== undefined;
}

/** Parses "[0, cols)" or "[0, 1]" into its bounds. */
function interval(source: string): { min: string; max: string; minOpen: boolean; maxOpen: boolean } {
  const match = /^\s*([[(])(.*),(.*)([\])])\s*$/.exec(source);
  if (!match) throw new SyntaxError(`values "${source}": Expected an interval such as [0, cols)`);
  return { minOpen: match[1] === '(', min: match[2]!.trim(), max: match[3]!.trim(), maxOpen: match[4] === ')' };
}

const isLiteral = (expr: string) => /^-?\d+(\.\d+)?$/.test(expr);

/** Compiles the checks of kernel `name` for `dtype`. */
export function planKernel(name: string, declaration: Declaration, dtype: DType): Plan {
  const { args } = declaration;
  const strings: string[] = [];
  const messageIndex = new Map<string, number>();
  const intern = (text: string) => {
    let i = messageIndex.get(text);
    if (i === undefined) {
      i = strings.push(text) - 1;
      messageIndex.set(text, i);
    }
    return i;
  };
  const derivedNames = Object.keys(declaration.derive);
  const scope: Scope = {
    value: (n) => {
      const i = args.findIndex((a) => a.name === n && (a.kind === 'index' || a.kind === 'flag' || a.kind === 'float' || a.kind === 'double'));
      if (i >= 0) return i;
      const d = derivedNames.indexOf(n);
      return d >= 0 ? args.length + d : undefined;
    },
    array: (n) => {
      const i = args.findIndex((a) => a.name === n && a.kind === 'array');
      return i >= 0 ? i : undefined;
    },
  };
  const program = (source: string) => compile(source, scope, (text, why) => intern(
    why === 'overflow'
      ? `${name}: Expected ${text} to be no larger than 2^53-1 but it is `
      : `${name}: Expected ${text} to be non-zero but it is `,
  ));
  const template = (source: string): Template => {
    const text: string[] = [];
    const values: number[][] = [];
    let rest = source;
    for (let match = /\{([^}]*)\}/.exec(rest); match; match = /\{([^}]*)\}/.exec(rest)) {
      text.push(rest.slice(0, match.index));
      values.push(program(match[1]!));
      rest = rest.slice(match.index + match[0].length);
    }
    text.push(rest);
    text[0] = `${name}: ${text[0]}`;
    return { text, values };
  };

  const argPlans = args.map((arg) => planArg(name, arg, dtype));
  const lengths: LengthPlan[] = [];
  const disjoint: Plan['disjoint'] = [];
  const values: Plan['values'] = [];
  args.forEach((arg, position) => {
    if (arg.kind !== 'array') return;
    const type = arrayType(arg.element, dtype);
    if (arg.length !== undefined) lengths.push(planLength(name, arg.name, type, position, arg.length, program));
    if (arg.role !== 'in') {
      args.forEach((other, at) => {
        if (at === position || other.kind !== 'array') return;
        disjoint.push({
          output: position, other: at, same: arg.inPlace?.includes(other.name) ?? false,
          error: `${name}: Expected ${arg.name} not to share memory with ${other.name} but the two overlap`,
        });
      });
    }
    if (arg.values) values.push(planValues(name, arg, position, dtype, program));
  });
  checkNames(name, declaration);
  return {
    kernel: name,
    dtype,
    arity: args.length,
    strings,
    countError: `${name}: Expected ${args.length} arguments but received `,
    args: argPlans,
    derived: derivedNames.map((d) => program(declaration.derive[d]!)),
    requires: declaration.requires.map((r) => ({
      when: r.when === undefined ? null : program(r.when), that: program(r.that), message: template(r.message),
    })),
    lengths,
    disjoint,
    values,
    returns: declaration.returns === 'number',
  };
}

function planArg(kernel: string, arg: Arg, dtype: DType): ArgPlan {
  const expected = (what: string) => `${kernel}: Expected ${what} for ${arg.name} but received `;
  switch (arg.kind) {
    case 'array': {
      const type = arrayType(arg.element, dtype);
      return { kind: 'array', type, output: arg.role !== 'in', typeError: expected(article(type)) };
    }
    case 'list': {
      const type = arrayType('data', dtype);
      return {
        kind: 'list', type, output: arg.role !== 'in', typeError: expected(`an Array of ${type}s`),
        elementError: [`${kernel}: Expected ${article(type)} for ${arg.name}[`, '] but received '],
        overlapError: [`${kernel}: Expected ${arg.name}[`, `] not to share memory with ${arg.name}[`, '] but the two overlap'],
      };
    }
    case 'index': {
      const min = arg.min ?? 0;
      const max = arg.max ?? MAX_SAFE;
      return {
        kind: 'index',
        typeError: expected('a non-negative integer'),
        rangeError: expected('a non-negative integer no larger than 2^53-1'),
        min, max,
        boundError: hasBounds(arg, 0, MAX_SAFE) ? expected(rangePhrase(arg, 'an integer', MAX_SAFE)) : '',
      };
    }
    case 'flag':
      return { kind: 'flag', typeError: expected('a boolean') };
    case 'float':
    case 'double':
      return planNumber(arg, dtype, expected);
    case 'choice': {
      const quoted = arg.choices.map((c) => `"${c}"`);
      const list = quoted.length > 1 ? `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}` : quoted[0]!;
      return { kind: 'choice', choices: [...arg.choices], typeError: expected(list) };
    }
  }
}

function planNumber(arg: NumberArg, dtype: DType, expected: (what: string) => string): ArgPlan {
  const float32 = arg.kind === 'float';
  const what = float32 ? 'a float32 number' : 'a number';
  return {
    kind: 'number',
    float32,
    round: float32 && dtype !== 'float64',
    typeError: expected(float32 ? 'a finite float32 number' : 'a finite number'),
    // The largest doubles, not ±Infinity: the number is finite by then, and a plan stays plain
    // JSON (a worker or a child process can bind a kernel from a serialized plan).
    min: arg.min ?? -Number.MAX_VALUE,
    max: arg.max ?? Number.MAX_VALUE,
    minOpen: arg.minOpen ?? false,
    maxOpen: arg.maxOpen ?? false,
    boundError: hasBounds(arg, -Infinity, Infinity) ? expected(rangePhrase(arg, what, Infinity)) : '',
  };
}

function planLength(
  kernel: string, name: string, type: ArrayType, position: number, length: Length, program: (s: string) => number[],
): LengthPlan {
  const expr = typeof length === 'string' ? length : length.expr;
  const orEmpty = typeof length !== 'string' && 'orEmpty' in length;
  const emptyWhen = typeof length !== 'string' && 'emptyWhen' in length ? length : undefined;
  return {
    position,
    expected: program(expr),
    mode: orEmpty ? 'orEmpty' : emptyWhen ? 'emptyWhen' : 'exact',
    when: emptyWhen ? program(emptyWhen.emptyWhen) : null,
    error: [`${kernel}: Expected ${article(type)} of length ${expr} = `, `${orEmpty ? ' or 0' : ''} for ${name} but received ${article(type)} of length `],
    emptyError: emptyWhen ? `${kernel}: Expected an empty ${type} for ${name} (unused when ${emptyWhen.reason}) but received ${article(type)} of length ` : '',
  };
}

function planValues(
  kernel: string, arg: ArrayArg, position: number, dtype: DType, program: (s: string) => number[],
): Plan['values'][number] {
  const bounds = interval(arg.values!);
  const open = bounds.minOpen ? '(' : '[';
  const close = bounds.maxOpen ? ')' : ']';
  const literal = isLiteral(bounds.min) && isLiteral(bounds.max);
  const head = `Expected ${arg.name} in ${open}${bounds.min}, ${bounds.max}${close}`;
  const message: Template = literal
    ? { text: [`${kernel}: ${head} but `], values: [] }
    : { text: [`${kernel}: ${head} = ${open}`, ', ', `${close} but `], values: [program(bounds.min), program(bounds.max)] };
  return {
    position,
    min: program(bounds.min), max: program(bounds.max), minOpen: bounds.minOpen, maxOpen: bounds.maxOpen,
    nanPasses: arrayType(arg.element, dtype) !== 'Int32Array' && arrayType(arg.element, dtype) !== 'Uint32Array',
    message, item: arg.name,
  };
}

/** Names are unique and in-place partners exist (compile() refuses unknown names in expressions). */
function checkNames(kernel: string, declaration: Declaration): void {
  const names = new Set<string>([...declaration.args.map((a) => a.name), ...Object.keys(declaration.derive)]);
  if (names.size !== declaration.args.length + Object.keys(declaration.derive).length) {
    throw new SyntaxError(`${kernel}: two arguments or derived sizes share a name`);
  }
  for (const arg of declaration.args) {
    if (arg.kind === 'array') for (const other of arg.inPlace ?? []) {
      if (!names.has(other)) throw new SyntaxError(`${kernel}: ${arg.name} may be ${other}, which is not an argument`);
    }
  }
}

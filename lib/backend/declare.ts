/**
 * The words a kernel is declared with (lib/backend/kernels/<area>.ts), once: its ordered
 * arguments, what each may hold, which it writes, the dtypes it accepts, its reference loop and
 * its error bound. Everything else is derived from a declaration: the Backend type, the argument
 * checks of the reference and native backends (plan.ts), the checked backend's comparisons, the
 * argument-abuse tests and the native registration.
 *
 * Expressions (lengths, conditions, derived sizes) are strings over the index, flag and number
 * arguments, `name.length` of an array argument, integer literals, + − * / (floor division),
 * comparisons, && || ! and parentheses: `m*k`, `(classes-1)*features`, `rows > 0`.
 */
import type { Tolerance } from './compare';

/** The element types of a kernel: float32 by default, float64 for gradient checks, bfloat16 for mixed precision. */
export const DTYPES = ['float32', 'float64', 'bfloat16'] as const;
export type DType = (typeof DTYPES)[number];

/** How each dtype's arrays are stored: bfloat16 as its 16 bits (the high half of a float32). */
export interface DTypeStorage {
  float32: Float32Array;
  float64: Float64Array;
  bfloat16: Uint16Array;
}

/** Arrays whose element type does not follow the dtype: labels, indices, random words. */
export interface FixedStorage {
  int32: Int32Array;
  uint32: Uint32Array;
  float32: Float32Array;
}

/** 'data': an array of the kernel's dtype; otherwise a fixed element type. */
export type Element = 'data' | keyof FixedStorage;
/** in: read only; out: written (its old contents are not read); inout: read and written. */
export type Role = 'in' | 'out' | 'inout';

/** The array lengths an argument may have. */
export type Length =
  /** Exactly this expression. */
  | string
  /** This expression, or 0 (an optional per-class array). */
  | { readonly expr: string; readonly orEmpty: true }
  /** Empty when `when` holds (the state an option leaves unused, `reason` says why), else `expr`. */
  | { readonly expr: string; readonly emptyWhen: string; readonly reason: string };

export interface ArrayArg<E extends Element = Element, R extends Role = Role> {
  readonly kind: 'array';
  readonly name: string;
  readonly element: E;
  readonly role: R;
  /** Absent: any length (another argument's length expression may refer to it). */
  readonly length?: Length;
  /** The inputs this output may be exactly (in place); it must not overlap any other array. */
  readonly inPlace?: readonly string[];
  /** Every element in this interval, `[0, cols)` or `[0, 1]` (NaN passes in float arrays). */
  readonly values?: string;
  /** Contents for a valid example call (the argument-abuse tests; zeros when absent). */
  readonly example?: readonly number[];
}

/** An Array of arrays of the kernel's dtype (a model's gradients): any count, any lengths. */
export interface ListArg<R extends Role = Role> {
  readonly kind: 'list';
  readonly name: string;
  readonly role: R;
}

/** A closed or half-open interval for a number argument; absent bounds are unbounded. */
export interface Range {
  readonly min?: number;
  readonly max?: number;
  /** The bound itself excluded: (min, … or …, max). */
  readonly minOpen?: boolean;
  readonly maxOpen?: boolean;
  /** Says what is expected in a message instead of the interval ("a step number of at least 1"). */
  readonly expected?: string;
}

export interface IndexArg extends Range {
  readonly kind: 'index';
  readonly name: string;
  readonly example?: number;
}

export interface FlagArg {
  readonly kind: 'flag';
  readonly name: string;
  readonly example?: boolean;
}

/**
 * 'float': a finite number float32 can hold, rounded to the dtype's precision before the kernel
 * sees it (float32 and bfloat16: to float32); 'double': a finite number kept in double.
 */
export interface NumberArg<K extends 'float' | 'double' = 'float' | 'double'> extends Range {
  readonly kind: K;
  readonly name: string;
  readonly example?: number;
}

export interface ChoiceArg<C extends string = string> {
  readonly kind: 'choice';
  readonly name: string;
  readonly choices: readonly C[];
}

export type Arg = ArrayArg | ListArg | IndexArg | FlagArg | NumberArg | ChoiceArg;

/**
 * What a reference loop runs with as `this`: the dtype it computes in and the rounding that
 * goes with it (float32 and bfloat16 round each stored or intermediate value to float32, float64
 * rounds nothing), and a RangeError in the kernel's voice for checks only the loop can make.
 */
export interface ReferenceContext {
  readonly kernel: string;
  readonly dtype: DType;
  round(value: number): number;
  rangeError(message: string): RangeError;
}

/** The float arrays a reference loop takes: the same loop serves float32 and float64. */
export type Floats = Float32Array | Float64Array;

/** One argument's type in a dtype ('reference': either float array, as the reference loops take them). */
export type ArgType<A, D extends DType | 'reference'> =
  A extends ArrayArg<infer E>
    ? E extends 'data'
      ? D extends DType ? DTypeStorage[D] : Floats
      : E extends keyof FixedStorage ? FixedStorage[E] : never
    : A extends ListArg ? (D extends DType ? DTypeStorage[D] : Floats)[]
    : A extends FlagArg ? boolean
    : A extends ChoiceArg<infer C> ? C
    : number;

/** The arguments of a declaration as a tuple of the dtype's types ('reference': either float array). */
export type ArgTypes<A extends readonly Arg[], D extends DType | 'reference'> = { -readonly [I in keyof A]: ArgType<A[I], D> };

/** What a kernel returns: nothing, or a number (a norm, an index). */
export type Returns = 'void' | 'number';
type ResultType<R extends Returns> = R extends 'number' ? number : void;

/** The names of the arrays a kernel writes. */
export type OutputName<A extends readonly Arg[]> = Extract<A[number], { readonly role: 'out' | 'inout' }>['name'];

/** A kernel as its declaration gives it, before it is typed for a dtype. */
export interface Declaration<A extends readonly Arg[] = readonly Arg[], F extends AnyReference = AnyReference> {
  readonly args: A;
  /** The plain loop that is the oracle (lib/backend/reference/<area>.ts). */
  readonly reference: F;
  readonly returns: Returns;
  /** The dtypes it computes in. */
  readonly dtypes: readonly DType[];
  /** Named sizes computed from the arguments, usable in the expressions (an output height). */
  readonly derive: Readonly<Record<string, string>>;
  /** Conditions on the arguments together, each with its message (`{expr}` is replaced by its value). */
  readonly requires: readonly Requirement[];
  /**
   * The allowed difference per element of an output between a native result and the
   * reference's, from the arguments as they were before the call; `rerun` runs the reference
   * on arguments. Absent: the two must agree exactly (NaN matching NaN).
   */
  readonly tolerance?: (before: unknown[], output: string, rerun: (...args: unknown[]) => unknown) => Tolerance;
  /** For a kernel that returns a number: how far the native result may lie from the reference's. */
  readonly resultTolerance?: (before: unknown[], rerun: (...args: unknown[]) => unknown) => number;
}

export interface Requirement {
  /** Checked only when this holds. */
  readonly when?: string;
  readonly that: string;
  /** "Expected … but received …", with `{expr}` for values. */
  readonly message: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyReference = (this: ReferenceContext, ...args: any[]) => unknown;
/** The rerun a tolerance helper shared by kernels of different arguments takes. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Rerun = (...args: any[]) => unknown;

interface DeclarationInput<A extends readonly Arg[], F, R extends Returns> {
  args: A;
  reference: F;
  returns?: R;
  dtypes?: readonly DType[];
  derive?: Record<string, string>;
  requires?: readonly Requirement[];
  tolerance?: (before: ArgTypes<A, 'float32'>, output: OutputName<A>, rerun: (...args: ArgTypes<A, 'float32'>) => ResultType<R>) => Tolerance;
  resultTolerance?: (before: ArgTypes<A, 'float32'>, rerun: (...args: ArgTypes<A, 'float32'>) => ResultType<R>) => number;
}

/** The dtypes a kernel computes in unless its declaration says otherwise. */
export const DEFAULT_DTYPES: readonly DType[] = ['float32', 'float64'];

/**
 * Declares a kernel. Its reference loop must take exactly the declared arguments, of the types
 * they declare (float arrays as Float32Array | Float64Array: the same loop computes float64).
 */
export function kernel<
  const A extends readonly Arg[],
  F extends (this: ReferenceContext, ...args: ArgTypes<A, 'reference'>) => ResultType<R>,
  R extends Returns = 'void',
>(input: DeclarationInput<A, F, R>): Declaration<A, F> {
  return {
    args: input.args,
    reference: input.reference,
    returns: input.returns ?? 'void',
    dtypes: input.dtypes ?? DEFAULT_DTYPES,
    derive: input.derive ?? {},
    requires: input.requires ?? [],
    ...(input.tolerance && { tolerance: input.tolerance as Declaration['tolerance'] }),
    ...(input.resultTolerance && { resultTolerance: input.resultTolerance as Declaration['resultTolerance'] }),
  };
}

type Named<T, N extends string> = T & { readonly name: N };

interface ArrayOptions<E extends Element> {
  element?: E;
  inPlace?: readonly string[];
  values?: string;
  example?: readonly number[];
}

function array<N extends string, E extends Element, R extends Role>(
  name: N, role: R, length: Length | undefined, options: ArrayOptions<E> | undefined,
): Named<ArrayArg<E, R>, N> {
  return {
    kind: 'array', name, role, element: (options?.element ?? 'data') as E,
    ...(length !== undefined && { length }),
    ...(options?.inPlace && { inPlace: options.inPlace }),
    ...(options?.values && { values: options.values }),
    ...(options?.example && { example: options.example }),
  };
}

/** An array the kernel reads. */
export function input<const N extends string, const E extends Element = 'data'>(
  name: N, length?: Length, options?: ArrayOptions<E>,
): Named<ArrayArg<NoInfer<E>, 'in'>, N> {
  return array(name, 'in', length, options);
}

/** An array the kernel writes without reading it first. */
export function output<const N extends string, const E extends Element = 'data'>(
  name: N, length?: Length, options?: ArrayOptions<E>,
): Named<ArrayArg<NoInfer<E>, 'out'>, N> {
  return array(name, 'out', length, options);
}

/** An array the kernel reads and writes (a parameter updated in place, an accumulated gradient). */
export function inout<const N extends string, const E extends Element = 'data'>(
  name: N, length?: Length, options?: ArrayOptions<E>,
): Named<ArrayArg<NoInfer<E>, 'inout'>, N> {
  return array(name, 'inout', length, options);
}

/** An Array of arrays of the dtype. */
export function list<const N extends string, const R extends Role>(name: N, role: R): Named<ListArg<R>, N> {
  return { kind: 'list', name, role };
}

/** A non-negative integer no larger than 2^53 − 1 (a size, a seed, an offset), optionally narrower. */
export function index(name: string, options: Omit<IndexArg, 'kind' | 'name'> = {}): IndexArg {
  return { kind: 'index', name, ...options };
}

export function flag(name: string, options: Omit<FlagArg, 'kind' | 'name'> = {}): FlagArg {
  return { kind: 'flag', name, ...options };
}

/** A finite float32 number (alpha, a slope), rounded to the dtype's precision. */
export function float(name: string, options: Omit<NumberArg, 'kind' | 'name'> = {}): NumberArg<'float'> {
  return { kind: 'float', name, ...options };
}

/** A finite number kept in double (a learning rate, eps). */
export function double(name: string, options: Omit<NumberArg, 'kind' | 'name'> = {}): NumberArg<'double'> {
  return { kind: 'double', name, ...options };
}

/** One of a few strings. */
export function choice<const C extends string>(name: string, choices: readonly C[]): ChoiceArg<C> {
  return { kind: 'choice', name, choices };
}

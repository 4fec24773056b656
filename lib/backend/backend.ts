/**
 * The kernel contract: every computation in tensorgrad goes through one of these functions.
 * Arrays are row-major and contiguous; outputs are arrays the caller allocated (memory is
 * JavaScript's). Each backend checks its arguments and throws a TypeError or RangeError naming
 * the kernel and the argument; sizes are non-negative integers up to 2^53 − 1 and array lengths
 * must equal what the sizes imply. The types here are derived from the declarations in
 * kernels/<area>.ts: argument names from each reference loop, types from the declared kinds.
 */
import type { Arg, ArgType, Declaration, DType, DTypeStorage } from './declare';
import type { KERNELS } from './kernels';

type Declared = typeof KERNELS;

/** Every kernel's name. */
export type KernelName = keyof Declared;

/** The reference loop's parameter list (names kept) with each type as the dtype declares it. */
type Labelled<P extends readonly unknown[], A extends readonly Arg[], D extends DType> = {
  [I in keyof P]: I extends keyof A ? ArgType<A[I], D> : never;
};

type SignatureOf<K, D extends DType> = K extends Declaration<infer A, infer F>
  ? F extends (this: never, ...args: infer P) => infer R ? (...args: Labelled<P, A, D>) => R : never
  : never;

/** The kernels of one dtype: float32 arrays in KernelsOf<'float32'>, Float64Array in float64, Uint16Array in bfloat16. */
export type KernelsOf<D extends DType> = { [K in KernelName]: SignatureOf<Declared[K], D> };

/** The kernels of an area (kernels/<area>.ts), typed for float32: AreaKernels<typeof LAYOUT>. */
export type AreaKernels<Area> = { [K in keyof Area & KernelName]: SignatureOf<Declared[K], 'float32'> };

/** An array of any dtype's storage. */
export type DTypeArray = DTypeStorage[DType];
type Widen<T> = T extends Float32Array ? DTypeArray : T extends Float32Array[] ? DTypeArray[] : T;
type WidenArgs<F> = F extends (...args: infer A) => infer R ? (...args: { [I in keyof A]: Widen<A[I]> }) => R : never;

/**
 * The kernels for arrays whose dtype is known only at run time (a tensor's): arrays of any
 * dtype's storage, each call checked against the dtype the table was chosen for (kernelsOf).
 */
export type DTypeKernels = { readonly [K in KernelName]: WidenArgs<KernelsOf<'float32'>[K]> };

export type BackendName = 'reference' | 'native' | 'checked';
export const BACKEND_NAMES: readonly BackendName[] = ['native', 'reference', 'checked'];

/** A backend: every kernel in float32, and its name. */
export type Backend = KernelsOf<'float32'> & { readonly name: BackendName };

/**
 * The kernels of each area as the public API named them before the declarations (kept for code
 * that imports them; a new area needs no alias: AreaKernels<typeof AREA> is the same type).
 */
export type GemmKernels = AreaKernels<typeof import('./kernels/gemm').GEMM>;
export type ElementwiseKernels = AreaKernels<typeof import('./kernels/elementwise').ELEMENTWISE>;
export type ReduceKernels = AreaKernels<typeof import('./kernels/reduce').REDUCE>;
export type LossKernels = AreaKernels<typeof import('./kernels/loss').LOSS>;
export type RandomKernels = AreaKernels<typeof import('./kernels/random').RANDOM>;
export type LayoutKernels = AreaKernels<typeof import('./kernels/layout').LAYOUT>;
export type NormKernels = AreaKernels<typeof import('./kernels/norm').NORM>;
export type DropoutKernels = AreaKernels<typeof import('./kernels/dropout').DROPOUT>;
export type OptimKernels = AreaKernels<typeof import('./kernels/optim').OPTIM>;
export type GradientKernels = AreaKernels<typeof import('./kernels/gradient').GRADIENT>;
export type HsoftmaxKernels = AreaKernels<typeof import('./kernels/hsoftmax').HSOFTMAX>;
export type RnnKernels = AreaKernels<typeof import('./kernels/rnn').RNN>;

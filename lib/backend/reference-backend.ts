/**
 * The reference backend: plain loops, obviously correct, the oracle every native kernel is
 * checked against. Each kernel is its declaration's reference loop behind the generic argument
 * checker (validate.ts), in the dtype asked for: float32 rounds what it stores (and what the
 * declaration rounds on the way), float64 is the same loop over Float64Array rounding nothing
 * (gradient checks in double, as PyTorch's gradcheck), and bfloat16 widens its arrays to
 * float32 (exact), runs the float32 loop and rounds the outputs to bfloat16 once.
 */
import type { Backend, KernelName, KernelsOf } from './backend';
import { narrowInto, widen } from './bfloat16';
import type { DType, ReferenceContext } from './declare';
import { DECLARATIONS, declares, KERNEL_NAMES, planOf, undeclared } from './registry';
import { checkArguments } from './validate';

function context(kernel: string, dtype: DType): ReferenceContext {
  return {
    kernel,
    dtype,
    round: dtype === 'float64' ? (v: number) => v : Math.fround,
    rangeError: (message: string) => new RangeError(`${kernel}: ${message}`),
  };
}

type Kernel = (...args: unknown[]) => unknown;

function checked(name: KernelName, dtype: DType): Kernel {
  const { reference } = DECLARATIONS[name];
  const plan = planOf(name, dtype);
  const self = context(name, dtype);
  return function kernel() {
    // eslint-disable-next-line prefer-rest-params
    return reference.apply(self, checkArguments(plan, arguments));
  };
}

/** bfloat16 by widening: the float32 loop on exact float32 copies, outputs rounded back once. */
function widened(name: KernelName): Kernel {
  const { reference, args } = DECLARATIONS[name];
  const plan = planOf(name, 'bfloat16');
  const self = context(name, 'bfloat16');
  return function kernel() {
    // eslint-disable-next-line prefer-rest-params
    const given = checkArguments(plan, arguments);
    const copies = new Map<Uint16Array, Float32Array>();
    const copy = (bits: Uint16Array) => {
      let values = copies.get(bits);
      if (!values) copies.set(bits, (values = widen(bits)));
      return values;
    };
    const computed = given.map((value, i) => {
      const arg = args[i]!;
      if (arg.kind === 'list') return (value as Uint16Array[]).map(copy);
      return arg.kind === 'array' && arg.element === 'data' ? copy(value as Uint16Array) : value;
    });
    const result = reference.apply(self, computed);
    given.forEach((value, i) => {
      const arg = args[i]!;
      if ((arg.kind !== 'array' || arg.element !== 'data') && arg.kind !== 'list') return;
      if (arg.role === 'in') return;
      for (const bits of arg.kind === 'list' ? (value as Uint16Array[]) : [value as Uint16Array]) narrowInto(copies.get(bits)!, bits);
    });
    return result;
  };
}

function table(dtype: DType): Record<KernelName, Kernel> {
  const kernels = {} as Record<KernelName, Kernel>;
  for (const name of KERNEL_NAMES) {
    if (!declares(name, dtype)) kernels[name] = undeclared(name, dtype);
    else kernels[name] = dtype === 'bfloat16' && DECLARATIONS[name].dtypes.includes('bfloat16') ? widened(name) : checked(name, dtype);
  }
  return kernels;
}

const tables = new Map<DType, unknown>();

/** The reference kernels of a dtype (each kernel that does not declare it throws a TypeError). */
export function referenceKernels<D extends DType>(dtype: D): KernelsOf<D> {
  let kernels = tables.get(dtype);
  if (!kernels) tables.set(dtype, (kernels = table(dtype)));
  return kernels as KernelsOf<D>;
}

export const referenceBackend: Backend = { ...referenceKernels('float32'), name: 'reference' };

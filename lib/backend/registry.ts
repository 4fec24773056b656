/**
 * The declared kernels (kernels/index.ts, generated from kernels/<area>.ts) by name, checked
 * once: no two areas declare one name, every reference loop takes its declared arguments, and
 * every declaration plans (its expressions name arguments that exist).
 */
import type { KernelName } from './backend';
import type { Declaration, DType } from './declare';
import { AREAS, KERNELS } from './kernels';
import { planKernel, type Plan } from './plan';

export const DECLARATIONS: Readonly<Record<KernelName, Declaration>> = KERNELS;

/** Every kernel of the contract. */
export const KERNEL_NAMES = Object.keys(KERNELS) as KernelName[];

const declaredTwice = Object.entries(AREAS).flatMap(([area, kernels]) =>
  Object.keys(kernels).filter((name) => Object.entries(AREAS).some(([other, o]) => other < area && name in o)));
if (declaredTwice.length > 0) throw new Error(`tensorgrad: kernels declared by two areas: ${declaredTwice.join(', ')}`);
for (const name of KERNEL_NAMES) {
  const { reference, args } = DECLARATIONS[name];
  if (reference.length !== args.length) {
    throw new Error(`tensorgrad: ${name}'s reference loop takes ${reference.length} arguments but its declaration has ${args.length}`);
  }
}

const plans = new Map<string, Plan>();

/** The argument checks of a kernel in a dtype, compiled once. */
export function planOf(name: KernelName, dtype: DType): Plan {
  const key = `${name}:${dtype}`;
  let plan = plans.get(key);
  if (!plan) {
    plan = planKernel(name, DECLARATIONS[name], dtype);
    plans.set(key, plan);
  }
  return plan;
}

/** Whether a kernel computes in a dtype: it declares it, or it has no arrays of the dtype at all. */
export function declares(name: KernelName, dtype: DType): boolean {
  const declaration = DECLARATIONS[name];
  return declaration.dtypes.includes(dtype) || !usesDTypeArrays(declaration);
}

function usesDTypeArrays(declaration: Declaration): boolean {
  return declaration.args.some((a) => a.kind === 'list' || (a.kind === 'array' && a.element === 'data'));
}

/** The function a kernel has in a dtype it does not declare: a TypeError that says which it does. */
export function undeclared(name: KernelName, dtype: DType): (...args: unknown[]) => never {
  const declared = DECLARATIONS[name].dtypes.join(' or ');
  return () => {
    throw new TypeError(`${name}: Expected a dtype it declares (${declared}) but received ${dtype}`);
  };
}

/** The positions and names of the arguments a kernel writes (the checked backend compares them). */
export function outputsOf(name: KernelName): [number, string][] {
  return DECLARATIONS[name].args.flatMap((arg, position): [number, string][] =>
    (arg.kind === 'array' || arg.kind === 'list') && arg.role !== 'in' ? [[position, arg.name]] : []);
}

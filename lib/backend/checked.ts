/**
 * The checked backend: every kernel runs on the native backend and on the reference with the
 * same inputs (copies, aliasing kept), and the call throws, naming the kernel and the worst
 * element, when the outputs differ beyond the kernel's error bound. For debugging a kernel or a
 * model; it is as slow as the reference.
 */
import type { Backend, KernelName } from './backend';
import { KERNEL_CHECKS, KERNEL_NAMES } from './contract';
import { findDivergence, formatDivergence } from './compare';
import { referenceBackend } from './reference';

type Args = unknown[];

const isTypedArray = (arg: unknown) => ArrayBuffer.isView(arg) && !(arg instanceof DataView);

/**
 * Copies every typed array argument, and the typed arrays inside an Array argument (a list of
 * gradients); an array passed twice gets one copy, so aliasing stays.
 */
function copyArgs(args: Args): Args {
  const copies = new Map<unknown, unknown>();
  const copy = (arg: unknown) => {
    if (!isTypedArray(arg)) return arg;
    if (!copies.has(arg)) copies.set(arg, (arg as Float32Array).slice());
    return copies.get(arg);
  };
  return args.map((arg) => (Array.isArray(arg) ? arg.map(copy) : copy(arg)));
}

/** An output argument as arrays to compare: itself, or the typed arrays of an Array argument. */
function outputArrays(arg: unknown): ArrayLike<number>[] {
  if (Array.isArray(arg)) return arg.filter(isTypedArray) as ArrayLike<number>[];
  return [arg as ArrayLike<number>];
}

function run(fn: () => unknown): { error?: unknown; value?: unknown } {
  try {
    return { value: fn() };
  } catch (e) {
    return { error: e ?? new Error('threw a nullish value') };
  }
}

function checkKernel(name: KernelName, native: Backend, reference: Backend) {
  const check = KERNEL_CHECKS[name];
  const nativeKernel = native[name] as (...args: Args) => void;
  const referenceKernel = reference[name] as (...args: Args) => void;
  return (...args: Args): unknown => {
    const before = copyArgs(args);
    const referenceArgs = copyArgs(args);
    const { error: referenceError, value: referenceValue } = run(() => referenceKernel(...referenceArgs));
    const { error: nativeError, value: nativeValue } = run(() => nativeKernel(...args));
    if (nativeError || referenceError) {
      if (nativeError && referenceError && nativeError.constructor === referenceError.constructor) {
        throw nativeError;
      }
      const says = (e: unknown) => (e ? `threw ${String(e)}` : 'returned');
      throw new Error(`checked backend: ${name}: native ${says(nativeError)} but reference ${says(referenceError)}`);
    }
    for (const [position, output] of check.outputs) {
      const actuals = outputArrays(args[position]);
      const expecteds = outputArrays(referenceArgs[position]);
      actuals.forEach((actual, k) => {
        const expected = expecteds[k]!;
        if (!findDivergence(actual, expected)) return; // exact agreement: no bound needed
        const tolerance = check.tolerance ? check.tolerance(before, reference, position) : 0;
        const divergence = findDivergence(actual, expected, tolerance);
        if (divergence) {
          const where = Array.isArray(args[position]) ? `${output}[${k}]` : output;
          throw new Error(
            `checked backend: ${name} diverged from the reference in ${where}: ` +
              formatDivergence(divergence, 'native', 'reference'),
          );
        }
      });
    }
    if (check.result) {
      const divergence = findDivergence([nativeValue as number], [referenceValue as number], check.result(before, reference));
      if (divergence) {
        throw new Error(`checked backend: ${name} returned a result that diverged from the reference's: ` +
          formatDivergence(divergence, 'native', 'reference'));
      }
    }
    return nativeValue;
  };
}

export function checkedBackend(native: Backend, reference: Backend = referenceBackend): Backend {
  const backend: Partial<Record<KernelName, unknown>> & { name: 'checked' } = { name: 'checked' };
  for (const name of KERNEL_NAMES) backend[name] = checkKernel(name, native, reference);
  return backend as Backend;
}

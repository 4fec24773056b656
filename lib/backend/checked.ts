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

/** Copies every typed array argument; an array passed twice gets one copy, so aliasing stays. */
function copyArgs(args: Args): Args {
  const copies = new Map<unknown, unknown>();
  return args.map((arg) => {
    if (!ArrayBuffer.isView(arg) || arg instanceof DataView) return arg;
    if (!copies.has(arg)) copies.set(arg, (arg as Float32Array).slice());
    return copies.get(arg);
  });
}

function run(fn: () => void): unknown {
  try {
    fn();
    return undefined;
  } catch (e) {
    return e ?? new Error('threw a nullish value');
  }
}

function checkKernel(name: KernelName, native: Backend, reference: Backend) {
  const check = KERNEL_CHECKS[name];
  const nativeKernel = native[name] as (...args: Args) => void;
  const referenceKernel = reference[name] as (...args: Args) => void;
  return (...args: Args): void => {
    const before = copyArgs(args);
    const referenceArgs = copyArgs(args);
    const referenceError = run(() => referenceKernel(...referenceArgs));
    const nativeError = run(() => nativeKernel(...args));
    if (nativeError || referenceError) {
      if (nativeError && referenceError && nativeError.constructor === referenceError.constructor) {
        throw nativeError;
      }
      const says = (e: unknown) => (e ? `threw ${String(e)}` : 'returned');
      throw new Error(`checked backend: ${name}: native ${says(nativeError)} but reference ${says(referenceError)}`);
    }
    for (const [position, output] of check.outputs) {
      const actual = args[position] as ArrayLike<number>;
      const expected = referenceArgs[position] as ArrayLike<number>;
      if (!findDivergence(actual, expected)) continue; // exact agreement: no bound needed
      const tolerance = check.tolerance ? check.tolerance(before, reference, output) : 0;
      const divergence = findDivergence(actual, expected, tolerance);
      if (divergence) {
        throw new Error(
          `checked backend: ${name} diverged from the reference in ${output}: ` +
            formatDivergence(divergence, 'native', 'reference'),
        );
      }
    }
  };
}

export function checkedBackend(native: Backend, reference: Backend = referenceBackend): Backend {
  const backend: Partial<Record<KernelName, unknown>> & { name: 'checked' } = { name: 'checked' };
  for (const name of KERNEL_NAMES) backend[name] = checkKernel(name, native, reference);
  return backend as Backend;
}

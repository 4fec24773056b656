/**
 * The checked backend: every kernel runs on the native backend and on the reference with the
 * same inputs (copies, aliasing kept), and the call throws, naming the kernel and the worst
 * element, when an output its declaration says it writes differs beyond the declared error
 * bound. For debugging a kernel or a model; it is as slow as the reference.
 */
import type { Backend, KernelName } from './backend';
import { copyArguments, findDivergence, formatDivergence } from './compare';
import { referenceBackend } from './reference-backend';
import { DECLARATIONS, KERNEL_NAMES, outputsOf } from './registry';

type Args = unknown[];
type Kernel = (...args: Args) => unknown;

const isTypedArray = (arg: unknown) => ArrayBuffer.isView(arg) && !(arg instanceof DataView);

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

function checkKernel(name: KernelName, native: Backend, reference: Backend): Kernel {
  const { tolerance, resultTolerance, returns } = DECLARATIONS[name];
  const outputs = outputsOf(name);
  const nativeKernel = native[name] as Kernel;
  const referenceKernel = reference[name] as Kernel;
  return (...args: Args): unknown => {
    const before = copyArguments(args);
    const referenceArgs = copyArguments(args);
    const { error: referenceError, value: referenceValue } = run(() => referenceKernel(...referenceArgs));
    const { error: nativeError, value: nativeValue } = run(() => nativeKernel(...args));
    if (nativeError || referenceError) {
      if (nativeError && referenceError && nativeError.constructor === referenceError.constructor) {
        throw nativeError;
      }
      const says = (e: unknown) => (e ? `threw ${String(e)}` : 'returned');
      throw new Error(`checked backend: ${name}: native ${says(nativeError)} but reference ${says(referenceError)}`);
    }
    for (const [position, output] of outputs) {
      const actuals = outputArrays(args[position]);
      const expecteds = outputArrays(referenceArgs[position]);
      actuals.forEach((actual, k) => {
        const expected = expecteds[k]!;
        if (!findDivergence(actual, expected)) return; // exact agreement: no bound needed
        const bound = tolerance ? tolerance(copyArguments(before), output, referenceKernel) : 0;
        const divergence = findDivergence(actual, expected, bound);
        if (divergence) {
          const where = Array.isArray(args[position]) ? `${output}[${k}]` : output;
          throw new Error(
            `checked backend: ${name} diverged from the reference in ${where}: ` +
              formatDivergence(divergence, 'native', 'reference'),
          );
        }
      });
    }
    if (returns === 'number') {
      const bound = resultTolerance ? resultTolerance(copyArguments(before), referenceKernel) : 0;
      const divergence = findDivergence([nativeValue as number], [referenceValue as number], bound);
      if (divergence) {
        throw new Error(`checked backend: ${name} returned a result that diverged from the reference's: ` +
          formatDivergence(divergence, 'native', 'reference'));
      }
    }
    return nativeValue;
  };
}

export function checkedBackend(native: Backend, reference: Backend = referenceBackend): Backend {
  const backend: Partial<Record<KernelName, Kernel>> & { name: 'checked' } = { name: 'checked' };
  for (const name of KERNEL_NAMES) backend[name] = checkKernel(name, native, reference);
  return backend as Backend;
}

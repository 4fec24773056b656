import type { Backend, KernelName } from '../../lib/backend';
import type { Tolerance } from '../../lib/backend/compare';
import { copyArguments } from '../../lib/backend/compare';
import { referenceBackend } from '../../lib/backend';
import { DECLARATIONS, outputsOf } from '../../lib/backend/registry';
import { expectClose } from './expect-close';

type Kernel = (...args: unknown[]) => unknown;

/** The declared error bound of one output, from the arguments before the call (0: exact). */
export function declaredTolerance(name: KernelName, before: unknown[], output: string, reference: Backend = referenceBackend): Tolerance {
  const { tolerance } = DECLARATIONS[name];
  return tolerance ? tolerance(copyArguments(before), output, reference[name] as Kernel) : 0;
}

/**
 * Runs a kernel on two backends with copies of the same arguments and compares every output
 * its declaration says it writes with the declared error bound for it (exact when none).
 */
export function expectBackendsAgree(actual: Backend, expected: Backend, name: KernelName, args: unknown[], what = ''): void {
  const actualArgs = copyArguments(args);
  const expectedArgs = copyArguments(args);
  (actual[name] as Kernel)(...actualArgs);
  (expected[name] as Kernel)(...expectedArgs);
  for (const [position, output] of outputsOf(name)) {
    const tolerance = declaredTolerance(name, args, output, expected);
    expectClose(actualArgs[position] as Float32Array, expectedArgs[position] as Float32Array, tolerance, `${name} ${output}${what && ` ${what}`}`);
  }
}

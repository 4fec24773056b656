import type { Backend } from '../../lib/backend';
import { KERNEL_CHECKS } from '../../lib/backend/contract';
import { expectClose } from './expect-close';

/**
 * Runs a kernel on two backends with copies of the same arguments and compares every output
 * with the contract's error bound for it (exact when the contract gives none).
 */
export function expectBackendsAgree(
  actual: Backend, expected: Backend, name: keyof Backend & keyof typeof KERNEL_CHECKS, args: unknown[],
): void {
  const copy = () => args.map((a) => (ArrayBuffer.isView(a) ? (a as Float32Array).slice() : a));
  const actualArgs = copy();
  const expectedArgs = copy();
  (actual[name] as (...a: unknown[]) => void)(...actualArgs);
  (expected[name] as (...a: unknown[]) => void)(...expectedArgs);
  const check = KERNEL_CHECKS[name];
  for (const [position, output] of check.outputs) {
    const tolerance = check.tolerance ? check.tolerance(copy(), expected, position) : 0;
    expectClose(actualArgs[position] as Float32Array, expectedArgs[position] as Float32Array, tolerance, `${name} ${output}`);
  }
}

/**
 * What the checked backend needs to know of a kernel: which arguments it writes, and how far
 * a correct native result may lie from the reference's (its error bound).
 */
import type { Backend } from '../backend';
import type { Tolerance } from '../compare';

export type Args = unknown[];

export interface KernelCheck {
  /** The arguments the kernel writes: [position, name]. */
  outputs: [number, string][];
  /**
   * The allowed difference per element, from the arguments as they were before the call.
   * Absent: the two backends must agree exactly (NaN matching NaN). `output` is the position
   * of the output being compared, for kernels that write more than one.
   */
  tolerance?: (before: Args, reference: Backend, output: number) => Tolerance;
  /**
   * For a kernel that returns a number: how far the native result may lie from the
   * reference's (absent: the kernel returns nothing to compare).
   */
  result?: (before: Args, reference: Backend) => number;
}

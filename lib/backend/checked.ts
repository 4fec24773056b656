/**
 * The checked backend: every kernel runs on the native backend and on the reference with the
 * same inputs (copies, aliasing kept), and the call throws, naming the kernel and the worst
 * element, when the outputs differ beyond the kernel's error bound. For debugging a kernel or a
 * model; it is as slow as the reference.
 */
import type { Backend, KernelName } from './backend';
import { KERNEL_NAMES } from './backend';
import { absolute, accumulationTolerance, findDivergence, formatDivergence, type Tolerance } from './compare';
import { referenceBackend } from './reference';

type Args = unknown[];

interface KernelCheck {
  /** The arguments the kernel writes: [position, name]. */
  outputs: [number, string][];
  /** The allowed difference per element, from the arguments as they were before the call. */
  tolerance?: (before: Args, reference: Backend) => Tolerance;
}

function gemmTolerance(before: Args, reference: Backend): Tolerance {
  const [transA, transB, m, n, k, alpha, a, b, beta, c] = before as Parameters<Backend['gemm']>;
  // Σ_p |A_ip|·|B_pj|·|alpha| + |beta·C_ij|: what the float32 sum's error is proportional to.
  const bound = new Float32Array(m * n);
  reference.gemm(transA, transB, m, n, k, Math.abs(alpha), absolute(a), absolute(b), 0, bound);
  if (beta !== 0) for (let i = 0; i < bound.length; i++) bound[i]! += Math.abs(beta * c[i]!);
  return accumulationTolerance(bound, k);
}

function sumTolerance(perRow: boolean) {
  return (before: Args, reference: Backend): Tolerance => {
    const [x, rows, cols] = before as [Float32Array, number, number];
    const bound = new Float32Array(perRow ? rows : cols);
    (perRow ? reference.rowSum : reference.colSum)(absolute(x), rows, cols, bound);
    return accumulationTolerance(bound, perRow ? cols : rows);
  };
}

/** Elementwise and random kernels must agree exactly: no tolerance. */
const CHECKS: Record<KernelName, KernelCheck> = {
  gemm: { outputs: [[9, 'c']], tolerance: gemmTolerance },
  add: { outputs: [[2, 'out']] },
  mul: { outputs: [[2, 'out']] },
  relu: { outputs: [[1, 'out']] },
  reluBackward: { outputs: [[2, 'dx']] },
  rowSum: { outputs: [[3, 'out']], tolerance: sumTolerance(true) },
  colSum: { outputs: [[3, 'out']], tolerance: sumTolerance(false) },
  randomBits: { outputs: [[0, 'out']] },
  fillUniform: { outputs: [[0, 'out']] },
  fillNormal: { outputs: [[0, 'out']] },
};

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
  const check = CHECKS[name];
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
      const tolerance = check.tolerance ? check.tolerance(before, reference) : 0;
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

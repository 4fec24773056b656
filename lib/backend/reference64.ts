/**
 * The reference kernels in double precision: the same loops as the reference backend, taking
 * Float64Array where it takes Float32Array and rounding nothing to float32. float64 tensors
 * compute here whatever backend is selected, so gradient checks run in double (as PyTorch's
 * gradcheck does) while models train in float32.
 */
import type { Backend, KernelName } from './backend';
import { KERNEL_NAMES } from './contract';
import { referenceBackend } from './reference';
import { withFloat64 } from './validate';

function build(): Backend {
  const backend: Partial<Record<KernelName, unknown>> & { name: 'reference' } = { name: 'reference' };
  for (const name of KERNEL_NAMES) {
    const kernel = referenceBackend[name] as (...args: unknown[]) => void;
    backend[name] = (...args: unknown[]) => withFloat64(() => kernel(...args));
  }
  return backend as Backend;
}

/** Kernels over Float64Array (Float32Array in the signatures stands for either). */
export const float64Backend: Backend = build();

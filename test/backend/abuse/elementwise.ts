import type { ElementwiseKernels } from '../../../lib/backend';
import { binary, detached, F, type Signature } from './signature';

export const ELEMENTWISE_SIGNATURES: Record<keyof ElementwiseKernels, Signature> = {
  add: binary(),
  mul: binary(),
  reluBackward: binary(),
  relu: {
    kinds: ['f32', 'f32'],
    valid: () => [F(5), F(5)],
    refused: () => {
      const shared = F(6);
      return [[shared.subarray(0, 5), shared.subarray(1, 6)], [F(5), detached()]];
    },
  },
};

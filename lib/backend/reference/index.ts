/**
 * The reference backend: plain loops, obviously correct, the oracle every native kernel is
 * checked against. Accumulates in double (JavaScript numbers) and rounds once to float32.
 */
import type { Backend } from '../backend';
import { referenceDropout } from './dropout';
import { referenceElementwise } from './elementwise';
import { referenceGemm } from './gemm';
import { referenceGradient } from './gradient';
import { referenceHsoftmax } from './hsoftmax';
import { referenceLayout } from './layout';
import { referenceLoss } from './loss';
import { referenceNorm } from './norm';
import { referenceOptim } from './optim';
import { referenceRandom } from './random';
import { referenceReduce } from './reduce';

export const referenceBackend: Backend = {
  name: 'reference',
  ...referenceGemm,
  ...referenceElementwise,
  ...referenceReduce,
  ...referenceLoss,
  ...referenceRandom,
  ...referenceLayout,
  ...referenceNorm,
  ...referenceDropout,
  ...referenceOptim,
  ...referenceGradient,
  ...referenceHsoftmax,
};

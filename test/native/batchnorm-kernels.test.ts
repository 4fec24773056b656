// test/native/batchnorm-kernels.cc: the batch-norm kernels (BatchNorm2d fused per channel on the
// pool, BatchNorm1d rows) against double loops on every SIMD level, the same bits on 1–3 threads.
import { itRunsCxxTest } from './cxx-test';

itRunsCxxTest('native batch-norm kernels match double loops on every SIMD level and thread count', 'test/native/batchnorm-kernels.cc',
  ['native/kernels/batchnorm.cc'], { isa: ['native/kernels/batchnorm_avx2.cc', 'native/kernels/batchnorm_avx512.cc'] });

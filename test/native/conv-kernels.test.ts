// test/native/conv-kernels.cc: the native convolution and pooling kernels against double loops
// on every SIMD level, and the same bits on 1, 2 and 3 threads.
import { itRunsCxxTest } from './cxx-test';

itRunsCxxTest('native conv and pool kernels match double loops on every SIMD level and thread count', 'test/native/conv-kernels.cc',
  ['native/kernels/conv.cc', 'native/kernels/pool.cc', 'native/kernels/gemm.cc'], { gemm: true });

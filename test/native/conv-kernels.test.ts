// test/native/conv-kernels.cc: the native convolution and pooling kernels against double loops
// on every SIMD level, and the same bits on 1, 2 and 3 threads. The convolution's im2col is
// im2col.cc's (whose own entries need the registry).
import { itRunsCxxTest } from './cxx-test';

itRunsCxxTest('native conv and pool kernels match double loops on every SIMD level and thread count', 'test/native/conv-kernels.cc',
  ['native/kernels/conv.cc', 'native/kernels/im2col.cc', 'native/registry.cc', 'native/kernels/pool.cc', 'native/kernels/gemm.cc'], { gemm: true, isa: ['native/kernels/conv_direct_avx2.cc', 'native/kernels/conv_direct_avx512.cc', 'native/kernels/pool_avx512.cc', 'native/kernels/im2col_avx2.cc', 'native/kernels/im2col_avx512.cc'] });

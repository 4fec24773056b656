/**
 * The convolution and pooling kernels the ops call. The reference loops until these kernels are
 * declared in backend/kernels (with their native twins), when the ops take them from
 * kernelsFor(dtype) like every other kernel and this file goes.
 */
import * as conv from '../../backend/reference/conv';
import * as pool from '../../backend/reference/pool';

export const convKernels = { ...conv, ...pool };

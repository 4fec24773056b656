/** Writes tensors as NPY version 1.0 files that numpy.load reads (little-endian, C order). */
import type { Tensor } from '../autograd/tensor';
import { writeFileAtomic } from './atomic';

export function serializeNpy(t: Tensor): Uint8Array[] {
  const descr = t.dtype === 'float64' ? '<f8' : '<f4';
  const shape = t.shape.length === 1 ? `(${t.shape[0]},)` : `(${t.shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  // magic (6) + version (2) + length (2) + header + '\n', padded with spaces to a multiple of 64.
  header += ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n';
  const preamble = new Uint8Array(10 + header.length);
  preamble.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(preamble.buffer).setUint16(8, header.length, true);
  preamble.set(new TextEncoder().encode(header), 10);
  const data = new Uint8Array(t.data.length * t.data.BYTES_PER_ELEMENT);
  const view = new DataView(data.buffer);
  for (let i = 0; i < t.size; i++) {
    if (t.dtype === 'float64') view.setFloat64(8 * i, t.data[i]!, true);
    else view.setFloat32(4 * i, t.data[i]!, true);
  }
  return [preamble, data];
}

/** Saves a tensor as .npy, atomically. */
export function saveNpy(t: Tensor, path: string): void {
  writeFileAtomic(path, serializeNpy(t));
}

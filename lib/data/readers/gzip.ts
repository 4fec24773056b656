/** Transparent gunzip with a cap on the output: a small file cannot inflate into all memory. */
import * as zlib from 'node:zlib';

/** 2 GiB: more than any dataset file tensorgrad reads; pass maxBytes for more. */
export const DEFAULT_MAX_BYTES = 2 ** 31;

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

export function maybeGunzip(fn: string, bytes: Uint8Array, maxBytes = DEFAULT_MAX_BYTES): Uint8Array {
  if (!isGzip(bytes)) return bytes;
  try {
    return zlib.gunzipSync(bytes, { maxOutputLength: maxBytes });
  } catch (e) {
    const error = e as NodeJS.ErrnoException;
    if (error.code === 'ERR_BUFFER_TOO_LARGE') {
      throw new RangeError(`${fn}: the gzipped data inflates to more than ${maxBytes} bytes (raise maxBytes to allow it)`);
    }
    throw new Error(`${fn}: the gzipped data is corrupt: ${error.message}`);
  }
}

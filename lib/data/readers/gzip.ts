/**
 * Transparent gunzip with a cap on the output, so a small file cannot inflate into all memory.
 * Array files (IDX, NPY) go further: their header is inflated first, and the rest may inflate to
 * no more than the header declares.
 */
import * as zlib from 'node:zlib';

/** 2 GiB: more than any dataset file tensorgrad reads; pass maxBytes for more. */
export const DEFAULT_MAX_BYTES = 2 ** 31;

/** Slack over the header bytes asked for: one more compressed byte yields at most a few kB. */
const HEAD_SLACK = 65_536;

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function corrupt(fn: string, e: unknown): Error {
  return new Error(`${fn}: the gzipped data is corrupt: ${(e as Error).message}`);
}

export function maybeGunzip(fn: string, bytes: Uint8Array, maxBytes = DEFAULT_MAX_BYTES): Uint8Array {
  if (!isGzip(bytes)) return bytes;
  try {
    return zlib.gunzipSync(bytes, { maxOutputLength: maxBytes });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new RangeError(`${fn}: the gzipped data inflates to more than ${maxBytes} bytes (raise maxBytes to allow it)`);
    }
    throw corrupt(fn, e);
  }
}

/** What an array file's header says, given its first bytes: the whole size, or how many bytes it needs to tell. */
export type DeclaredSize = { total: number } | { need: number };

/** The output of the first `length` compressed bytes, or null when it exceeds `cap`. */
function inflatePrefix(fn: string, bytes: Uint8Array, length: number, cap: number): Uint8Array | null {
  try {
    return zlib.gunzipSync(bytes.subarray(0, length), { finishFlush: zlib.constants.Z_SYNC_FLUSH, maxOutputLength: cap });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return null;
    throw corrupt(fn, e);
  }
}

/**
 * At least the first `need` inflated bytes (all of them if the stream is shorter), inflating
 * no more than need + HEAD_SLACK: the compressed prefix doubles until it yields enough, and is
 * bisected when it yields too much.
 */
function inflateHead(fn: string, bytes: Uint8Array, need: number): Uint8Array {
  const cap = need + HEAD_SLACK;
  let low = 0; // a prefix known to yield fewer than need bytes
  let high = Infinity; // a prefix known to yield more than cap
  let length = Math.min(bytes.length, 256);
  for (;;) {
    const out = inflatePrefix(fn, bytes, length, cap);
    if (out !== null && (out.length >= need || length === bytes.length)) return out;
    if (out === null) high = length;
    else low = length;
    if (high - low <= 1) throw new Error(`${fn}: the gzipped data is corrupt: one byte inflates to more than ${HEAD_SLACK} bytes`);
    length = high === Infinity ? Math.min(bytes.length, 2 * length) : Math.floor((low + high) / 2);
  }
}

/**
 * Gunzips an array file (or passes plain bytes through) after reading its header: `declared`
 * reads the header from the first inflated bytes (throwing on a bad one), and the whole stream
 * may then inflate to no more than the size the header declares, and no more than maxBytes.
 */
export function gunzipDeclared(fn: string, bytes: Uint8Array, declared: (head: Uint8Array) => DeclaredSize, maxBytes = DEFAULT_MAX_BYTES): Uint8Array {
  if (!isGzip(bytes)) return bytes;
  let need = 0;
  let size: DeclaredSize = { need: 16 };
  while ('need' in size) {
    if (size.need <= need) throw new Error(`${fn}: the header reader asked for ${size.need} bytes after ${need}`);
    need = size.need;
    const head = inflateHead(fn, bytes, need);
    // A stream that ends inside the header is short: inflated whole, checksum included, the
    // parser says what is missing.
    if (head.length < need) return inflateAtMost(fn, bytes, need);
    size = declared(head);
  }
  if (size.total > maxBytes) {
    const total = Number.isSafeInteger(size.total) ? String(size.total) : `about ${size.total.toExponential(2)}`;
    throw new RangeError(`${fn}: the gzipped file's header declares ${total} bytes, more than maxBytes ${maxBytes} (raise maxBytes to allow it)`);
  }
  return inflateAtMost(fn, bytes, size.total, 'its header declares');
}

function inflateAtMost(fn: string, bytes: Uint8Array, cap: number, what = 'expected'): Uint8Array {
  try {
    return zlib.gunzipSync(bytes, { maxOutputLength: Math.max(cap, 1) });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new RangeError(`${fn}: the gzipped data inflates to more than the ${cap} bytes ${what}`);
    }
    throw corrupt(fn, e);
  }
}

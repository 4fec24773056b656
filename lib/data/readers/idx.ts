/**
 * IDX, the MNIST format (plain or gzipped): two zero bytes, a type code, the number of
 * dimensions, each dimension as a big-endian uint32, then the values big-endian. The header is
 * checked before anything is allocated, the file must hold exactly the data it declares, and a
 * gzipped file inflates to no more than that.
 */
import * as fs from 'node:fs';
import { type DeclaredSize, gunzipDeclared } from './gzip';
import type { NumericArray, NumericDType } from './numeric-array';
import { formatShape } from '../../format-shape';
import { ITEM_SIZE, allocateNumeric, checkedCount } from './numeric-array';

const TYPES: Record<number, NumericDType> = {
  0x08: 'uint8', 0x09: 'int8', 0x0b: 'int16', 0x0c: 'int32', 0x0d: 'float32', 0x0e: 'float64',
};

export interface ReadOptions {
  /** Cap on the inflated size of gzipped input. */
  maxBytes?: number;
}

interface Header {
  dtype: NumericDType;
  shape: number[];
  headerLength: number;
}

/** The header of an IDX file from its first bytes, or how many bytes it needs; throws on a bad one. */
function readHeader(fn: string, bytes: Uint8Array): Header | { need: number } {
  if (bytes.length < 4) return { need: 4 };
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new TypeError(`${fn}: Expected the IDX magic (two zero bytes) but the data starts with 0x${bytes[0]!.toString(16)} 0x${bytes[1]!.toString(16)}`);
  }
  const dtype = TYPES[bytes[2]!];
  if (!dtype) throw new TypeError(`${fn}: unknown IDX type code 0x${bytes[2]!.toString(16)} (expected 0x08, 0x09, 0x0b, 0x0c, 0x0d or 0x0e)`);
  const ndim = bytes[3]!;
  if (ndim === 0) throw new RangeError(`${fn}: Expected at least one dimension but the header declares 0`);
  const headerLength = 4 + 4 * ndim;
  if (bytes.length < headerLength) return { need: headerLength };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { dtype, shape: Array.from({ length: ndim }, (_, i) => view.getUint32(4 + 4 * i, false)), headerLength };
}

/** The bytes a header declares (header and data), for the gzip cap. */
function declaredSize(fn: string) {
  return (head: Uint8Array): DeclaredSize => {
    const header = readHeader(fn, head);
    if ('need' in header) return header;
    return { total: header.headerLength + header.shape.reduce((a, d) => a * d, 1) * ITEM_SIZE[header.dtype] };
  };
}

export function parseIdx(input: Uint8Array, options: ReadOptions = {}): NumericArray {
  const fn = 'parseIdx';
  const bytes = gunzipDeclared(fn, input, declaredSize(fn), options.maxBytes);
  const header = readHeader(fn, bytes);
  if ('need' in header) {
    if (header.need === 4) throw new RangeError(`${fn}: Expected at least a 4-byte header but the data has ${bytes.length} bytes`);
    throw new RangeError(`${fn}: the header declares ${bytes[3]} dimensions (${header.need} bytes) but the data has ${bytes.length} bytes`);
  }
  const { dtype, shape, headerLength } = header;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const itemSize = ITEM_SIZE[dtype];
  const available = bytes.length - headerLength;
  const count = checkedCount(fn, shape, itemSize, available);
  if (count * itemSize !== available) {
    throw new RangeError(`${fn}: the header declares shape ${formatShape(shape)} (${count * itemSize} bytes of data) but the file holds ${available}`);
  }
  const data = allocateNumeric(dtype, count);
  if (itemSize === 1) {
    (data as Uint8Array).set(bytes.subarray(headerLength));
  } else {
    for (let i = 0; i < count; i++) {
      const at = headerLength + i * itemSize;
      switch (dtype) {
        case 'int16': (data as Int16Array)[i] = view.getInt16(at, false); break;
        case 'int32': (data as Int32Array)[i] = view.getInt32(at, false); break;
        case 'float32': (data as Float32Array)[i] = view.getFloat32(at, false); break;
        default: (data as Float64Array)[i] = view.getFloat64(at, false); break;
      }
    }
  }
  return { dtype, shape, data };
}

export function readIdx(path: string, options: ReadOptions = {}): NumericArray {
  try {
    return parseIdx(fs.readFileSync(path), options);
  } catch (e) {
    if (e instanceof Error && e.message.startsWith('parseIdx: ')) e.message = `readIdx: ${path}: ${e.message.slice(10)}`;
    throw e;
  }
}

/**
 * NPY, numpy's array file (versions 1–3, plain or gzipped): the magic "\x93NUMPY", a version, a
 * header length, a Python-literal header {'descr', 'fortran_order', 'shape'}, then the values.
 * Little- and big-endian float32/float64/uint8/int8/int16/int32/int64 and bool; C and Fortran
 * order (returned in C order). The header is parsed, never evaluated, and checked against the
 * file's size before anything is allocated; a gzipped file inflates to no more than its header
 * declares.
 */
import * as fs from 'node:fs';
import { type DeclaredSize, gunzipDeclared } from './gzip';
import type { ReadOptions } from './idx';
import type { NumericArray, NumericData, NumericDType } from './numeric-array';
import { formatShape } from '../../format-shape';
import { ITEM_SIZE, allocateNumeric, checkedCount } from './numeric-array';
import { parseNpyHeader } from './npy-header';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

const KINDS: Record<string, NumericDType> = {
  f4: 'float32', f8: 'float64', u1: 'uint8', b1: 'uint8', i1: 'int8', i2: 'int16', i4: 'int32', i8: 'int64',
};

/** numpy.load's default cap on the header (max_header_size): a bigger one is not a plain array. */
export const MAX_NPY_HEADER = 10_000;

interface Header {
  dtype: NumericDType;
  littleEndian: boolean;
  fortranOrder: boolean;
  shape: number[];
  dataStart: number;
}

/** The header of an NPY file from its first bytes, or how many bytes it needs; throws on a bad one. */
function readHeader(fn: string, bytes: Uint8Array): Header | { need: number } {
  if (MAGIC.some((b, i) => i < bytes.length && bytes[i] !== b)) throw new TypeError(`${fn}: Expected the NPY magic "\\x93NUMPY" at the start of the data`);
  if (bytes.length < 8) return { need: 8 };
  const major = bytes[6]!;
  if (major < 1 || major > 3) throw new TypeError(`${fn}: unsupported NPY version ${major}.${bytes[7]} (expected 1, 2 or 3)`);
  const lengthBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lengthBytes) return { need: 8 + lengthBytes };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (headerLength > MAX_NPY_HEADER) {
    throw new RangeError(`${fn}: the header declares ${headerLength} bytes, more than the ${MAX_NPY_HEADER} numpy.load reads by default`);
  }
  const dataStart = 8 + lengthBytes + headerLength;
  if (bytes.length < dataStart) return { need: dataStart };
  const fields = parseNpyHeader(fn, new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(8 + lengthBytes, dataStart)));
  const descr = /^([<>|=])([a-z]\d+)$/.exec(fields.descr);
  const dtype = descr ? KINDS[descr[2]!] : undefined;
  if (!descr || !dtype) {
    throw new TypeError(`${fn}: unsupported dtype ${JSON.stringify(fields.descr.slice(0, 40)).replace(/^"|"$/g, "'")} (supported: f4, f8, u1, b1, i1, i2, i4, i8, either byte order)`);
  }
  return { dtype, littleEndian: descr[1] !== '>', fortranOrder: fields.fortranOrder, shape: fields.shape, dataStart };
}

/** The bytes a header declares (header and data), for the gzip cap. */
function declaredSize(fn: string) {
  return (head: Uint8Array): DeclaredSize => {
    const header = readHeader(fn, head);
    if ('need' in header) return header;
    return { total: header.dataStart + header.shape.reduce((a, d) => a * d, 1) * ITEM_SIZE[header.dtype] };
  };
}

function readValues(header: Header, view: DataView, count: number): NumericData {
  const { dtype, littleEndian: le } = header;
  const data = allocateNumeric(dtype, count);
  const size = ITEM_SIZE[dtype];
  for (let i = 0; i < count; i++) {
    const at = i * size;
    switch (dtype) {
      case 'uint8': (data as Uint8Array)[i] = view.getUint8(at); break;
      case 'int8': (data as Int8Array)[i] = view.getInt8(at); break;
      case 'int16': (data as Int16Array)[i] = view.getInt16(at, le); break;
      case 'int32': (data as Int32Array)[i] = view.getInt32(at, le); break;
      case 'int64': (data as BigInt64Array)[i] = view.getBigInt64(at, le); break;
      case 'float32': (data as Float32Array)[i] = view.getFloat32(at, le); break;
      case 'float64': (data as Float64Array)[i] = view.getFloat64(at, le); break;
    }
  }
  return data;
}

/** Reorders Fortran (first index fastest) data into C (last index fastest) order. */
function fortranToC(data: NumericData, shape: number[]): NumericData {
  const out = new (data.constructor as new (n: number) => NumericData)(data.length);
  const ndim = shape.length;
  const fStrides = shape.map((_, k) => shape.slice(0, k).reduce((a, b) => a * b, 1));
  const index = new Array<number>(ndim).fill(0);
  let source = 0;
  for (let c = 0; c < data.length; c++) {
    (out as Float64Array)[c] = (data as Float64Array)[source]!;
    for (let k = ndim - 1; k >= 0; k--) {
      index[k]!++;
      source += fStrides[k]!;
      if (index[k]! < shape[k]!) break;
      source -= fStrides[k]! * shape[k]!;
      index[k] = 0;
    }
  }
  return out;
}

export function parseNpy(input: Uint8Array, options: ReadOptions = {}): NumericArray {
  const fn = 'parseNpy';
  const bytes = gunzipDeclared(fn, input, declaredSize(fn), options.maxBytes);
  const header = readHeader(fn, bytes);
  if ('need' in header) {
    if (header.need <= 8) throw new TypeError(`${fn}: Expected the NPY magic "\\x93NUMPY" and a version but the data has ${bytes.length} bytes`);
    if (header.need <= 12) throw new RangeError(`${fn}: the data ends inside the header length`);
    throw new RangeError(`${fn}: the header declares ${header.need - (bytes[6] === 1 ? 10 : 12)} bytes but the data has ${bytes.length - (bytes[6] === 1 ? 10 : 12)} after the magic`);
  }
  const available = bytes.length - header.dataStart;
  const count = checkedCount(fn, header.shape, ITEM_SIZE[header.dtype], available);
  if (count * ITEM_SIZE[header.dtype] !== available) {
    throw new RangeError(`${fn}: the header declares shape ${formatShape(header.shape)} ('${header.dtype}', ${count * ITEM_SIZE[header.dtype]} bytes) but the file holds ${available}`);
  }
  let data = readValues(header, new DataView(bytes.buffer, bytes.byteOffset + header.dataStart, available), count);
  if (header.fortranOrder && header.shape.length > 1) data = fortranToC(data, header.shape);
  return { dtype: header.dtype, shape: header.shape, data };
}

export function readNpy(path: string, options: ReadOptions = {}): NumericArray {
  try {
    return parseNpy(fs.readFileSync(path), options);
  } catch (e) {
    if (e instanceof Error && e.message.startsWith('parseNpy: ')) e.message = `readNpy: ${path}: ${e.message.slice(10)}`;
    throw e;
  }
}

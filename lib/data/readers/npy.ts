/**
 * NPY, numpy's array file (versions 1–3, plain or gzipped): the magic "\x93NUMPY", a version, a
 * header length, a Python-literal header {'descr', 'fortran_order', 'shape'}, then the values.
 * Little- and big-endian float32/float64/uint8/int8/int16/int32/int64 and bool; C and Fortran
 * order (returned in C order). The header is parsed, never evaluated, and checked against the
 * file's size before anything is allocated.
 */
import * as fs from 'node:fs';
import { maybeGunzip } from './gzip';
import type { ReadOptions } from './idx';
import type { NumericArray, NumericData, NumericDType } from './numeric-array';
import { ITEM_SIZE, allocateNumeric, checkedCount } from './numeric-array';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

const KINDS: Record<string, NumericDType> = {
  f4: 'float32', f8: 'float64', u1: 'uint8', b1: 'uint8', i1: 'int8', i2: 'int16', i4: 'int32', i8: 'int64',
};

interface Header {
  dtype: NumericDType;
  littleEndian: boolean;
  fortranOrder: boolean;
  shape: number[];
}

function parseHeader(fn: string, text: string): Header {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{') || !trimmed.endsWith('}')) {
    throw new TypeError(`${fn}: Expected the header to be a dict literal but it reads ${JSON.stringify(trimmed.slice(0, 80))}`);
  }
  const descr = /'descr'\s*:\s*'([<>|=])([a-z]\d+)'/.exec(trimmed);
  const order = /'fortran_order'\s*:\s*(True|False)/.exec(trimmed);
  const shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(trimmed);
  if (!descr || !order || !shape) {
    throw new TypeError(`${fn}: Expected 'descr', 'fortran_order' and 'shape' in the header but it reads ${JSON.stringify(trimmed)}`);
  }
  const dtype = KINDS[descr[2]!];
  if (!dtype) {
    throw new TypeError(`${fn}: unsupported dtype '${descr[1]}${descr[2]}' (supported: f4, f8, u1, b1, i1, i2, i4, i8, either byte order)`);
  }
  const dims = shape[1]!.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (!dims.every((d) => /^\d+L?$/.test(d))) throw new TypeError(`${fn}: Expected integer dimensions but the shape reads (${shape[1]})`);
  return {
    dtype,
    littleEndian: descr[1] !== '>',
    fortranOrder: order[1] === 'True',
    shape: dims.map((d) => Number.parseInt(d, 10)),
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
  const bytes = maybeGunzip(fn, input, options.maxBytes);
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new TypeError(`${fn}: Expected the NPY magic "\\x93NUMPY" at the start of the data`);
  }
  const major = bytes[6]!;
  if (major < 1 || major > 3) throw new TypeError(`${fn}: unsupported NPY version ${major}.${bytes[7]} (expected 1, 2 or 3)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lengthBytes) throw new RangeError(`${fn}: the data ends inside the header length`);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataStart = 8 + lengthBytes + headerLength;
  if (dataStart > bytes.length) {
    throw new RangeError(`${fn}: the header declares ${headerLength} bytes but the data has ${bytes.length - 8 - lengthBytes} after the magic`);
  }
  const decoder = new TextDecoder(major === 3 ? 'utf-8' : 'latin1');
  const header = parseHeader(fn, decoder.decode(bytes.subarray(8 + lengthBytes, dataStart)));
  const available = bytes.length - dataStart;
  const count = checkedCount(fn, header.shape, ITEM_SIZE[header.dtype], available);
  if (count * ITEM_SIZE[header.dtype] !== available) {
    throw new RangeError(`${fn}: the header declares shape [${header.shape.join(', ')}] ('${header.dtype}', ${count * ITEM_SIZE[header.dtype]} bytes) but the file holds ${available}`);
  }
  let data = readValues(header, new DataView(bytes.buffer, bytes.byteOffset + dataStart, available), count);
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

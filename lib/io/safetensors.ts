/**
 * The safetensors format (huggingface/safetensors): an 8-byte little-endian header length N, N
 * bytes of JSON {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {str: str}},
 * then the raw little-endian data. The reader applies the checks of the reference
 * implementation before it reads any tensor: the header's size cap and fit, valid UTF-8 JSON
 * object, known dtypes, offsets contiguous from 0 without gaps or overlaps, sizes equal to the
 * shape's element count times the dtype size (overflow-checked), and the data section covered
 * exactly.
 */
import * as fs from 'node:fs';
import { Tensor } from '../autograd/tensor';
import { writeFileAtomic } from './atomic';
import { bfloat16ToFloat32, float16ToFloat32, float32ToBfloat16, float32ToFloat16 } from './half';

/** The reference implementation's cap on the header (100 MB). */
export const MAX_HEADER_SIZE = 100_000_000;

export type WriteDType = 'F32' | 'F64' | 'F16' | 'BF16' | 'I32' | 'I64';
export type ReadDType = WriteDType | 'I16' | 'I8' | 'U8' | 'BOOL';

const SIZES: Record<ReadDType, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };
/** Every dtype name the format defines (sub-byte and FP8 ones included); those not in SIZES are refused by name. */
const FORMAT_DTYPES = [
  'BOOL', 'F4', 'F6_E2M3', 'F6_E3M2', 'U8', 'I8', 'F8_E5M2', 'F8_E4M3', 'F8_E8M0', 'I16', 'U16', 'F16', 'BF16',
  'I32', 'U32', 'F32', 'C64', 'F64', 'I64', 'U64',
];

export interface SaveOptions {
  /** String key-value pairs stored under "__metadata__". */
  metadata?: Record<string, string>;
  /** The stored dtype: for all tensors, or per name (default F32, or F64 for float64 tensors). */
  dtype?: WriteDType | Record<string, WriteDType>;
}

export interface LoadOptions {
  /** float32 (default): every tensor as float32; keep: F64 tensors stay float64. */
  dtype?: 'float32' | 'keep';
}

export interface SafetensorsContent {
  tensors: Record<string, Tensor>;
  metadata: Record<string, string>;
  /** The dtype each tensor was stored as. */
  dtypes: Record<string, ReadDType>;
}

function storedDType(name: string, t: Tensor, option: SaveOptions['dtype']): WriteDType {
  const chosen = typeof option === 'string' ? option : option?.[name];
  const dtype = chosen ?? (t.dtype === 'float64' ? 'F64' : 'F32');
  if (!['F32', 'F64', 'F16', 'BF16', 'I32', 'I64'].includes(dtype)) {
    throw new TypeError(`safetensors.save: Expected dtype F32, F64, F16, BF16, I32 or I64 for ${name} but received ${String(dtype)}`);
  }
  return dtype;
}

function encode(name: string, t: Tensor, dtype: WriteDType): Uint8Array {
  const n = t.size;
  const bytes = new Uint8Array(n * SIZES[dtype]);
  const view = new DataView(bytes.buffer);
  const integer = (v: number, i: number, max: number) => {
    if (!Number.isInteger(v) || Math.abs(v) > max) {
      throw new RangeError(`safetensors.save: ${name}[${i}] = ${v} is not an integer ${dtype} can hold`);
    }
    return v;
  };
  for (let i = 0; i < n; i++) {
    const v = t.data[i]!;
    switch (dtype) {
      case 'F32': view.setFloat32(4 * i, v, true); break;
      case 'F64': view.setFloat64(8 * i, v, true); break;
      case 'F16': view.setUint16(2 * i, float32ToFloat16(v), true); break;
      case 'BF16': view.setUint16(2 * i, float32ToBfloat16(v), true); break;
      case 'I32': view.setInt32(4 * i, integer(v, i, 2 ** 31 - 1), true); break;
      case 'I64': view.setBigInt64(8 * i, BigInt(integer(v, i, Number.MAX_SAFE_INTEGER)), true); break;
    }
  }
  return bytes;
}

/** The file's bytes: header length, padded JSON header, data. */
export function serialize(tensors: Record<string, Tensor>, options: SaveOptions = {}): Uint8Array[] {
  const header: Record<string, unknown> = {};
  if (options.metadata) {
    for (const [k, v] of Object.entries(options.metadata)) {
      if (typeof v !== 'string') throw new TypeError(`safetensors.save: Expected string metadata values but ${k} is ${typeof v}`);
    }
    header['__metadata__'] = options.metadata;
  }
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    if (name === '__metadata__') throw new TypeError('safetensors.save: "__metadata__" is reserved and cannot name a tensor');
    if (!(t instanceof Tensor)) throw new TypeError(`safetensors.save: Expected a Tensor for ${name}`);
    const dtype = storedDType(name, t, options.dtype);
    const data = encode(name, t, dtype);
    header[name] = { dtype, shape: [...t.shape], data_offsets: [offset, offset + data.length] };
    chunks.push(data);
    offset += data.length;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8); // data starts 8-byte aligned
  const text = new TextEncoder().encode(json);
  const length = new Uint8Array(8);
  new DataView(length.buffer).setBigUint64(0, BigInt(text.length), true);
  return [length, text, ...chunks];
}

/** Writes the tensors atomically (temporary file, fsync, rename, directory fsync). */
export function save(tensors: Record<string, Tensor>, path: string, options: SaveOptions = {}): void {
  writeFileAtomic(path, serialize(tensors, options));
}

interface Entry {
  name: string;
  dtype: ReadDType;
  shape: number[];
  begin: number;
  end: number;
}

function fail(message: string): never {
  throw new RangeError(`safetensors: ${message}`);
}

/** A value from the header for an error message: short, and safe for any nesting depth. */
function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (value === undefined) return '(missing)';
  if (typeof value !== 'object' || value === null) return String(value);
  if (Array.isArray(value)) {
    if (!value.every((v) => typeof v === 'number')) return `an array of ${value.length} items, not all numbers`;
    return value.length <= 8 ? `[${value.join(', ')}]` : `[${value.slice(0, 8).join(', ')}, … (${value.length} items)]`;
  }
  return 'an object';
}

/** Sets an own property whatever the key: a tensor may be named "__proto__". */
function put<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function parseEntry(name: string, value: unknown): Entry {
  const tensor = show(name);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(`Expected an object for tensor ${tensor} but it is ${show(value)}`);
  const { dtype, shape, data_offsets: offsets } = value as Record<string, unknown>;
  if (typeof dtype !== 'string' || !FORMAT_DTYPES.includes(dtype)) {
    fail(`tensor ${tensor} has unknown dtype ${show(dtype)} (expected one of ${FORMAT_DTYPES.join(', ')})`);
  }
  if (!Object.hasOwn(SIZES, dtype)) fail(`tensor ${tensor} has dtype ${dtype}, which tensorgrad does not read (it reads ${Object.keys(SIZES).join(', ')})`);
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    fail(`tensor ${tensor} has shape ${show(shape)}: Expected non-negative integers`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) || offsets[0] > offsets[1]) {
    fail(`tensor ${tensor} has data_offsets ${show(offsets)}: Expected [begin, end] with 0 <= begin <= end`);
  }
  return { name, dtype: dtype as ReadDType, shape, begin: offsets[0], end: offsets[1] };
}

function decode(entry: Entry, bytes: Uint8Array, dataStart: number, keep: boolean): Tensor {
  const n = entry.shape.reduce((a, b) => a * b, 1);
  const view = new DataView(bytes.buffer, bytes.byteOffset + dataStart + entry.begin, entry.end - entry.begin);
  const out = entry.dtype === 'F64' && keep ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) {
    switch (entry.dtype) {
      case 'F32': out[i] = view.getFloat32(4 * i, true); break;
      case 'F64': out[i] = view.getFloat64(8 * i, true); break;
      case 'F16': out[i] = float16ToFloat32(view.getUint16(2 * i, true)); break;
      case 'BF16': out[i] = bfloat16ToFloat32(view.getUint16(2 * i, true)); break;
      case 'I64': out[i] = Number(view.getBigInt64(8 * i, true)); break;
      case 'I32': out[i] = view.getInt32(4 * i, true); break;
      case 'I16': out[i] = view.getInt16(2 * i, true); break;
      case 'I8': out[i] = view.getInt8(i); break;
      case 'U8': case 'BOOL': out[i] = view.getUint8(i); break;
    }
  }
  return new Tensor(out, entry.shape);
}

export function deserialize(bytes: Uint8Array, options: LoadOptions = {}): SafetensorsContent {
  if (bytes.length < 8) fail(`Expected at least 8 bytes (the header length) but the file has ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const declared = view.getBigUint64(0, true);
  if (declared > BigInt(MAX_HEADER_SIZE)) fail(`the header declares ${declared} bytes, more than the ${MAX_HEADER_SIZE}-byte limit`);
  const headerLength = Number(declared);
  if (8 + headerLength > bytes.length) fail(`the header declares ${headerLength} bytes but the file has ${bytes.length - 8} after the length`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength));
  } catch {
    fail('the header is not valid UTF-8');
  }
  if (!text.startsWith('{')) fail('Expected the header to start with "{"');
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    fail(`the header is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('Expected the header to be a JSON object');

  const metadata: Record<string, string> = {};
  const entries: Entry[] = [];
  for (const [name, value] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (value === null) continue; // the reference reads null as no metadata
      if (typeof value !== 'object' || Array.isArray(value)) fail(`Expected "__metadata__" to be an object of strings but it is ${show(value)}`);
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(`Expected string metadata values but ${show(k)} is ${show(v)}`);
        put(metadata, k, v);
      }
      continue;
    }
    entries.push(parseEntry(name, value));
  }

  // Offsets must tile the data section from 0, in order, with no gap or overlap.
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  const dataLength = bytes.length - 8 - headerLength;
  let expectedBegin = 0;
  for (const entry of entries) {
    if (entry.begin !== expectedBegin) {
      fail(`tensor ${show(entry.name)} starts at ${entry.begin} but the data before it ends at ${expectedBegin} (offsets must be contiguous)`);
    }
    let size = SIZES[entry.dtype];
    for (const d of entry.shape) {
      size *= d;
      if (!Number.isSafeInteger(size)) fail(`tensor ${show(entry.name)}: the size of shape ${show(entry.shape)} overflows`);
    }
    if (entry.end - entry.begin !== size) {
      fail(`tensor ${show(entry.name)} of shape ${show(entry.shape)} (${entry.dtype}) needs ${size} bytes but its offsets span ${entry.end - entry.begin}`);
    }
    expectedBegin = entry.end;
  }
  if (expectedBegin !== dataLength) fail(`the tensors cover ${expectedBegin} bytes of data but the file holds ${dataLength}`);

  const keep = options.dtype === 'keep';
  const tensors: Record<string, Tensor> = {};
  const dtypes: Record<string, ReadDType> = {};
  // Back in header order, as the file lists them.
  const order = Object.keys(header as object).filter((k) => k !== '__metadata__');
  const byName = new Map(entries.map((e) => [e.name, e]));
  for (const name of order) {
    const entry = byName.get(name)!;
    put(tensors, name, decode(entry, bytes, 8 + headerLength, keep));
    put(dtypes, name, entry.dtype);
  }
  return { tensors, metadata, dtypes };
}

export function load(path: string, options: LoadOptions = {}): SafetensorsContent {
  try {
    return deserialize(fs.readFileSync(path), options);
  } catch (e) {
    if (e instanceof Error && e.message.startsWith('safetensors: ')) e.message = `safetensors: ${path}: ${e.message.slice(13)}`;
    throw e;
  }
}

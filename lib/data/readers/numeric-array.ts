/** What the array-file readers return: a dtype, a shape and the values in C (row-major) order. */
import { formatShape } from '../../format-shape';

export type NumericDType = 'uint8' | 'int8' | 'int16' | 'int32' | 'int64' | 'float32' | 'float64';
export type NumericData = Uint8Array | Int8Array | Int16Array | Int32Array | BigInt64Array | Float32Array | Float64Array;

export interface NumericArray {
  dtype: NumericDType;
  shape: number[];
  data: NumericData;
}

export const ITEM_SIZE: Record<NumericDType, number> = {
  uint8: 1, int8: 1, int16: 2, int32: 4, int64: 8, float32: 4, float64: 8,
};

export function allocateNumeric(dtype: NumericDType, length: number): NumericData {
  switch (dtype) {
    case 'uint8': return new Uint8Array(length);
    case 'int8': return new Int8Array(length);
    case 'int16': return new Int16Array(length);
    case 'int32': return new Int32Array(length);
    case 'int64': return new BigInt64Array(length);
    case 'float32': return new Float32Array(length);
    case 'float64': return new Float64Array(length);
  }
}


/**
 * Element count of a shape, refusing more than `limit` (what the file can hold): checked before
 * anything is allocated, so a lying header cannot ask for more memory than the file has.
 */
export function checkedCount(fn: string, shape: readonly number[], itemSize: number, available: number): number {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new RangeError(`${fn}: Expected non-negative integer dimensions but the header declares ${d}`);
  }
  if (shape.includes(0)) return 0; // empty, whatever the other dimensions say
  let count = 1;
  for (const d of shape) {
    count *= d;
    if (count * itemSize > available) {
      throw new RangeError(`${fn}: the header declares shape ${formatShape(shape)} (${itemSize}-byte items) but the file holds only ${available} bytes of data`);
    }
  }
  return count;
}

/** The values as float32 (int64 values must be exact in a double first). */
export function toFloat32(array: NumericArray, fn: string): Float32Array {
  if (array.data instanceof Float32Array) return array.data;
  if (array.data instanceof BigInt64Array) {
    const out = new Float32Array(array.data.length);
    for (let i = 0; i < out.length; i++) {
      const v = array.data[i]!;
      if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) {
        throw new RangeError(`${fn}: element ${i} (${v}) is too large to convert exactly`);
      }
      out[i] = Number(v);
    }
    return out;
  }
  return Float32Array.from(array.data as ArrayLike<number>);
}

// safetensors: round trips of every dtype and shape (scalars, empty), metadata, the reader's
// checks one by one, module save/load, and interop with numpy reading our files.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Tensor, io, nn, tensor, zeros } from '../../lib';
import { describeWithPeers } from '../peers';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-st-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function concat(chunks: Uint8Array[]): Uint8Array {
  return Uint8Array.from(Buffer.concat(chunks));
}

/** A file with this header JSON and `data` bytes after it. */
function file(header: unknown, data = new Uint8Array(0)): Uint8Array {
  const text = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const length = new Uint8Array(8);
  new DataView(length.buffer).setBigUint64(0, BigInt(text.length), true);
  return concat([length, text, data]);
}

describe('safetensors', () => {
  it.each([
    ['F32', [1.5, -2.25, 3e38, 1e-45]],
    ['F64', [1 / 3, -1e300, 5e-324, 0]],
    ['F16', [1, -2, 65504, 2 ** -24]],
    ['BF16', [1, -2, 3.140625, 2 ** 100]],
    ['I32', [0, -7, 2 ** 31 - 1, -(2 ** 31 - 1)]],
    ['I64', [0, -7, 2 ** 40, -(2 ** 50)]],
  ] as const)('round-trips %s exactly for representable values', (dtype, values) => {
    const t = new Tensor(Float64Array.from(values), [2, 2]);
    const back = io.deserialize(concat(io.serialize({ t }, { dtype })), { dtype: 'keep' });
    expect(back.dtypes['t']).toBe(dtype);
    expect(back.tensors['t']!.shape).toEqual([2, 2]);
    expect(Array.from(back.tensors['t']!.data)).toEqual(values.map((v) => (dtype === 'F64' ? v : Math.fround(v))));
  });

  it('rounds to nearest even into F16 and BF16, with Inf and NaN', () => {
    expect(io.float32ToFloat16(1)).toBe(0x3c00);
    expect(io.float32ToFloat16(65504)).toBe(0x7bff);
    expect(io.float32ToFloat16(65520)).toBe(0x7c00); // rounds up to Inf
    expect(io.float32ToFloat16(2 ** -25)).toBe(0); // a tie between 0 and the smallest subnormal: even
    expect(io.float32ToFloat16(3 * 2 ** -25)).toBe(2); // a tie between 1 and 2 subnormal steps: even
    expect(io.float32ToFloat16(Math.fround(0.1))).toBe(0x2e66);
    expect(io.float32ToFloat16(-Infinity)).toBe(0xfc00);
    expect(Number.isNaN(io.float16ToFloat32(io.float32ToFloat16(NaN)))).toBe(true);
    expect(io.float32ToBfloat16(1 + 2 ** -8)).toBe(0x3f80); // tie: even
    expect(io.float32ToBfloat16(1 + 3 * 2 ** -8)).toBe(0x3f82);
    expect(Number.isNaN(io.bfloat16ToFloat32(io.float32ToBfloat16(NaN)))).toBe(true);
  });

  it('keeps scalars, empty tensors, key order and metadata', () => {
    const tensors = { scalar: tensor(4.5), empty: zeros([0, 3]), w: tensor([[1, 2], [3, 4]]) };
    const target = path.join(dir, 'model.safetensors');
    io.save(tensors, target, { metadata: { format: 'pt', epoch: '3' } });
    const back = io.load(target);
    expect(Object.keys(back.tensors)).toEqual(['scalar', 'empty', 'w']);
    expect(back.tensors['scalar']!.shape).toEqual([]);
    expect(back.tensors['scalar']!.item()).toBe(4.5);
    expect(back.tensors['empty']!.shape).toEqual([0, 3]);
    expect(back.tensors['w']!.toArray()).toEqual([[1, 2], [3, 4]]);
    expect(back.metadata).toEqual({ format: 'pt', epoch: '3' });
    const bytes = fs.readFileSync(target);
    expect(Number(bytes.readBigUInt64LE(0)) % 8).toBe(0); // data starts aligned
  });

  it('refuses what cannot be stored', () => {
    expect(() => io.serialize({ t: tensor([1.5]) }, { dtype: 'I32' })).toThrow('safetensors.save: t[0] = 1.5 is not an integer I32 can hold');
    expect(() => io.serialize({ t: tensor([1]) }, { metadata: { n: 3 as unknown as string } })).toThrow(/string metadata/);
    expect(() => io.serialize({ __metadata__: tensor([1]) })).toThrow(/reserved/);
    expect(() => io.serialize({ t: tensor([1]) }, { dtype: 'F8' as never })).toThrow(/Expected dtype F32/);
  });

  const entry = (dtype: string, shape: number[], begin: number, end: number) => ({ dtype, shape, data_offsets: [begin, end] });

  it.each([
    ['a file shorter than the length', Uint8Array.of(1, 2, 3), /at least 8 bytes/],
    ['a header over the cap', (() => { const b = new Uint8Array(8); new DataView(b.buffer).setBigUint64(0, 100_000_001n, true); return b; })(), /more than the 100000000-byte limit/],
    ['a header past the end', (() => { const b = new Uint8Array(12); b[0] = 10; return b; })(), /declares 10 bytes but the file has 4/],
    ['invalid UTF-8', file('{"a"\u0000').map((v, i) => (i === 10 ? 0xff : v)), /not valid UTF-8/],
    ['a header not starting with {', file(' {}'), /start with "\{"/],
    ['invalid JSON', file('{"a": }'), /not valid JSON/],
    ['an unknown dtype', file({ a: entry('F12', [1], 0, 4) }, new Uint8Array(4)), /unknown dtype "F12"/],
    ['a dtype tensorgrad does not read', file({ a: entry('F8_E4M3', [1], 0, 1) }, new Uint8Array(1)), /F8_E4M3, which tensorgrad does not read/],
    ['a bad shape', file({ a: entry('F32', [-1], 0, 4) }, new Uint8Array(4)), /non-negative integers/],
    ['reversed offsets', file({ a: entry('F32', [1], 4, 0) }, new Uint8Array(4)), /begin <= end/],
    ['a gap', file({ a: entry('F32', [1], 0, 4), b: entry('F32', [1], 8, 12) }, new Uint8Array(12)), /"b" starts at 8 but the data before it ends at 4/],
    ['an overlap', file({ a: entry('F32', [2], 0, 8), b: entry('F32', [1], 4, 8) }, new Uint8Array(8)), /starts at 4 but the data before it ends at 8|needs 4 bytes/],
    ['not starting at 0', file({ a: entry('F32', [1], 4, 8) }, new Uint8Array(8)), /"a" starts at 4 but the data before it ends at 0/],
    ['a size that does not match the shape', file({ a: entry('F32', [3], 0, 8) }, new Uint8Array(8)), /needs 12 bytes but its offsets span 8/],
    ['an overflowing size', file({ a: entry('F64', [2 ** 26, 2 ** 26, 2 ** 26], 0, 8) }, new Uint8Array(8)), /overflows/],
    ['trailing data', file({ a: entry('F32', [1], 0, 4) }, new Uint8Array(6)), /cover 4 bytes of data but the file holds 6/],
    ['metadata that is not strings', file({ __metadata__: { a: 1 } }), /string metadata values/],
    ['metadata that is not an object', file({ __metadata__: ['a'] }), 'safetensors: Expected "__metadata__" to be an object of strings but it is an array of 1 items, not all numbers'],
    ['a header that is a JSON array', file('[]'), /start with "\{"/],
    ['a tensor entry that is not an object', file({ a: 3 }), 'safetensors: Expected an object for tensor "a" but it is 3'],
    ['a missing dtype', file({ a: { shape: [1], data_offsets: [0, 4] } }, new Uint8Array(4)), /tensor "a" has unknown dtype \(missing\) \(expected one of BOOL, F4/],
    ['a sub-byte dtype', file({ a: entry('F4', [2], 0, 1) }, new Uint8Array(1)), /dtype F4, which tensorgrad does not read \(it reads F64, F32/],
    ['a dtype named like an Object method', file({ a: entry('toString', [1], 0, 4) }, new Uint8Array(4)), /unknown dtype "toString"/],
    ['a fractional dimension', file({ a: entry('F32', [1.5], 0, 6) }, new Uint8Array(6)), 'safetensors: tensor "a" has shape [1.5]: Expected non-negative integers'],
    ['a dimension beyond 2^53', file('{"a":{"dtype":"U8","shape":[9007199254740993],"data_offsets":[0,1]}}', new Uint8Array(1)), /shape \[9007199254740992\]: Expected non-negative integers/],
    ['three data offsets', file({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4, 8] } }, new Uint8Array(4)), 'safetensors: tensor "a" has data_offsets [0, 4, 8]: Expected [begin, end] with 0 <= begin <= end'],
    ['a negative offset', file({ a: entry('F32', [1], -4, 0) }, new Uint8Array(4)), /data_offsets \[-4, 0\]/],
    ['fractional offsets', file({ a: entry('U8', [1], 0.5, 1.5) }, new Uint8Array(1)), /data_offsets \[0.5, 1.5\]/],
    ['offsets past the end of the file', file({ a: entry('F32', [4], 0, 16) }, new Uint8Array(8)), 'safetensors: the tensors cover 16 bytes of data but the file holds 8'],
    ['a size overflow hidden by a later zero', file({ a: entry('F32', [2 ** 40, 2 ** 40, 0], 0, 0) }), /tensor "a": the size of shape \[1099511627776, 1099511627776, 0\] overflows/],
    ['two tensors on the same bytes', file({ a: entry('F32', [1], 0, 4), b: entry('F32', [1], 0, 4) }, new Uint8Array(4)), /tensor "b" starts at 0 but the data before it ends at 4/],
    ['a header length that reaches past the file by one byte', (() => { const b = file({}); b[0]! += 1; return b; })(), 'safetensors: the header declares 3 bytes but the file has 2 after the length'],
  ] as const)('refuses %s', (_, bytes, message) => {
    expect(() => io.deserialize(bytes)).toThrow(message);
  });

  it('reads a tensor named __proto__ as its own key, and null metadata as none (as the reference does)', () => {
    const header = '{"__metadata__":null,"__proto__":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"constructor":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}';
    const bytes = file(header, new Uint8Array(Float32Array.of(2, 3).buffer));
    const back = io.deserialize(bytes);
    expect(Object.keys(back.tensors)).toEqual(['__proto__', 'constructor']);
    expect(Object.getPrototypeOf(back.tensors)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(back.tensors, '__proto__')!.value.item()).toBe(2);
    expect(back.dtypes).toEqual(JSON.parse('{"__proto__": "F32", "constructor": "F32"}'));
    expect(back.metadata).toEqual({});
  });

  it('names huge or deeply nested header values briefly instead of overflowing the stack', () => {
    const deep = `{"a":{"dtype":"F32","shape":${'['.repeat(100_000)}${']'.repeat(100_000)},"data_offsets":[0,0]}}`;
    expect(() => io.deserialize(file(deep))).toThrow('safetensors: tensor "a" has shape an array of 1 items, not all numbers: Expected non-negative integers');
    const nested = `{"__metadata__":{"k":${'{"k":'.repeat(100_000)}1${'}'.repeat(100_000)}}}`;
    expect(() => io.deserialize(file(nested))).toThrow('safetensors: Expected string metadata values but "k" is an object');
    const long = 'n'.repeat(1_000_000);
    expect(() => io.deserialize(file({ [long]: entry('F32', [2], 0, 4) }, new Uint8Array(4)))).toThrow(
      `safetensors: tensor "${'n'.repeat(40)}…" of shape [2] (F32) needs 8 bytes but its offsets span 4`,
    );
    const manyDims = new Array(1000).fill(2);
    expect(() => io.deserialize(file({ a: entry('U8', manyDims, 0, 1) }, new Uint8Array(1)))).toThrow('safetensors: tensor "a": the size of shape [2, 2, 2, 2, 2, 2, 2, 2, … (1000 items)] overflows');
  });

  it('saves and loads a module', () => {
    const a = new nn.Sequential(new Scale(3), new Scale(3));
    (a[0] as Scale).w.data.set([1, 2, 3]);
    const target = path.join(dir, 'seq.safetensors');
    a.save(target);
    const b = new nn.Sequential(new Scale(3), new Scale(3));
    expect(b.loadFrom(target)).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expect(Array.from((b[0] as Scale).w.data)).toEqual([1, 2, 3]);
    const c = new nn.Sequential(new Scale(3));
    expect(() => c.loadFrom(target)).toThrow(/unexpected keys \[1.w\]/);
  });
});

class Scale extends nn.Module {
  w: nn.Parameter;
  constructor(n: number) {
    super();
    this.w = new nn.Parameter(zeros([n]));
  }
  forward(x: Tensor): Tensor {
    return x;
  }
}

describeWithPeers('numpy', 'files read by Python (json + numpy)', () => {
  it('reads our safetensors header with json and the data with numpy', () => {
    const target = path.join(dir, 'interop.safetensors');
    io.save({ a: tensor([[1.5, -2], [3, 4]]), b: tensor([7, 8, 9]) }, target, { metadata: { note: 'hi' }, dtype: { a: 'F32', b: 'F16' } });
    const script = `
import json, struct, sys, numpy as np
raw = open(sys.argv[1], 'rb').read()
n = struct.unpack('<Q', raw[:8])[0]
header = json.loads(raw[8:8 + n])
data = raw[8 + n:]
out = {'metadata': header.pop('__metadata__')}
for name, info in header.items():
    b, e = info['data_offsets']
    dt = {'F32': '<f4', 'F16': '<f2'}[info['dtype']]
    out[name] = np.frombuffer(data[b:e], dtype=dt).reshape(info['shape']).astype(float).tolist()
print(json.dumps(out))
`;
    const result = JSON.parse(execFileSync('/usr/bin/python3', ['-c', script, target], { encoding: 'utf8' }));
    expect(result).toEqual({ metadata: { note: 'hi' }, a: [[1.5, -2], [3, 4]], b: [7, 8, 9] });
  });

  it('numpy.load reads our NPY files', () => {
    const target = path.join(dir, 'w.npy');
    io.saveNpy(tensor([[1, 2, 3], [4, 5, 6.5]]), target);
    const t64 = path.join(dir, 'v.npy');
    io.saveNpy(new Tensor(Float64Array.of(1 / 3), [1]), t64);
    const script = 'import numpy as np, sys, json; a = np.load(sys.argv[1]); b = np.load(sys.argv[2]); print(json.dumps([str(a.dtype), a.shape, a.tolist(), str(b.dtype), b.tolist()]))';
    const result = JSON.parse(execFileSync('/usr/bin/python3', ['-c', script, target, t64], { encoding: 'utf8' }));
    expect(result).toEqual(['float32', [2, 3], [[1, 2, 3], [4, 5, 6.5]], 'float64', [1 / 3]]);
  });
});

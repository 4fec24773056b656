// Interop with real clients (Debian's /usr/bin/python3 with numpy): safetensors written by
// tensorgrad in every dtype it writes are read by json + numpy; safetensors written by a few
// lines of Python (struct + json + numpy) in every dtype tensorgrad reads are read by tensorgrad;
// NPY files written by numpy in every dtype, byte order, memory order and version the reader
// claims are read by tensorgrad; NPY files written by tensorgrad are read by numpy.load.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { Tensor, data, io } from '../../lib';
import { describeWithPeers } from '../peers';

const PYTHON = '/usr/bin/python3';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-interop-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function python(script: string, ...args: string[]): unknown {
  return JSON.parse(execFileSync(PYTHON, ['-c', script, ...args], { encoding: 'utf8' }));
}

describeWithPeers('numpy', 'safetensors and NPY with Python (json + numpy)', () => {
  it('Python reads every dtype tensorgrad writes, with scalar and empty shapes and metadata', () => {
    const target = path.join(dir, 'all.safetensors');
    const values = [1.5, -2.25, 3, 0.5, -0.125, 6];
    const tensors = {
      f32: new Tensor(Float32Array.from(values), [2, 3]),
      f64: new Tensor(Float64Array.of(1 / 3, -1e300, 5e-324), [3]),
      f16: new Tensor(Float32Array.of(65504, -(2 ** -24), 0.099975586), [3, 1]),
      bf16: new Tensor(Float32Array.of(3.140625, -(2 ** 100)), [2]),
      i32: new Tensor(Float32Array.of(2 ** 24, -7), [2]),
      i64: new Tensor(Float64Array.of(2 ** 53 - 1, -(2 ** 40)), [1, 2]),
      scalar: new Tensor(Float32Array.of(4.5), []),
      empty: new Tensor(new Float32Array(0), [0, 3]),
    };
    const dtype = { f32: 'F32', f64: 'F64', f16: 'F16', bf16: 'BF16', i32: 'I32', i64: 'I64', scalar: 'F32', empty: 'F64' } as const;
    io.save(tensors, target, { metadata: { framework: 'tensorgrad', 'ünï': 'çødé' }, dtype });
    const script = `
import json, struct, sys, numpy as np
raw = open(sys.argv[1], 'rb').read()
n = struct.unpack('<Q', raw[:8])[0]
header = json.loads(raw[8:8 + n].decode('utf-8'))
body = raw[8 + n:]
out = {'metadata': header.pop('__metadata__'), 'tensors': {}}
for name, info in header.items():
    b, e = info['data_offsets']
    chunk = body[b:e]
    if info['dtype'] == 'BF16':
        a = (np.frombuffer(chunk, dtype='<u2').astype('<u4') << 16).view('<f4')
    else:
        a = np.frombuffer(chunk, dtype={'F32': '<f4', 'F64': '<f8', 'F16': '<f2', 'I32': '<i4', 'I64': '<i8'}[info['dtype']])
    a = a.reshape(info['shape'])
    out['tensors'][name] = {'dtype': info['dtype'], 'shape': list(a.shape), 'values': [repr(float(v)) if a.dtype.kind == 'f' else int(v) for v in a.ravel()]}
print(json.dumps(out))
`;
    const result = python(script, target) as { metadata: Record<string, string>; tensors: Record<string, { dtype: string; shape: number[]; values: (string | number)[] }> };
    expect(result.metadata).toEqual({ framework: 'tensorgrad', 'ünï': 'çødé' });
    expect(Object.keys(result.tensors).sort()).toEqual(Object.keys(tensors).sort());
    for (const [name, t] of Object.entries(tensors)) {
      const got = result.tensors[name]!;
      expect(got.dtype, name).toBe(dtype[name as keyof typeof dtype]);
      expect(got.shape, name).toEqual([...t.shape]);
      // Python's repr(float) is the shortest round-trip string: parse it back to compare bits.
      const numbers = got.values.map((v) => (typeof v === 'string' ? Number(v) : v));
      const expected = Array.from(t.data, (v) => (got.dtype === 'F16' ? io.float16ToFloat32(io.float32ToFloat16(v)) : v));
      expect(numbers, name).toEqual(expected);
    }
  });

  it('tensorgrad reads safetensors written by Python (struct + json + numpy) in every dtype it reads', () => {
    const target = path.join(dir, 'from-python.safetensors');
    const script = `
import json, struct, sys, numpy as np
arrays = {
    'f32': np.array([[1.5, -2.0], [3.25, 1e-40]], dtype='<f4'),
    'f64': np.array([1/3, -1e300, 5e-324], dtype='<f8'),
    'f16': np.array([65504, -2**-24, 0.1], dtype='<f2'),
    'i64': np.array([2**53 - 1, -2**40], dtype='<i8'),
    'i32': np.array([-2**31, 2**31 - 1], dtype='<i4'),
    'i16': np.array([[-32768], [32767]], dtype='<i2'),
    'i8': np.array([-128, 127, 0], dtype='i1'),
    'u8': np.array([0, 255], dtype='u1'),
    'bool': np.array([True, False, True]),
    'scalar': np.array(2.5, dtype='<f4'),
    'empty': np.zeros((0, 4), dtype='<f8'),
}
names = {'f32': 'F32', 'f64': 'F64', 'f16': 'F16', 'i64': 'I64', 'i32': 'I32', 'i16': 'I16', 'i8': 'I8', 'u8': 'U8', 'bool': 'BOOL'}
header, chunks, offset = {'__metadata__': {'source': 'python'}}, [], 0
# Data in reverse name order: the reader must sort by offsets, not trust the key order.
for name in sorted(arrays, reverse=True):
    a = arrays[name]
    raw = a.tobytes()
    header[name] = {'dtype': names.get(name, 'F32' if name == 'scalar' else 'F64'), 'shape': list(a.shape), 'data_offsets': [offset, offset + len(raw)]}
    chunks.append(raw)
    offset += len(raw)
# BF16: the top half of float32 values that bfloat16 holds exactly.
bf = np.array([1.0, -3.140625, 2.0**100], dtype='<f4').view('<u4') >> 16
raw = bf.astype('<u2').tobytes()
header['bf16'] = {'dtype': 'BF16', 'shape': [3], 'data_offsets': [offset, offset + len(raw)]}
chunks.append(raw)
text = json.dumps(header).encode('utf-8')  # unpadded, as some writers leave it
with open(sys.argv[1], 'wb') as f:
    f.write(struct.pack('<Q', len(text)) + text + b''.join(chunks))
print(json.dumps({name: [repr(float(v)) for v in np.ravel(a)] for name, a in arrays.items()}))
`;
    const expected = python(script, target) as Record<string, string[]>;
    const back = io.load(target, { dtype: 'keep' });
    expect(back.metadata).toEqual({ source: 'python' });
    expect(back.dtypes).toMatchObject({ f32: 'F32', f64: 'F64', f16: 'F16', i64: 'I64', i32: 'I32', i16: 'I16', i8: 'I8', u8: 'U8', bool: 'BOOL', bf16: 'BF16', scalar: 'F32', empty: 'F64' });
    const shapes: Record<string, number[]> = { f32: [2, 2], f64: [3], f16: [3], i64: [2], i32: [2], i16: [2, 1], i8: [3], u8: [2], bool: [3], scalar: [], empty: [0, 4] };
    for (const [name, values] of Object.entries(expected)) {
      const t = back.tensors[name]!;
      expect(t.shape, name).toEqual(shapes[name]);
      // F64 stays float64 ('keep'); every other dtype arrives as float32 values.
      const want = values.map(Number).map((v) => (name === 'f64' || name === 'empty' ? v : Math.fround(v)));
      expect(Array.from(t.data), name).toEqual(want);
    }
    expect(Array.from(back.tensors['bf16']!.data)).toEqual([1, -3.140625, 2 ** 100]);
  });

  it('tensorgrad reads NPY files numpy writes in every dtype, byte order, memory order and version it claims', () => {
    const script = `
import json, sys, numpy as np
d = sys.argv[1]
base = (np.arange(24, dtype=np.float64).reshape(2, 3, 4) * 37 % 251) - 100
cases = {}
def save(name, a, version=None):
    with open(d + '/' + name + '.npy', 'wb') as f:
        np.lib.format.write_array(f, a, version=version)
    cases[name] = {'descr': a.dtype.str, 'shape': list(a.shape), 'values': [repr(v) if isinstance(v, float) else int(v) for v in a.ravel(order='C').tolist()]}
for code in ['f4', 'f8', 'i2', 'i4', 'i8']:
    for order in '<>':
        save(order + code, base.astype(order + code))
        save(order + code + '-fortran', np.asfortranarray(base.astype(order + code)))
for code in ['u1', 'i1', 'b1']:
    a = base.astype('i8') % 2 if code == 'b1' else base
    save(code, a.astype(code))
    save(code + '-fortran', np.asfortranarray(a.astype(code)))
save('scalar', np.array(-7.25, dtype='<f8'))
save('empty', np.zeros((3, 0, 2), dtype='>f4'))
save('v2', base.astype('<f4'), version=(2, 0))
save('v3', base.astype('>i4'), version=(3, 0))
print(json.dumps(cases))
`;
    const npyDir = path.join(dir, 'npy');
    fs.mkdirSync(npyDir);
    const cases = python(script, npyDir) as Record<string, { descr: string; shape: number[]; values: (string | number)[] }>;
    expect(Object.keys(cases)).toHaveLength(30);
    const dtypes: Record<string, string> = { f4: 'float32', f8: 'float64', i2: 'int16', i4: 'int32', i8: 'int64', u1: 'uint8', i1: 'int8', b1: 'uint8' };
    for (const [name, { descr, shape, values }] of Object.entries(cases)) {
      const array = data.readNpy(path.join(npyDir, `${name}.npy`));
      expect(array.shape, name).toEqual(shape);
      expect(array.dtype, name).toBe(dtypes[descr.slice(1)]);
      const got = Array.from(array.data as ArrayLike<number | bigint>, (v) => (typeof v === 'bigint' ? Number(v) : v));
      expect(got, name).toEqual(values.map((v) => (typeof v === 'string' ? Number(v) : v)));
    }
  });

  it('numpy.load reads NPY files tensorgrad writes: float32 and float64, scalar, empty and 1-d shapes', () => {
    const files = {
      matrix: new Tensor(Float32Array.of(1, -2.5, 3e-39, 4, 5, 6), [2, 3]),
      doubles: new Tensor(Float64Array.of(1 / 3, -1e300, 5e-324), [3]),
      scalar: new Tensor(Float32Array.of(-0.75), []),
      empty: new Tensor(new Float32Array(0), [0, 3]),
      cube: new Tensor(Float64Array.from({ length: 24 }, (_, i) => i / 7), [2, 3, 4]),
    };
    for (const [name, t] of Object.entries(files)) io.saveNpy(t, path.join(dir, `${name}.npy`));
    const script = `
import json, sys, numpy as np
out = {}
for name in sys.argv[2:]:
    a = np.load(sys.argv[1] + '/' + name + '.npy', allow_pickle=False)
    out[name] = {'dtype': a.dtype.str, 'shape': list(a.shape), 'c': bool(a.flags.c_contiguous), 'values': [repr(float(v)) for v in a.ravel()]}
print(json.dumps(out))
`;
    const result = python(script, dir, ...Object.keys(files)) as Record<string, { dtype: string; shape: number[]; c: boolean; values: string[] }>;
    for (const [name, t] of Object.entries(files)) {
      const got = result[name]!;
      expect(got.dtype, name).toBe(t.dtype === 'float64' ? '<f8' : '<f4');
      expect(got.shape, name).toEqual([...t.shape]);
      expect(got.c, name).toBe(true);
      expect(got.values.map(Number), name).toEqual(Array.from(t.data));
    }
  });
});

// NPY: hand-made files of every supported dtype, both byte orders, C and Fortran order, and
// versions 1–3; lying files refused; files written by numpy itself read back exactly.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { data } from '../../lib';
import { describeWithPeers } from '../peers';

function npy(header: string, body: Uint8Array, version = 1): Uint8Array {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0];
  const text = new TextEncoder().encode(header);
  const lengthBytes = version === 1 ? 2 : 4;
  const out = new Uint8Array(8 + lengthBytes + text.length + body.length);
  out.set(magic);
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, text.length, true);
  else view.setUint32(8, text.length, true);
  out.set(text, 8 + lengthBytes);
  out.set(body, 8 + lengthBytes + text.length);
  return out;
}

function floats(values: number[], littleEndian: boolean, size: 4 | 8): Uint8Array {
  const out = new Uint8Array(values.length * size);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => (size === 4 ? view.setFloat32(i * 4, v, littleEndian) : view.setFloat64(i * 8, v, littleEndian)));
  return out;
}

const header = (descr: string, shape: string, fortran = false) =>
  `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': ${shape}, }\n`;

describe('NPY reader', () => {
  it.each([
    ['<f4', true, 4], ['>f4', false, 4], ['<f8', true, 8], ['>f8', false, 8],
  ] as const)('reads %s', (descr, le, size) => {
    const array = data.parseNpy(npy(header(descr, '(2, 3)'), floats([1, 2, 3, 4.5, -5, 6], le, size)));
    expect(array.shape).toEqual([2, 3]);
    expect(Array.from(array.data as Float32Array)).toEqual([1, 2, 3, 4.5, -5, 6]);
  });

  it('reads integers, bools, 0-d arrays and empty arrays whose zero is not the first dimension', () => {
    expect(Array.from(data.parseNpy(npy(header('|u1', '(3,)'), Uint8Array.of(0, 128, 255))).data as Uint8Array)).toEqual([0, 128, 255]);
    expect(Array.from(data.parseNpy(npy(header('|b1', '(2,)'), Uint8Array.of(1, 0))).data as Uint8Array)).toEqual([1, 0]);
    const i4 = new Uint8Array(8);
    new DataView(i4.buffer).setInt32(0, -7, false);
    new DataView(i4.buffer).setInt32(4, 70000, false);
    expect(Array.from(data.parseNpy(npy(header('>i4', '(2,)'), i4)).data as Int32Array)).toEqual([-7, 70000]);
    const i8 = new Uint8Array(8);
    new DataView(i8.buffer).setBigInt64(0, -(2n ** 40n), true);
    const int64 = data.parseNpy(npy(header('<i8', '(1,)'), i8));
    expect(int64.dtype).toBe('int64');
    expect(Array.from(data.toFloat32(int64, 'test'))).toEqual([-(2 ** 40)]);
    const empty = data.parseNpy(npy(header('<f4', '(3, 0, 2)'), new Uint8Array(0)));
    expect(empty.shape).toEqual([3, 0, 2]);
    expect(empty.data).toHaveLength(0);
    const scalar = data.parseNpy(npy(header('<f8', '()'), floats([3.25], true, 8)));
    expect(scalar.shape).toEqual([]);
    expect(scalar.data[0]).toBe(3.25);
  });

  it('returns Fortran-order arrays in C order', () => {
    // The 2×3 matrix [[1, 2, 3], [4, 5, 6]] stored column by column, and a 2×2×2 cube.
    expect(Array.from(data.parseNpy(npy(header('<f4', '(2, 3)', true), floats([1, 4, 2, 5, 3, 6], true, 4))).data as Float32Array)).toEqual([1, 2, 3, 4, 5, 6]);
    const cube = data.parseNpy(npy(header('<f8', '(2, 2, 2)', true), floats([0, 4, 2, 6, 1, 5, 3, 7], true, 8)));
    expect(Array.from(cube.data as Float64Array)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('reads versions 2 and 3', () => {
    for (const version of [2, 3]) {
      expect(Array.from(data.parseNpy(npy(header('<f4', '(1,)'), floats([9], true, 4), version)).data as Float32Array)).toEqual([9]);
    }
  });

  it('refuses bad magic, versions, headers and sizes', () => {
    const body = floats([1, 2], true, 4);
    expect(() => data.parseNpy(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10))).toThrow(/NPY magic/);
    expect(() => data.parseNpy(npy(header('<f4', '(2,)'), body, 4))).toThrow(/unsupported NPY version 4/);
    expect(() => data.parseNpy(npy(header('<c8', '(1,)'), new Uint8Array(8)))).toThrow(/unsupported dtype '<c8'/);
    expect(() => data.parseNpy(npy("{'descr': '<f4', 'shape': (2,), }", body))).toThrow(/Expected 'descr', 'fortran_order' and 'shape'/);
    expect(() => data.parseNpy(npy("__import__('os')", body))).toThrow(/dict literal/);
    expect(() => data.parseNpy(npy(header('<f4', '(3,)'), body))).toThrow(/declares shape \[3\].*only 8 bytes/);
    expect(() => data.parseNpy(npy(header('<f4', '(1,)'), body))).toThrow(/declares shape \[1\] \('float32', 4 bytes\) but the file holds 8/);
    expect(() => data.parseNpy(npy(header('<f4', '(2, -1)'), body))).toThrow(/integer dimensions/);
    const truncated = npy(header('<f4', '(2,)'), body);
    new DataView(truncated.buffer).setUint16(8, 60000, true);
    expect(() => data.parseNpy(truncated)).toThrow('parseNpy: the header declares 60000 bytes, more than the 10000 numpy.load reads by default');
    new DataView(truncated.buffer).setUint16(8, 9000, true);
    expect(() => data.parseNpy(truncated)).toThrow(`parseNpy: the header declares 9000 bytes but the data has ${truncated.length - 10} after the magic`);
  });

  it.each([
    ['a repeated key', "{'descr': '<f4', 'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", "parseNpy: the header repeats the key 'descr'"],
    ['an unknown key', "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}", `parseNpy: unexpected key "x" in the header (expected exactly 'descr', 'fortran_order' and 'shape')`],
    ['a shape that is a number, not a tuple', "{'descr': '<f4', 'fortran_order': False, 'shape': (2)}", 'parseNpy: Expected a tuple for shape but it reads "(2)" (a 1-d shape is written (n,))'],
    ['keys inside another value', "{'descr': \"'descr': '<f4'\", 'fortran_order': False, 'shape': (2,)}", /unsupported dtype "'descr': '<f4'"|unsupported dtype/],
    ['text after the dict', "{'descr': '<f4', 'fortran_order': False, 'shape': (2,)} {}", 'parseNpy: Expected nothing after the closing "}" at offset 56 of the header but it reads "{}\\n"'],
    ['a fortran_order that is not a bool', "{'descr': '<f4', 'fortran_order': 0, 'shape': (2,)}", /Expected True or False for fortran_order at offset 34 of the header but it reads "0, /],
    ['an escape in a string', "{'descr': '<f\\x34', 'fortran_order': False, 'shape': (2,)}", /Expected a string without escapes/],
    ['an unterminated string', "{'descr': '<f4, 'fortran_order': False, 'shape': (2,)}", /Expected "," or "}" after a value at offset 17/],
    ['a structured dtype', "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,)}", /Expected a quoted string at offset 10/],
  ])('refuses a header with %s', (_, text, message) => {
    expect(() => data.parseNpy(npy(`${text}\n`, floats([1, 2], true, 4)))).toThrow(message);
  });

  it('reads a gzipped file and caps what it may inflate to by its header', () => {
    const good = npy(header('<f4', '(2,)'), floats([1.5, -2], true, 4));
    expect(Array.from(data.parseNpy(zlib.gzipSync(good)).data as Float32Array)).toEqual([1.5, -2]);
    const padded = new Uint8Array(good.length + (1 << 20));
    padded.set(good);
    expect(() => data.parseNpy(zlib.gzipSync(padded))).toThrow(`parseNpy: the gzipped data inflates to more than the ${good.length} bytes its header declares`);
    expect(() => data.parseNpy(zlib.gzipSync(npy(header('<f4', '(2,)'), new Uint8Array(3))).subarray(0, 20))).toThrow(/gzipped data is corrupt|the data has/);
  });
});

describeWithPeers('numpy', 'NPY files written by numpy (Debian python3-numpy)', () => {
  it('reads every dtype, byte order and memory order numpy writes', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-npy-'));
    const script = `
import numpy as np, sys
d = sys.argv[1]
base = np.arange(24, dtype=np.float64).reshape(2, 3, 4) / 7 - 1
np.save(d + '/f4.npy', base.astype('<f4'))
np.save(d + '/f8be.npy', base.astype('>f8'))
np.save(d + '/fortran.npy', np.asfortranarray(base.astype('<f4')))
np.save(d + '/i8.npy', (np.arange(6) * -123456789).astype('<i8'))
np.save(d + '/u1.npy', np.arange(250, 256).astype('u1'))
np.save(d + '/i4be.npy', np.arange(-3, 3).astype('>i4'))
`;
    execFileSync('/usr/bin/python3', ['-c', script, dir]);
    const base = Array.from({ length: 24 }, (_, i) => i / 7 - 1);
    const f4 = data.readNpy(path.join(dir, 'f4.npy'));
    expect(f4.shape).toEqual([2, 3, 4]);
    expect(Array.from(f4.data as Float32Array)).toEqual(base.map(Math.fround));
    expect(Array.from(data.readNpy(path.join(dir, 'f8be.npy')).data as Float64Array)).toEqual(base);
    expect(Array.from(data.readNpy(path.join(dir, 'fortran.npy')).data as Float32Array)).toEqual(base.map(Math.fround));
    expect(Array.from(data.readNpy(path.join(dir, 'i8.npy')).data as BigInt64Array)).toEqual([0, 1, 2, 3, 4, 5].map((i) => BigInt(i * -123456789)));
    expect(Array.from(data.readNpy(path.join(dir, 'u1.npy')).data as Uint8Array)).toEqual([250, 251, 252, 253, 254, 255]);
    expect(Array.from(data.readNpy(path.join(dir, 'i4be.npy')).data as Int32Array)).toEqual([-3, -2, -1, 0, 1, 2]);
    fs.rmSync(dir, { recursive: true });
  });
});

// IDX: every type code, gzipped or not, and files that lie about their size are refused before
// anything is allocated.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { data } from '../../lib';

/** An IDX file: type code, dimensions, then values written big-endian by `write`. */
function idx(type: number, shape: number[], itemSize: number, write: (view: DataView, at: number, i: number) => void): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  const bytes = new Uint8Array(4 + 4 * shape.length + count * itemSize);
  const view = new DataView(bytes.buffer);
  bytes[2] = type;
  bytes[3] = shape.length;
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  for (let i = 0; i < count; i++) write(view, 4 + 4 * shape.length + i * itemSize, i);
  return bytes;
}

describe('IDX reader', () => {
  it('reads uint8 images with their shape', () => {
    const file = idx(0x08, [2, 2, 3], 1, (v, at, i) => v.setUint8(at, i * 10));
    const array = data.parseIdx(file);
    expect(array).toMatchObject({ dtype: 'uint8', shape: [2, 2, 3] });
    expect(Array.from(array.data as Uint8Array)).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110]);
  });

  it.each([
    [0x09, 'int8', 1, (v: DataView, at: number, i: number) => v.setInt8(at, -i), (i: number) => -i + 0],
    [0x0b, 'int16', 2, (v: DataView, at: number, i: number) => v.setInt16(at, -300 * i, false), (i: number) => -300 * i + 0],
    [0x0c, 'int32', 4, (v: DataView, at: number, i: number) => v.setInt32(at, 70000 * i, false), (i: number) => 70000 * i],
    [0x0d, 'float32', 4, (v: DataView, at: number, i: number) => v.setFloat32(at, i + 0.5, false), (i: number) => i + 0.5],
    [0x0e, 'float64', 8, (v: DataView, at: number, i: number) => v.setFloat64(at, i / 3, false), (i: number) => i / 3],
  ] as const)('reads type code 0x%s as %s, big-endian', (code, dtype, size, write, expected) => {
    const array = data.parseIdx(idx(code, [5], size, write));
    expect(array.dtype).toBe(dtype);
    expect(Array.from(array.data as Float64Array)).toEqual([0, 1, 2, 3, 4].map(expected));
  });

  it('reads gzipped files, from disk too', () => {
    const file = idx(0x08, [3], 1, (v, at, i) => v.setUint8(at, 7 + i));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-idx-'));
    const target = path.join(dir, 'labels-idx1-ubyte.gz');
    fs.writeFileSync(target, zlib.gzipSync(file));
    expect(Array.from(data.readIdx(target).data as Uint8Array)).toEqual([7, 8, 9]);
    fs.rmSync(dir, { recursive: true });
  });

  it('refuses bad magic, unknown types, truncated and padded files, and lying headers', () => {
    const good = idx(0x08, [2, 3], 1, () => {});
    expect(() => data.parseIdx(Uint8Array.of(1, 0, 8, 1))).toThrow(/IDX magic/);
    expect(() => data.parseIdx(Uint8Array.of(0, 0, 0x07, 1, 0, 0, 0, 0))).toThrow(/unknown IDX type code 0x7/);
    expect(() => data.parseIdx(Uint8Array.of(0, 0, 8))).toThrow(/4-byte header/);
    expect(() => data.parseIdx(Uint8Array.of(0, 0, 8, 2, 0, 0, 0, 1))).toThrow(/declares 2 dimensions \(12 bytes\)/);
    expect(() => data.parseIdx(good.subarray(0, good.length - 1))).toThrow(/declares shape \[2, 3\].*only 5 bytes/);
    expect(() => data.parseIdx(Uint8Array.of(...good, 0))).toThrow('parseIdx: the header declares shape [2, 3] (6 bytes of data) but the file holds 7');
    const huge = Uint8Array.of(0, 0, 0x0e, 2, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4);
    expect(() => data.parseIdx(huge)).toThrow(/declares shape \[4294967295, 4294967295\]/);
  });

  it('caps what a gzipped file may inflate to', () => {
    // A valid header declaring 1000 bytes of data, then a megabyte of zeros.
    const inflated = new Uint8Array(8 + (1 << 20));
    inflated.set([0, 0, 0x08, 1, 0, 0, 0x03, 0xe8]);
    const bomb = zlib.gzipSync(inflated);
    expect(bomb.length).toBeLessThan(1100);
    expect(() => data.parseIdx(bomb)).toThrow('parseIdx: the gzipped data inflates to more than the 1008 bytes its header declares');
    expect(() => data.parseIdx(bomb, { maxBytes: 1000 })).toThrow("parseIdx: the gzipped file's header declares 1008 bytes, more than maxBytes 1000 (raise maxBytes to allow it)");
    // A bad header is refused from the first inflated bytes, before the rest is inflated.
    expect(() => data.parseIdx(zlib.gzipSync(new Uint8Array(1 << 20)))).toThrow(/unknown IDX type code 0x0/);
    const lying = zlib.gzipSync(Uint8Array.of(0, 0, 0x0d, 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff));
    expect(() => data.parseIdx(lying)).toThrow("parseIdx: the gzipped file's header declares about 3.17e+29 bytes, more than maxBytes 2147483648");
    expect(() => data.parseIdx(Uint8Array.of(0x1f, 0x8b, 1, 2, 3))).toThrow(/gzipped data is corrupt/);
  });

  it('names the file when reading from disk fails', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-idx-'));
    const target = path.join(dir, 'bad');
    fs.writeFileSync(target, Uint8Array.of(9, 9, 9, 9));
    expect(() => data.readIdx(target)).toThrow(`readIdx: ${target}: Expected the IDX magic`);
    fs.rmSync(dir, { recursive: true });
  });
});

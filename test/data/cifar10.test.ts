// The CIFAR-10 binary reader on files the test writes: records of one label byte and 3 072
// pixel bytes (red, green, blue planes of 32×32), every size and label checked.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { data } from '../../lib';

const RECORD = 3073;

/** count records: label (start + i) % 10, pixel p of record i = (i·7 + p) % 256. */
function batchBytes(count: number, start: number): Uint8Array {
  const bytes = new Uint8Array(count * RECORD);
  for (let i = 0; i < count; i++) {
    bytes[i * RECORD] = (start + i) % 10;
    for (let p = 0; p < 3072; p++) bytes[i * RECORD + 1 + p] = (i * 7 + p) % 256;
  }
  return bytes;
}

const dirs: string[] = [];
function cifarDir(files: Record<string, Uint8Array | string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'tg-cifar-'));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('readCifar10', () => {
  it('reads the training batches in order and the test batch as [N, 3, 32, 32] in [0, 1]', () => {
    const dir = cifarDir({ 'data_batch_1.bin': batchBytes(3, 0), 'data_batch_2.bin': batchBytes(2, 3), 'test_batch.bin': batchBytes(4, 5) });
    expect(data.isCifar10Dir(dir)).toBe(true);
    const { train, test, classNames } = data.readCifar10(dir);
    expect(train.x.shape).toEqual([5, 3, 32, 32]);
    expect(Array.from(train.y.data)).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(test.y.data)).toEqual([5, 6, 7, 8]);
    expect(classNames).toEqual(data.CIFAR10_CLASSES);
    // Record 1 of the second file is image 4: green plane (p = 1024 + 32·y + x), pixel (2, 5).
    const p = 1024 + 32 * 2 + 5;
    expect(train.x.data[4 * 3072 + p]).toBeCloseTo(((1 * 7 + p) % 256) / 255, 7);
    expect(train.x.data[0]).toBe(0);
  });

  it('keeps the raw bytes with scale false, flattens on request, and takes class names from batches.meta.txt', () => {
    const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'];
    const dir = cifarDir({ 'data_batch_1.bin': batchBytes(2, 0), 'test_batch.bin': batchBytes(1, 0), 'batches.meta.txt': `${names.join('\n')}\n\n` });
    const { train, classNames } = data.readCifar10(dir, { scale: false, flatten: true });
    expect(train.x.shape).toEqual([2, 3072]);
    expect(train.x.data[3072 + 10]).toBe((7 + 10) % 256);
    expect(classNames).toEqual(names);
  });

  it('refuses a truncated file, a label above 9, missing files and a path that is not a directory', () => {
    const bytes = batchBytes(2, 0);
    expect(() => data.readCifar10(cifarDir({ 'data_batch_1.bin': bytes.subarray(0, RECORD + 100), 'test_batch.bin': bytes }))).toThrow(/whole records of 3073 bytes .* 3173 bytes \(1 records and 100 bytes over\)/);
    const bad = batchBytes(2, 0);
    bad[RECORD] = 12;
    expect(() => data.readCifar10(cifarDir({ 'data_batch_1.bin': bytes, 'test_batch.bin': bad }))).toThrow(/labels 0–9 in test_batch.bin but record 1 \(byte 3073\) has 12/);
    expect(() => data.readCifar10(cifarDir({ 'data_batch_1.bin': bytes }))).toThrow(/test_batch.bin not found/);
    expect(() => data.readCifar10(cifarDir({ 'test_batch.bin': bytes }))).toThrow(/data_batch_1.bin not found/);
    expect(() => data.readCifar10(cifarDir({ 'data_batch_1.bin': new Uint8Array(0), 'test_batch.bin': bytes }))).toThrow(RangeError);
    expect(() => data.readCifar10('/nonexistent/cifar')).toThrow(/not a directory/);
    expect(data.isCifar10Dir(cifarDir({ 'test_batch.bin': bytes }))).toBe(false);
  });

  it('parseCifar10 decodes one batch file held in memory', () => {
    const set = data.parseCifar10(batchBytes(3, 4));
    expect(set.x.shape).toEqual([3, 3, 32, 32]);
    expect(Array.from(set.y.data)).toEqual([4, 5, 6]);
    expect(() => data.parseCifar10([1, 2, 3] as never)).toThrow(TypeError);
  });
});

// Atomic writes leave the old file or the new one, and no temporary files behind.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { io } from '../../lib';

describe('writeFileAtomic', () => {
  it('replaces the file whole and leaves nothing else in the directory', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-atomic-'));
    const target = path.join(dir, 'f.bin');
    io.writeFileAtomic(target, Uint8Array.of(1, 2, 3));
    io.writeFileAtomic(target, [Uint8Array.of(4), Uint8Array.of(5, 6)]);
    expect(Array.from(fs.readFileSync(target))).toEqual([4, 5, 6]);
    expect(fs.readdirSync(dir)).toEqual(['f.bin']);
    fs.rmSync(dir, { recursive: true });
  });

  it('removes the temporaries a killed writer left, never a live writer\'s', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-atomic-'));
    const dead = '.f.bin.999999999.1700000000000.tmp'; // no such pid
    const live = `.f.bin.${process.pid}.1700000000000.tmp`;
    const other = '.g.bin.999999999.1700000000000.tmp'; // another file's: not this write's business
    for (const name of [dead, live, other]) fs.writeFileSync(path.join(dir, name), 'half');
    io.writeFileAtomic(path.join(dir, 'f.bin'), Uint8Array.of(1));
    expect(fs.readdirSync(dir).sort()).toEqual([live, other, 'f.bin'].sort());
    fs.rmSync(dir, { recursive: true });
  });

  it('keeps the old file when the new one cannot be written', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-atomic-'));
    const target = path.join(dir, 'f.bin');
    io.writeFileAtomic(target, Uint8Array.of(1));
    expect(() => io.writeFileAtomic(path.join(dir, 'missing', 'g.bin'), Uint8Array.of(2))).toThrow(/ENOENT/);
    fs.mkdirSync(path.join(dir, 'occupied'));
    expect(() => io.writeFileAtomic(path.join(dir, 'occupied'), Uint8Array.of(2))).toThrow();
    expect(Array.from(fs.readFileSync(target))).toEqual([1]);
    expect(fs.readdirSync(dir).sort()).toEqual(['f.bin', 'occupied']);
    fs.rmSync(dir, { recursive: true });
  });
});

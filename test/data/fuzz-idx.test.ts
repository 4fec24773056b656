// Hostile IDX files, plain and gzipped: 12 000 seeded mutations of valid files (bit flips,
// overwrites, truncation at every boundary, huge dimensions, wrong type codes and dimension
// counts, corrupt gzip streams and gzip bombs). Each either loads self-consistently within the
// (inflated) file's size or is refused with a "parseIdx: …" error. A gzipped file may inflate to
// no more than its header declares. Runs standalone (the sanitizer script).
import * as zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { data } from '../../lib';
import { FuzzRng, concat, describeTally, mutateBytes, newTally, refusedWith, runCase, type FuzzTally, type Loaded } from '../io/fuzz-mutator';

const SIZES: Record<number, number> = { 0x08: 1, 0x09: 1, 0x0b: 2, 0x0c: 4, 0x0d: 4, 0x0e: 8 };

function idx(type: number, shape: number[], fill: (i: number) => number = (i) => i * 37): Uint8Array {
  const size = SIZES[type]!;
  const count = shape.reduce((a, b) => a * b, 1);
  const bytes = new Uint8Array(4 + 4 * shape.length + count * size);
  bytes.set([0, 0, type, shape.length]);
  const view = new DataView(bytes.buffer);
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  for (let i = 0; i < count * size; i++) bytes[4 + 4 * shape.length + i] = fill(i) & 0xff;
  return bytes;
}

const SEEDS = [idx(0x08, [3, 4, 5]), idx(0x09, [1, 1, 1, 7]), idx(0x0b, [2, 3]), idx(0x0c, [5]), idx(0x0d, [2, 2]), idx(0x0e, [3]), idx(0x08, [0, 28, 28]), idx(0x08, [2, 28, 28])];

function boundaries(file: Uint8Array): number[] {
  const ndim = file[3]!;
  const header = 4 + 4 * ndim;
  return [0, 1, 2, 3, 4, ...Array.from({ length: ndim }, (_, i) => 8 + 4 * i), header, header + 1, file.length - 1, file.length];
}

const HUGE_DIMS = [0, 1, 0xffffffff, 0x80000000, 0x7fffffff, 0x10000, 60000, 784];

/** A mutation of what the header means. */
function mutateHeader(rng: FuzzRng, seed: Uint8Array): { bytes: Uint8Array; label: string } {
  const bytes = Uint8Array.from(seed);
  const view = new DataView(bytes.buffer);
  const ndim = bytes[3]!;
  switch (rng.int(5)) {
    case 0: {
      const i = rng.int(ndim);
      const d = rng.chance(0.7) ? rng.pick(HUGE_DIMS) : rng.next();
      view.setUint32(4 + 4 * i, d, false);
      return { bytes, label: `dim ${i} = ${d}` };
    }
    case 1:
      bytes[3] = rng.pick([0, 1, ndim - 1, ndim + 1, 255, rng.int(256)]);
      return { bytes, label: `ndim ${bytes[3]}` };
    case 2:
      bytes[2] = rng.pick([0, 0x07, 0x0a, 0x0f, 0xff, 0x08, 0x0e, rng.int(256)]);
      return { bytes, label: `type 0x${bytes[2]!.toString(16)}` };
    case 3:
      bytes[rng.int(2)] = 1 + rng.int(255);
      return { bytes, label: 'magic' };
    default: {
      // Every dimension huge: the declared size overflows 2^53 and more.
      for (let i = 0; i < ndim; i++) view.setUint32(4 + 4 * i, 0xffffffff - rng.int(3), false);
      return { bytes, label: 'all dims huge' };
    }
  }
}

/** A gzip case: a mutated file gzipped, a gzipped file corrupted, or a bomb behind a valid header. */
function gzipCase(rng: FuzzRng, seed: Uint8Array): { bytes: Uint8Array; label: string } {
  switch (rng.int(4)) {
    case 0: {
      const inner = rng.chance(0.5) ? mutateHeader(rng, seed) : mutateBytes(rng, seed, boundaries(seed));
      return { bytes: zlib.gzipSync(inner.bytes, { level: 1 }), label: `gzip(${inner.label})` };
    }
    case 1: {
      const gz = zlib.gzipSync(seed, { level: 1 });
      const mutated = mutateBytes(rng, gz, [0, 2, 3, 9, 10, gz.length - 8, gz.length - 4, gz.length]);
      return { bytes: mutated.bytes, label: `corrupt gzip (${mutated.label})` };
    }
    case 2: {
      // A bomb: a valid header, then far more zeros than it declares.
      const extra = rng.pick([1, 1000, 1 << 16, 1 << 20]);
      return { bytes: zlib.gzipSync(concat([seed, new Uint8Array(extra)]), { level: 1 }), label: `bomb +${extra}` };
    }
    default: {
      // Two gzip members, or a member with a file name field.
      const gz = zlib.gzipSync(seed, { level: 1 });
      const half = Math.floor(seed.length / 2);
      return rng.chance(0.5)
        ? { bytes: concat([zlib.gzipSync(seed.subarray(0, half)), zlib.gzipSync(seed.subarray(half))]), label: 'two members' }
        : { bytes: concat([gz.subarray(0, 3), Uint8Array.of(gz[3]! | 0x08), gz.subarray(4, 10), new TextEncoder().encode('n'.repeat(1 + rng.int(3000))), Uint8Array.of(0), gz.subarray(10)]), label: 'FNAME' };
    }
  }
}

function load(bytes: Uint8Array): Loaded {
  const array = data.parseIdx(bytes);
  return { arrays: [{ shape: array.shape, data: array.data }] };
}

describe('fuzzed IDX files', () => {
  it('every one of 12 000 mutations, plain and gzipped, loads self-consistently or is refused with a parseIdx error', () => {
    const rng = new FuzzRng(8);
    const tally: FuzzTally = newTally();
    const gzipTally: FuzzTally = newTally();
    for (const seed of SEEDS) runCase(tally, 'seed', seed, 'parseIdx: ', 1, load);
    expect(tally.loaded).toBe(SEEDS.length);
    for (let c = 0; c < 12_000; c++) {
      const seed = rng.pick(SEEDS);
      const roll = rng.int(10);
      if (roll < 3) {
        // Gzipped cases: what loads is bounded by the inflated data, which the reader caps at
        // the size its header declares.
        const { bytes, label } = gzipCase(rng, seed);
        runCase(gzipTally, `case ${c} (${label})`, bytes, 'parseIdx: ', (b) => zlib.gunzipSync(b).length, load);
      } else {
        const { bytes, label } = roll < 6 ? mutateHeader(rng, seed) : mutateBytes(rng, seed, boundaries(seed));
        runCase(tally, `case ${c} (${label})`, bytes, 'parseIdx: ', 1, load);
      }
    }
    console.log(describeTally('IDX', tally));
    console.log(describeTally('IDX gzipped', gzipTally));
    expect([...tally.failures, ...gzipTally.failures]).toEqual([]);
    expect(tally.cases + gzipTally.cases).toBeGreaterThanOrEqual(10_000);
    expect(tally.loaded).toBeGreaterThan(100);
    expect(gzipTally.loaded).toBeGreaterThan(50);
    expect(refusedWith(gzipTally, 'the gzipped data inflates to more than the N')).toBeGreaterThan(50);
    expect(tally.reasons.size + gzipTally.reasons.size).toBeGreaterThan(10);
    expect(Math.max(tally.peakArrayBuffers, gzipTally.peakArrayBuffers)).toBeLessThan(256 * 2 ** 20);
  }, 60_000);
});

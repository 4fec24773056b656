// Hostile NPY files, plain and gzipped: 12 000 seeded mutations of valid files of every version,
// dtype, byte order and memory order (bit flips, overwrites, truncation at every boundary, lying
// header lengths, wrong or unknown descr strings, huge and negative shapes, broken dict literals,
// deep parentheses, versions, corrupt gzip and gzip bombs). Each either loads self-consistently
// within the (inflated) file's size or is refused with a "parseNpy: …" error. Runs standalone
// (the sanitizer script).
import * as zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { data } from '../../lib';
import { FuzzRng, concat, describeTally, mutateBytes, newTally, refusedWith, runCase, type FuzzTally, type Loaded } from '../io/fuzz-mutator';

interface Spec {
  descr: string;
  shape: string;
  fortran: boolean;
  version: number;
}

function npy(spec: Spec, body: Uint8Array, headerOverride?: string): Uint8Array {
  let header = headerOverride ?? `{'descr': '${spec.descr}', 'fortran_order': ${spec.fortran ? 'True' : 'False'}, 'shape': ${spec.shape}, }`;
  const lengthBytes = spec.version === 1 ? 2 : 4;
  if (headerOverride === undefined) header += `${' '.repeat((64 - ((8 + lengthBytes + header.length + 1) % 64)) % 64)}\n`;
  const text = spec.version === 3 ? new TextEncoder().encode(header) : Uint8Array.from(header, (c) => c.charCodeAt(0) & 0xff);
  const preamble = new Uint8Array(8 + lengthBytes);
  preamble.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, spec.version, 0]);
  const view = new DataView(preamble.buffer);
  if (spec.version === 1) view.setUint16(8, Math.min(text.length, 0xffff), true);
  else view.setUint32(8, text.length, true);
  return concat([preamble, text, body]);
}

const ITEM: Record<string, number> = { f4: 4, f8: 8, u1: 1, b1: 1, i1: 1, i2: 2, i4: 4, i8: 8 };

function body(descr: string, count: number): Uint8Array {
  const out = new Uint8Array(count * ITEM[descr.slice(1)]!);
  for (let i = 0; i < out.length; i++) out[i] = (i * 53 + 7) & 0xff;
  return out;
}

const SPECS: Spec[] = [
  { descr: '<f4', shape: '(2, 3)', fortran: false, version: 1 },
  { descr: '>f8', shape: '(3,)', fortran: false, version: 1 },
  { descr: '<f4', shape: '(2, 2, 3)', fortran: true, version: 1 },
  { descr: '|u1', shape: '(4, 5)', fortran: false, version: 2 },
  { descr: '|b1', shape: '(3,)', fortran: false, version: 1 },
  { descr: '<i8', shape: '(2,)', fortran: false, version: 3 },
  { descr: '>i2', shape: '(3, 1)', fortran: true, version: 1 },
  { descr: '<i4', shape: '()', fortran: false, version: 1 },
  { descr: '|i1', shape: '(0, 4)', fortran: false, version: 2 },
];
const count = (shape: string) => (shape.match(/\d+/g) ?? []).map(Number).reduce((a, b) => a * b, 1);
const SEEDS = SPECS.map((s) => ({ spec: s, bytes: npy(s, body(s.descr, count(s.shape))) }));

function boundaries(file: Uint8Array): number[] {
  const lengthBytes = file[6] === 1 ? 2 : 4;
  const headerLength = lengthBytes === 2 ? file[8]! | (file[9]! << 8) : new DataView(file.buffer, file.byteOffset).getUint32(8, true);
  const start = 8 + lengthBytes + headerLength;
  return [0, 1, 5, 6, 7, 8, 9, 10, 11, 12, start - 1, start, start + 1, file.length - 1, file.length];
}

const DESCRS = ['<f4', '>f4', '<f8', '|u1', '|b1', '<i8', '>i8', '<c8', '<f2', '<u2', '<U10', 'O', '|O', '<f', 'f4', '<f99999999999999999', '', "<f4', 'x': '", '\u00e9f4', '<M8[ns]', 'V8'];
const SHAPES = ['()', '(0,)', '(1,)', '(2)', '(2, -1)', '(-3,)', '(99999999999999999999,)', '(4294967296, 4294967296)', '(2, 3, 4, 5, 6, 7, 8, 9, 10, 11)', '((2,),)', '(2.5,)', '(2 3)', '(,)', '(', ')', '[2, 3]', '(2L, 3L)', '(1,)'.repeat(3), '(0, 99999999999)', `(${new Array(300).fill('1').join(', ')})`];

/** A mutation of what the header says, or of the preamble. */
function mutateHeader(rng: FuzzRng, seed: (typeof SEEDS)[number]): { bytes: Uint8Array; label: string } {
  const { spec } = seed;
  const rest = body(spec.descr, count(spec.shape));
  switch (rng.int(9)) {
    case 0: {
      const descr = rng.pick(DESCRS);
      return { bytes: npy({ ...spec, descr }, rest), label: `descr ${JSON.stringify(descr)}` };
    }
    case 1: {
      const shape = rng.pick(SHAPES);
      return { bytes: npy({ ...spec, shape }, rest), label: `shape ${shape.slice(0, 20)}` };
    }
    case 2: {
      const texts = [
        "{'descr': '<f4', 'fortran_order': False}",
        "{'descr': '<f4', 'fortran_order': None, 'shape': (2, 3)}",
        "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)}",
        "{'shape': (2, 3), 'fortran_order': False, 'descr': '<f4'}",
        `{'descr': '<f4', 'fortran_order': False, 'shape': ${'('.repeat(5000)}${')'.repeat(5000)}}`,
        `{'descr': '<f4', 'fortran_order': False, ${"'shape': (".repeat(800)}}`,
        "{'descr': \"<f4\", \"fortran_order\": False, 'shape': (2, 3,),}",
        "{'descr': '<f4' 'fortran_order': False, 'shape': (2, 3)}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)}}",
        "__import__('os').system('true')",
        "",
        '{'.repeat(9000),
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'extra': 1}",
      ];
      const text = rng.pick(texts);
      return { bytes: npy(spec, rest, `${text}\n`), label: `header ${text.slice(0, 30)}` };
    }
    case 3: {
      const bytes = Uint8Array.from(seed.bytes);
      bytes[6] = rng.pick([0, 1, 2, 3, 4, 255]);
      bytes[7] = rng.int(256);
      return { bytes, label: `version ${bytes[6]}.${bytes[7]}` };
    }
    case 4: {
      // A lying header length.
      const bytes = Uint8Array.from(seed.bytes);
      const view = new DataView(bytes.buffer);
      const lie = rng.pick([0, 1, 9999, 10_000, 10_001, 0xffff, 0xffffffff, rng.next()]);
      if (bytes[6] === 1) view.setUint16(8, lie & 0xffff, true);
      else view.setUint32(8, lie >>> 0, true);
      return { bytes, label: `header length ${lie}` };
    }
    case 5: {
      // The data shorter or longer than the shape says.
      const cut = rng.chance(0.5) ? rest.subarray(0, Math.max(0, rest.length - 1 - rng.int(8))) : concat([rest, new Uint8Array(1 + rng.int(16))]);
      return { bytes: npy(spec, cut), label: `data ${cut.length} of ${rest.length}` };
    }
    case 6: {
      // Non-Latin-1 / non-UTF-8 bytes in the header text.
      const bytes = Uint8Array.from(seed.bytes);
      const at = 12 + rng.int(30);
      bytes.set(rng.pick([[0xff], [0x80], [0xc0, 0x80], [0xed, 0xa0, 0x80]]), at);
      return { bytes, label: 'bad text bytes' };
    }
    case 7:
      return { bytes: npy({ ...spec, fortran: !spec.fortran }, rest), label: 'flipped order' };
    default: {
      const bytes = Uint8Array.from(seed.bytes);
      bytes[rng.int(6)] ^= 1 << rng.int(8);
      return { bytes, label: 'magic' };
    }
  }
}

function gzipCase(rng: FuzzRng, seed: (typeof SEEDS)[number]): { bytes: Uint8Array; label: string } {
  switch (rng.int(3)) {
    case 0: {
      const inner = rng.chance(0.5) ? mutateHeader(rng, seed) : mutateBytes(rng, seed.bytes, boundaries(seed.bytes));
      return { bytes: zlib.gzipSync(inner.bytes, { level: 1 }), label: `gzip(${inner.label})` };
    }
    case 1: {
      const gz = zlib.gzipSync(seed.bytes, { level: 1 });
      const mutated = mutateBytes(rng, gz, [0, 2, 3, 9, 10, gz.length - 8, gz.length - 4, gz.length]);
      return { bytes: mutated.bytes, label: `corrupt gzip (${mutated.label})` };
    }
    default: {
      const extra = rng.pick([1, 1000, 1 << 16, 1 << 20]);
      return { bytes: zlib.gzipSync(concat([seed.bytes, new Uint8Array(extra)]), { level: 1 }), label: `bomb +${extra}` };
    }
  }
}

function load(bytes: Uint8Array): Loaded {
  const array = data.parseNpy(bytes);
  return { arrays: [{ shape: array.shape, data: array.data }] };
}

describe('fuzzed NPY files', () => {
  it('every one of 12 000 mutations, plain and gzipped, loads self-consistently or is refused with a parseNpy error', () => {
    const rng = new FuzzRng(1234);
    const tally: FuzzTally = newTally();
    const gzipTally: FuzzTally = newTally();
    for (const seed of SEEDS) runCase(tally, `seed ${seed.spec.descr} ${seed.spec.shape}`, seed.bytes, 'parseNpy: ', 1, load);
    expect(tally.loaded).toBe(SEEDS.length);
    for (let c = 0; c < 12_000; c++) {
      const seed = rng.pick(SEEDS);
      const roll = rng.int(10);
      if (roll < 3) {
        const { bytes, label } = gzipCase(rng, seed);
        runCase(gzipTally, `case ${c} (${label})`, bytes, 'parseNpy: ', (b) => zlib.gunzipSync(b).length, load);
      } else {
        const { bytes, label } = roll < 6 ? mutateHeader(rng, seed) : mutateBytes(rng, seed.bytes, boundaries(seed.bytes));
        runCase(tally, `case ${c} (${label})`, bytes, 'parseNpy: ', 1, load);
      }
    }
    console.log(describeTally('NPY', tally));
    console.log(describeTally('NPY gzipped', gzipTally));
    expect([...tally.failures, ...gzipTally.failures]).toEqual([]);
    expect(tally.cases + gzipTally.cases).toBeGreaterThanOrEqual(10_000);
    expect(tally.loaded).toBeGreaterThan(100);
    expect(gzipTally.loaded).toBeGreaterThan(50);
    expect(refusedWith(gzipTally, 'the gzipped data inflates to more than the N')).toBeGreaterThan(50);
    expect(tally.reasons.size + gzipTally.reasons.size).toBeGreaterThan(15);
    expect(Math.max(tally.peakArrayBuffers, gzipTally.peakArrayBuffers)).toBeLessThan(256 * 2 ** 20);
  }, 60_000);
});

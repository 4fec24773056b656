// Hostile safetensors files: 12 000 seeded mutations of valid files (bit flips, overwrites,
// truncation at every boundary, lying header lengths, huge shapes, offsets past the end,
// overlapping and gapped ranges, unknown dtypes, non-UTF-8 and deeply nested headers). Each either
// loads self-consistently within 4× the file's size (U8 widens to float32) or is refused with a
// "safetensors: …" error; none reaches an engine error. Runs standalone (the sanitizer script).
import { describe, expect, it } from 'vitest';
import { Tensor, io } from '../../lib';
import { FuzzRng, concat, describeTally, mutateBytes, newTally, runCase, type FuzzTally, type Loaded } from './fuzz-mutator';

type Header = Record<string, unknown>;

function withHeader(header: Header | string, data: Uint8Array, pad = true): Uint8Array {
  let text = typeof header === 'string' ? header : JSON.stringify(header);
  if (pad) text += ' '.repeat((8 - (Buffer.byteLength(text) % 8)) % 8);
  const json = new TextEncoder().encode(text);
  const length = new Uint8Array(8);
  new DataView(length.buffer).setBigUint64(0, BigInt(json.length), true);
  return concat([length, json, data]);
}

function seeds(): Uint8Array[] {
  const t = (values: number[], shape: number[]) => new Tensor(Float64Array.from(values), shape);
  const many = concat(
    io.serialize(
      { w: t([1, -2, 3.5, 4, 5, 6], [2, 3]), half: t([1, 2, 3, 4], [4]), b: t([0.5], []), idx: t([7, -8], [2]), none: t([], [0, 5]) },
      { metadata: { format: 'pt', note: 'seed' }, dtype: { w: 'F32', half: 'F16', b: 'BF16', idx: 'I64', none: 'I32' } },
    ),
  );
  const f64 = concat(io.serialize({ x: t([1 / 3, 2, 3], [3]) }, { dtype: 'F64' }));
  const empty = concat(io.serialize({}));
  const bytes = withHeader(
    { u: { dtype: 'U8', shape: [4], data_offsets: [0, 4] }, i: { dtype: 'I8', shape: [2], data_offsets: [4, 6] }, s: { dtype: 'I16', shape: [1], data_offsets: [6, 8] }, t: { dtype: 'BOOL', shape: [2, 1], data_offsets: [8, 10] } },
    Uint8Array.of(1, 2, 3, 255, 0x80, 0x7f, 1, 0x80, 1, 0),
  );
  return [many, f64, empty, bytes];
}

/** Where the format changes meaning: the length, the header's end, each tensor's end. */
function boundaries(file: Uint8Array): number[] {
  const n = Number(new DataView(file.buffer, file.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(file.subarray(8, 8 + n))) as Header;
  const ends = Object.entries(header).filter(([k]) => k !== '__metadata__').flatMap(([, v]) => (v as { data_offsets: number[] }).data_offsets.map((o) => 8 + n + o));
  return [0, 1, 7, 8, 9, 8 + n - 1, 8 + n, ...ends, file.length];
}

function splitSeed(file: Uint8Array): { header: Header; data: Uint8Array } {
  const n = Number(new DataView(file.buffer, file.byteOffset).getBigUint64(0, true));
  return { header: JSON.parse(new TextDecoder().decode(file.subarray(8, 8 + n))) as Header, data: file.subarray(8 + n) };
}

const HUGE = [2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1, 2 ** 53, 2 ** 63, 1e300, -1, -0, 0.5];
const DTYPES = ['F32', 'F64', 'F16', 'BF16', 'I64', 'I32', 'I16', 'I8', 'U8', 'BOOL', 'U64', 'F8_E4M3', 'F4', 'C64', 'f32', '', 'F12', 'toString', '__proto__', 5, null, [], {}];

function nest(depth: number, inner: string, array: boolean): string {
  return array ? `${'['.repeat(depth)}${inner}${']'.repeat(depth)}` : `${'{"k":'.repeat(depth)}${inner}${'}'.repeat(depth)}`;
}

/** A mutation of the header's meaning, written back with a correct length (unless that is the mutation). */
function mutateHeader(rng: FuzzRng, file: Uint8Array): { bytes: Uint8Array; label: string } {
  const { header, data } = splitSeed(file);
  const names = Object.keys(header).filter((k) => k !== '__metadata__');
  const name = names.length > 0 ? rng.pick(names) : 'x';
  const entry = ((header[name] as Header | undefined) ?? { dtype: 'F32', shape: [1], data_offsets: [0, 4] }) as Header & { shape: number[]; data_offsets: number[] };
  header[name] = entry;
  const kind = rng.int(14);
  switch (kind) {
    case 0:
      entry['dtype'] = rng.pick(DTYPES);
      return { bytes: withHeader(header, data), label: `dtype ${JSON.stringify(entry['dtype'])}` };
    case 1: {
      const shape = [...entry.shape];
      if (shape.length === 0 || rng.chance(0.3)) shape.push(rng.pick(HUGE));
      else shape[rng.int(shape.length)] = rng.chance(0.5) ? rng.pick(HUGE) : rng.int(10);
      entry.shape = shape;
      return { bytes: withHeader(header, data), label: `shape [${shape.join(',')}]` };
    }
    case 2: {
      const [b, e] = entry.data_offsets as [number, number];
      const choices: number[][] = [[b, e + 1], [b - 1, e], [e, b], [b, data.length + 1 + rng.int(100)], [0, 2 ** 60], [b + 1, e + 1], [0, e], [b], [b, e, e], [data.length, data.length + 4]];
      entry.data_offsets = rng.pick(choices);
      return { bytes: withHeader(header, data), label: `offsets [${entry.data_offsets.join(',')}]` };
    }
    case 3: {
      // A second entry on the same bytes, or on a gap after the data.
      const other = rng.chance(0.5) ? { ...entry } : { dtype: 'U8', shape: [2], data_offsets: [data.length + 2, data.length + 4] };
      header[rng.chance(0.5) ? `${name}.copy` : '__proto__'] = other;
      return { bytes: withHeader(header, concat([data, new Uint8Array(4)])), label: 'overlap or gap' };
    }
    case 4:
      delete entry[rng.pick(['dtype', 'shape', 'data_offsets'])];
      return { bytes: withHeader(header, data), label: 'missing field' };
    case 5:
      header['__metadata__'] = rng.pick<unknown>([{ a: 1 }, { a: null }, { a: { b: 'c' } }, null, [], 'text', { '': '' }, { __proto__: 'x' }]);
      return { bytes: withHeader(header, data), label: 'metadata' };
    case 6: {
      // Deep nesting in a value: the reference's JSON reader stops at 128 levels, ours must not overflow.
      const depth = rng.chance(0.02) ? 100_000 : 1 + rng.int(2000);
      const where = rng.pick(['shape', 'dtype', 'data_offsets', 'meta', 'top']);
      const inner = nest(depth, '1', rng.chance(0.5));
      const text = where === 'top'
        ? `{"${name}": ${inner}}`
        : where === 'meta'
          ? `{"__metadata__": {"k": ${inner}}, ${JSON.stringify(header).slice(1)}`
          : JSON.stringify(header).replace(`"${where}":`, `"${where}":${inner},"was_${where}":`);
      return { bytes: withHeader(text, data), label: `depth ${depth} in ${where}` };
    }
    case 7: {
      // Non-UTF-8 bytes inside the header (lone continuation bytes, overlongs, surrogates).
      const bytes = withHeader(header, data);
      const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
      const at = 8 + 1 + rng.int(Math.max(1, n - 2));
      bytes.set(rng.pick([[0xff], [0x80], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80]]).slice(0, 8 + n - at), at);
      return { bytes, label: 'non-UTF-8' };
    }
    case 8: {
      // A lying header length: huge, one off, past the end, 2^64 − 1.
      const bytes = withHeader(header, data);
      const n = new DataView(bytes.buffer).getBigUint64(0, true);
      const lie = rng.pick([n + 1n, n - 1n, 0n, 1n, 100_000_001n, 2n ** 64n - 1n, 2n ** 63n, BigInt(bytes.length), BigInt(rng.next())]);
      new DataView(bytes.buffer).setBigUint64(0, lie < 0n ? 0n : lie, true);
      return { bytes, label: `length ${lie}` };
    }
    case 9: {
      // Tensor names that mean something to JavaScript objects, or are long.
      const newName = rng.pick(['__proto__', 'constructor', 'toString', 'hasOwnProperty', '', 'n'.repeat(10_000), '\u{1f600}', '__metadata__x']);
      const renamed: Header = {};
      for (const [k, v] of Object.entries(header)) renamed[k === name ? newName : k] = v;
      return { bytes: withHeader(JSON.stringify(renamed).replace(/"__proto__"/g, '"__proto__"'), data), label: `name ${newName.slice(0, 12)}` };
    }
    case 10:
      return { bytes: withHeader(rng.pick(['', ' ', '[]', 'null', '1', '"x"', '{', '}', '{}}', '{"a":}', '{"a" "b"}', '\u0000{}', '{} x']), data, rng.chance(0.5)), label: 'not an object' };
    case 11: {
      // Many zero-sized tensors: a big header the reader must walk in linear time.
      const count = 1 + rng.int(rng.chance(0.03) ? 5_000 : 300);
      const big: Header = { ...header };
      for (let k = 0; k < count; k++) big[`z${k}`] = { dtype: 'F32', shape: [0, rng.int(3)], data_offsets: [0, 0] };
      return { bytes: withHeader(big, data), label: `${count} empty tensors` };
    }
    case 12: {
      // A shape whose product overflows only at the last dimension, or is hidden by a zero.
      entry.shape = rng.pick([[2 ** 26, 2 ** 26, 2 ** 26], [2 ** 40, 2 ** 40, 0], [0, 2 ** 53], [3, 2 ** 51], new Array(1000).fill(2)]);
      return { bytes: withHeader(header, data), label: 'overflowing shape' };
    }
    default: {
      // The data section shorter or longer than the offsets say.
      const cut = rng.chance(0.5) ? data.subarray(0, Math.max(0, data.length - 1 - rng.int(8))) : concat([data, new Uint8Array(1 + rng.int(8))]);
      return { bytes: withHeader(header, cut), label: `data ${cut.length} of ${data.length}` };
    }
  }
}

function load(bytes: Uint8Array): Loaded {
  const content = io.deserialize(bytes, { dtype: 'keep' });
  for (const [k, v] of Object.entries(content.metadata)) {
    if (typeof v !== 'string') throw new Error(`fuzz: metadata ${k} is not a string`);
  }
  return { arrays: Object.values(content.tensors).map((t) => ({ shape: t.shape, data: t.data })) };
}

describe('fuzzed safetensors files', () => {
  it('every one of 12 000 mutations loads self-consistently or is refused with a safetensors error', () => {
    const rng = new FuzzRng(20261201);
    const tally: FuzzTally = newTally();
    const files = seeds();
    for (const file of files) runCase(tally, 'seed', file, 'safetensors: ', 4, load);
    expect(tally.loaded).toBe(files.length); // the seeds are valid
    for (let c = 0; c < 12_000; c++) {
      const seed = rng.pick(files);
      const { bytes, label } = rng.chance(0.5) ? mutateHeader(rng, seed) : mutateBytes(rng, seed, boundaries(seed));
      runCase(tally, `case ${c} (${label})`, bytes, 'safetensors: ', 4, load);
    }
    console.log(describeTally('safetensors', tally));
    expect(tally.failures).toEqual([]);
    expect(tally.cases).toBeGreaterThanOrEqual(10_000);
    // The mutations reach the checks, not only the first one.
    expect(tally.loaded).toBeGreaterThan(100);
    expect(tally.reasons.size).toBeGreaterThan(15);
    expect(tally.peakArrayBuffers).toBeLessThan(256 * 2 ** 20);
  }, 60_000);
});

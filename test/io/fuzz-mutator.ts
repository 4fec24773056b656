// The fuzz tests' shared parts: a seeded generator, byte-level mutations of valid files, and the
// check every case must pass (it loads self-consistently within the file's size, or it throws an
// Error from the reader that says what it expected, never an engine error).

/** xorshift128+ on 32-bit halves (mulberry32 seeding): the same seed gives the same cases. */
export class FuzzRng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** A uint32 (mulberry32). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor((this.next() / 2 ** 32) * n);
  }
  chance(p: number): boolean {
    return this.next() / 2 ** 32 < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
}

/** Byte values that sit on edges: zero, sign bits, all ones. */
const EDGE_BYTES = [0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff, 0x20, 0x7b, 0x7d, 0x22];

export const GENERIC_MUTATIONS = ['flip', 'overwrite', 'truncate', 'truncate-at-boundary', 'append', 'insert', 'delete', 'duplicate', 'zero-run'] as const;

/**
 * One or more random byte-level mutations of `bytes`. `boundaries` are offsets where the format
 * changes meaning (end of a length field, of a header, of each array): truncations and
 * overwrites favour them.
 */
export function mutateBytes(rng: FuzzRng, bytes: Uint8Array, boundaries: readonly number[]): { bytes: Uint8Array; label: string } {
  let out: Uint8Array = Uint8Array.from(bytes);
  const labels: string[] = [];
  const rounds = 1 + (rng.chance(0.3) ? rng.int(4) : 0);
  for (let r = 0; r < rounds; r++) {
    const kind = rng.pick(GENERIC_MUTATIONS);
    const near = () => Math.max(0, Math.min(out.length, rng.pick(boundaries) + rng.int(5) - 2));
    const at = () => (out.length === 0 ? 0 : rng.chance(0.5) ? Math.min(near(), out.length - 1) : rng.int(out.length));
    switch (kind) {
      case 'flip':
        if (out.length > 0) {
          const i = at();
          out[i]! ^= 1 << rng.int(8);
        }
        break;
      case 'overwrite':
        if (out.length > 0) {
          const i = at();
          const n = 1 + rng.int(8);
          for (let k = i; k < Math.min(out.length, i + n); k++) out[k] = rng.chance(0.5) ? rng.pick(EDGE_BYTES) : rng.int(256);
        }
        break;
      case 'truncate':
        out = out.slice(0, rng.int(out.length + 1));
        break;
      case 'truncate-at-boundary':
        out = out.slice(0, near());
        break;
      case 'append': {
        const extra = new Uint8Array(1 + rng.int(rng.chance(0.1) ? 4096 : 16));
        for (let k = 0; k < extra.length; k++) extra[k] = rng.int(256);
        out = concat([out, extra]);
        break;
      }
      case 'insert': {
        const i = at();
        const extra = Uint8Array.from({ length: 1 + rng.int(8) }, () => rng.pick(EDGE_BYTES));
        out = concat([out.subarray(0, i), extra, out.subarray(i)]);
        break;
      }
      case 'delete': {
        const i = at();
        out = concat([out.subarray(0, i), out.subarray(Math.min(out.length, i + 1 + rng.int(8)))]);
        break;
      }
      case 'duplicate': {
        const i = at();
        const piece = out.slice(i, i + 1 + rng.int(32));
        out = concat([out.subarray(0, i), piece, out.subarray(i)]);
        break;
      }
      case 'zero-run': {
        const i = at();
        out.fill(rng.chance(0.5) ? 0 : 0xff, i, i + 1 + rng.int(16));
        break;
      }
    }
    labels.push(kind);
  }
  return { bytes: out, label: labels.join('+') };
}

export function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Messages of errors that escaped the reader's checks: the engine, not the reader, noticed. */
export const ENGINE_ERRORS = [
  /Cannot read properties of/,
  /Cannot set properties of/,
  /is not a function/,
  /is not iterable/,
  /Invalid array length/,
  /Invalid typed array length/,
  /Array buffer allocation failed/,
  /Maximum call stack size exceeded/,
  /Offset is outside the bounds/,
  /outside the bounds of the buffer/,
  /Cannot convert .* to a BigInt/,
  /Cannot create a Buffer larger than/,
  /undefined|NaN/,
];

export interface Loaded {
  /** Each returned array with the shape it claims. */
  arrays: { shape: readonly number[]; data: ArrayLike<unknown> & { byteLength: number } }[];
}

export interface FuzzTally {
  cases: number;
  loaded: number;
  refused: number;
  /** Refusals by the first words of their message: what the fuzzer reached. */
  reasons: Map<string, number>;
  failures: string[];
  /** The largest external (ArrayBuffer) memory seen after a case, in bytes. */
  peakArrayBuffers: number;
}

export function newTally(): FuzzTally {
  return { cases: 0, loaded: 0, refused: 0, reasons: new Map(), failures: [], peakArrayBuffers: 0 };
}

/**
 * Runs one case: `load` either returns arrays whose lengths equal the product of their shapes
 * and whose bytes stay within `allowance` (a number × the file's size + 64, or a function of the
 * file), or throws an Error whose message starts with `prefix` and is no engine error.
 */
export function runCase(
  tally: FuzzTally, label: string, bytes: Uint8Array, prefix: string, allowance: number | ((bytes: Uint8Array) => number), load: (bytes: Uint8Array) => Loaded,
): void {
  tally.cases++;
  const fail = (why: string) => {
    if (tally.failures.length < 20) tally.failures.push(`${label} (${bytes.length} bytes): ${why}`);
  };
  let result: Loaded;
  try {
    result = load(bytes);
  } catch (e) {
    tally.refused++;
    if (!(e instanceof Error)) return fail(`threw a non-Error ${String(e)}`);
    const message = e.message;
    if (!message.startsWith(prefix)) return fail(`threw ${e.name}: ${message.slice(0, 200)} (expected a message starting ${JSON.stringify(prefix)})`);
    const engine = ENGINE_ERRORS.find((r) => r.test(message));
    if (engine) return fail(`threw an engine error: ${message.slice(0, 200)}`);
    if (message.length > 600) return fail(`threw a ${message.length}-character message`);
    const reason = message.slice(prefix.length).replace(/"[^"]*"|'[^']*'/g, '…').replace(/\[[^\]]*\]/g, '[…]').replace(/-?\d[\d.e+]*/g, 'N').split(' ').slice(0, 8).join(' ');
    tally.reasons.set(reason, (tally.reasons.get(reason) ?? 0) + 1);
    return;
  } finally {
    if (tally.cases % 16 === 0) tally.peakArrayBuffers = Math.max(tally.peakArrayBuffers, process.memoryUsage().arrayBuffers);
  }
  tally.loaded++;
  let total = 0;
  for (const { shape, data } of result.arrays) {
    const count = shape.reduce((a, b) => a * b, 1);
    if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) return fail(`loaded a shape [${shape.join(', ')}]`);
    if (data.length !== count) return fail(`loaded ${data.length} values for shape [${shape.join(', ')}]`);
    total += data.byteLength;
  }
  const limit = typeof allowance === 'number' ? allowance * bytes.length + 64 : allowance(bytes);
  if (total > limit) return fail(`loaded ${total} bytes of arrays from a ${bytes.length}-byte file (allowed ${limit})`);
}

/** How many refusals began with `start` (numbers in it written N). */
export function refusedWith(tally: FuzzTally, start: string): number {
  return [...tally.reasons.entries()].filter(([reason]) => reason.startsWith(start) || start.startsWith(reason)).reduce((n, [, count]) => n + count, 0);
}

/** A summary line for the test log: what the cases did. */
export function describeTally(name: string, tally: FuzzTally): string {
  const reasons = [...tally.reasons.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([r, n]) => `${n}× ${r}`);
  return `${name}: ${tally.cases} cases, ${tally.loaded} loaded, ${tally.refused} refused; peak ArrayBuffer memory ${(tally.peakArrayBuffers / 2 ** 20).toFixed(1)} MiB\n  ${reasons.join('\n  ')}`;
}

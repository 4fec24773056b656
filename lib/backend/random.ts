/**
 * Philox-4x32-10 (Salmon et al., SC'11) and the transforms from its words to uniform and normal
 * floats, written to give the same bits as native/kernels/rng.cc: the same double arithmetic in
 * the same order, using only correctly rounded operations (+ − × ÷, sqrt, floor), never
 * Math.log or Math.cos, whose last bit may differ from the C library's.
 */

const MUL0 = 0xd2511f53;
const MUL1 = 0xcd9e8d57;
const WEYL0 = 0x9e3779b9;
const WEYL1 = 0xbb67ae85;
const TWO_POW_32 = 4294967296;

/** High 32 bits of the 64-bit product of two uint32, from 16-bit halves (all exact in double). */
function mulHi(a: number, b: number): number {
  const aLo = a & 0xffff;
  const aHi = a >>> 16;
  const bLo = b & 0xffff;
  const bHi = b >>> 16;
  const lolo = aLo * bLo;
  const lohi = aLo * bHi;
  const hilo = aHi * bLo;
  const carry = ((lolo >>> 16) + (lohi & 0xffff) + (hilo & 0xffff)) >>> 16;
  return (aHi * bHi + (lohi >>> 16) + (hilo >>> 16) + carry) >>> 0;
}

/**
 * Philox-4x32-10 of a 128-bit counter (four words) under a 64-bit key (two words), into out.
 * The streams use counter = [block index low, high, 0, 0] and key = [seed low, high].
 */
export function philox4x32(
  counter: ArrayLike<number>, key: ArrayLike<number>, out: Uint32Array,
): void {
  let c0 = counter[0]! >>> 0;
  let c1 = counter[1]! >>> 0;
  let c2 = counter[2]! >>> 0;
  let c3 = counter[3]! >>> 0;
  let k0 = key[0]! >>> 0;
  let k1 = key[1]! >>> 0;
  for (let round = 0; round < 10; round++) {
    const hi0 = mulHi(MUL0, c0);
    const lo0 = Math.imul(MUL0, c0) >>> 0;
    const hi1 = mulHi(MUL1, c2);
    const lo1 = Math.imul(MUL1, c2) >>> 0;
    c0 = (hi1 ^ c1 ^ k0) >>> 0;
    c1 = lo1;
    c2 = (hi0 ^ c3 ^ k1) >>> 0;
    c3 = lo0;
    k0 = (k0 + WEYL0) >>> 0;
    k1 = (k1 + WEYL1) >>> 0;
  }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
}

/** Splits a safe integer into its low and high 32-bit words. */
function words(value: number): [number, number] {
  return [value >>> 0, Math.floor(value / TWO_POW_32) >>> 0];
}

/** The block of the stream of `seed` at block index `counter` (both below 2^53). */
export function philoxBlock(counter: number, seed: number, out: Uint32Array): void {
  const [c0, c1] = words(counter);
  philox4x32([c0, c1, 0, 0], words(seed), out);
}

const LN2 = 0.6931471805599453;
const SQRT_HALF = 0.7071067811865476;
const HALF_PI = 1.5707963267948966;

/** ln(u) for u ∈ (0, 1]: u = m·2^e, m ∈ [√½, √2), ln m = 2·atanh(s), s = (m−1)/(m+1). */
export function logUnit(u: number): number {
  let m = u;
  let e = 0;
  while (m < SQRT_HALF) {
    m *= 2;
    e -= 1;
  }
  const s = (m - 1) / (m + 1);
  const s2 = s * s;
  let series = 0;
  for (let k = 12; k >= 0; k--) series = series * s2 + 1 / (2 * k + 1);
  return e * LN2 + 2 * s * series;
}

// Signed Taylor coefficients (−1)^k/(2k+1)! and (−1)^k/(2k)!, by rng.cc's divisions.
const SIN_COEF = new Float64Array(10);
const COS_COEF = new Float64Array(10);
for (let k = 0; k < 10; k++) {
  let sinTerm = 1;
  let cosTerm = 1;
  for (let j = 1; j <= 2 * k + 1; j++) sinTerm /= j;
  for (let j = 1; j <= 2 * k; j++) cosTerm /= j;
  const sign = k % 2 === 0 ? 1 : -1;
  SIN_COEF[k] = sign * sinTerm;
  COS_COEF[k] = sign * cosTerm;
}

/** [sin a, cos a] for a ∈ [0, π/4]. */
function sinCosSmall(a: number): [number, number] {
  const a2 = a * a;
  let sinSeries = 0;
  let cosSeries = 0;
  for (let k = 9; k >= 0; k--) {
    sinSeries = sinSeries * a2 + SIN_COEF[k]!;
    cosSeries = cosSeries * a2 + COS_COEF[k]!;
  }
  return [a * sinSeries, cosSeries];
}

/** [sin 2πu, cos 2πu] for u ∈ [0, 1), reduced exactly to a quadrant and an angle ≤ π/4. */
export function sinCosTwoPi(u: number): [number, number] {
  const t = u * 4;
  const q = Math.floor(t);
  const f = t - q;
  let sf: number;
  let cf: number;
  if (f <= 0.5) {
    [sf, cf] = sinCosSmall(f * HALF_PI);
  } else {
    [cf, sf] = sinCosSmall((1 - f) * HALF_PI);
  }
  switch (q) {
    case 0: return [sf, cf];
    case 1: return [cf, -sf];
    case 2: return [-sf, -cf];
    default: return [-cf, sf];
  }
}

/** The standard normal at `lane` of a block: Box–Muller over lanes (0, 1) or (2, 3). */
export function normalAt(block: Uint32Array, lane: number): number {
  const pair = lane & 2;
  const u1 = (block[pair]! + 1) / TWO_POW_32; // (0, 1]
  const u2 = block[pair + 1]! / TWO_POW_32; // [0, 1)
  const radius = Math.sqrt(-2 * logUnit(u1));
  const [s, c] = sinCosTwoPi(u2);
  return radius * (lane & 1 ? s : c);
}

/** Uniform in [0, 1) from the top 24 bits of a word: exact in float32. */
export function unitUniform(word: number): number {
  return (word >>> 8) / 16777216;
}

/** Calls fn(i, block, lane) for stream words offset … offset + n − 1, one block at a time. */
export function forEachWord(
  n: number, seed: number, offset: number,
  fn: (i: number, block: Uint32Array, lane: number) => void,
): void {
  const block = new Uint32Array(4);
  let i = 0;
  while (i < n) {
    const position = offset + i;
    philoxBlock(Math.floor(position / 4), seed, block);
    for (let lane = position % 4; lane < 4 && i < n; lane++, i++) fn(i, block, lane);
  }
}

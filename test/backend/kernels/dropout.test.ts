// Dropout on every backend: the keep rule on Philox's known answer, dropProb 0 and 1, windows of
// the stream, the SEED DROP-2 checks (zero fraction within a binomial 5σ bound, mean preserved),
// the backward applying the forward's mask; then native bit for bit against the reference.
import { beforeAll, describe, expect, it } from 'vitest';
import { nativeBackend, referenceBackend, setSimdLevel } from '../../../lib/backend';
import type { Backend } from '../../../lib/backend';
import { nativePaths } from '../native-paths';
import { backendsUnderTest, selectSimd } from '../backends';
import { bits, SIZES } from '../native-paths';
import { expectSame } from '../expect-close';
import { makeRandom, randomArray } from '../random-inputs';

const f32 = (values: number[]) => Float32Array.from(values);
// Random123's known answer: Philox-4x32-10 of counter 0 under key 0 (seed 0, words 0..3);
// their uniforms (word >>> 8)·2^-24 are 0.3990, 0.8805, 0.7357, 0.6055.
const KAT_ZERO = [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8];

describe.each(backendsUnderTest())('dropout on $label', (entry) => {
  beforeAll(() => selectSimd(entry));
  const backend = entry.backend;

  it('keeps element i iff (word >>> 8)·2^-24 >= dropProb and scales it by fround(1/(1 - dropProb))', () => {
    const y = new Float32Array(4);
    backend().dropoutForward(f32([1, 1, 1, 1]), 0.5, 0, 0, y);
    expectSame(y, [0, 2, 2, 2], 'dropProb 0.5');
    backend().dropoutForward(f32([3, -1, 1, 1]), 0.7, 0, 0, y);
    const s = Math.fround(1 / 0.3);
    expectSame(y, [0, Math.fround(-s), s, 0], 'dropProb 0.7');
    for (const dropProb of [0, 0.1, 0.399, 0.6055, 0.99]) {
      const ones = new Float32Array(4).fill(1);
      backend().dropoutForward(ones, dropProb, 0, 0, ones);
      const scale = Math.fround(1 / (1 - dropProb));
      expectSame(ones, KAT_ZERO.map((w) => ((w >>> 8) / 2 ** 24 >= dropProb ? scale : 0)), `dropProb ${dropProb} in place`);
    }
  });

  it('is the identity for dropProb = 0, special values included', () => {
    const x = f32([1.5, -0, 0, 3e38, -Infinity, Infinity, NaN, 1e-45, -2]);
    const y = new Float32Array(x.length);
    backend().dropoutForward(x, 0, 123, 456, y);
    expectSame(y, x, 'dropProb 0');
    expect(Object.is(y[1], -0)).toBe(true);
  });

  it('gives zeros for dropProb = 1 (no division by zero), NaN only where the input was not finite', () => {
    const x = randomArray(1000, makeRandom(5)).map((v) => v * 3e38);
    const y = new Float32Array(x.length).fill(7);
    const dx = new Float32Array(x.length).fill(7);
    backend().dropoutForward(x, 1, 9, 0, y);
    backend().dropoutBackward(x, 1, 9, 0, dx);
    expect(y.every((v) => v === 0) && dx.every((v) => v === 0)).toBe(true);
    const special = new Float32Array(3);
    backend().dropoutForward(f32([NaN, Infinity, 5]), 1, 9, 0, special);
    expectSame(special, [NaN, NaN, 0], 'NaN and Inf times 0 stay visible');
  });

  it('reads the stream from offset: a window of a longer call, the same for the same seed', () => {
    const x = randomArray(41, makeRandom(41));
    const whole = new Float32Array(41);
    backend().dropoutForward(x, 0.3, 2 ** 40 + 3, 0, whole);
    const again = new Float32Array(41);
    backend().dropoutForward(x, 0.3, 2 ** 40 + 3, 0, again);
    expectSame(bits(again), bits(whole), 'same seed');
    for (const offset of [1, 3, 4, 5, 17, 40]) {
      const part = new Float32Array(41 - offset);
      backend().dropoutForward(x.subarray(offset), 0.3, 2 ** 40 + 3, offset, part);
      expectSame(bits(part), bits(whole.subarray(offset)), `offset ${offset}`);
    }
    const other = new Float32Array(41);
    backend().dropoutForward(x, 0.3, 2 ** 40 + 4, 0, other);
    expect(Array.from(other)).not.toEqual(Array.from(whole));
  });

  it.each([0.1, 0.5, 0.9])('zeros a fraction dropProb = %f of 1e6 elements (binomial 5σ) and keeps the mean (SEED DROP-2)', (dropProb) => {
    const n = 1_000_000;
    const x = new Float32Array(n);
    referenceBackend.fillUniform(x, 77, 0, 1, 2); // mean 1.5, nothing zero
    const y = new Float32Array(n);
    backend().dropoutForward(x, dropProb, 2024, 1000, y);
    let zeros = 0;
    let sumX = 0;
    let sumY = 0;
    let sumY2 = 0;
    for (let i = 0; i < n; i++) {
      if (y[i] === 0) zeros++;
      sumX += x[i]!;
      sumY += y[i]!;
      sumY2 += y[i]! * y[i]!;
    }
    const sigma = Math.sqrt(dropProb * (1 - dropProb) / n);
    expect(Math.abs(zeros / n - dropProb)).toBeLessThan(5 * sigma);
    const meanX = sumX / n;
    const meanY = sumY / n;
    const standardError = Math.sqrt((sumY2 / n - meanY * meanY) / n);
    expect(Math.abs(meanY - meanX)).toBeLessThan(5 * standardError);
    expect(Math.abs(meanY - meanX) / meanX).toBeLessThan(0.01);
  });

  it('applies the forward mask in the backward: dx = dy·mask', () => {
    const n = 1037;
    const random = makeRandom(8);
    const dy = randomArray(n, random);
    const mask = new Float32Array(n).fill(1);
    backend().dropoutForward(mask, 0.25, 31337, 12, mask);
    const dx = new Float32Array(n);
    backend().dropoutBackward(dy, 0.25, 31337, 12, dx);
    expectSame(dx, dy.map((v, i) => Math.fround(v * mask[i]!)), 'dx');
    expect(mask.every((v) => v === 0 || v === Math.fround(1 / 0.75))).toBe(true);
    backend().dropoutBackward(dy, 0.25, 31337, 12, dy);
    expectSame(dy, dx, 'dx written over dy');
  });
});

describe.each(nativePaths())('dropout: native (%s) against the reference', (simd) => {
  let native: Backend;
  const reference = referenceBackend;
  beforeAll(() => {
    setSimdLevel(simd);
    native = nativeBackend();
  });

  it.each(SIZES)('dropoutForward and dropoutBackward give the same bits for %i elements', (n) => {
    const random = makeRandom(n * 5 + 2);
    for (let trial = 0; trial < 4; trial++) {
      const seed = Math.floor(random() * 2 ** 53);
      const offset = Math.floor(random() * 2 ** 40) + trial;
      const dropProb = [0, 0.5, random(), 1][trial]!;
      const x = randomArray(n, random);
      for (const kernel of ['dropoutForward', 'dropoutBackward'] as const) {
        const want = new Float32Array(n);
        const got = new Float32Array(n);
        reference[kernel](x, dropProb, seed, offset, want);
        native[kernel](x, dropProb, seed, offset, got);
        expectSame(bits(got), bits(want), `${kernel} seed=${seed} offset=${offset} dropProb=${dropProb}`);
      }
    }
  });

  it('keeps an element whose uniform equals dropProb exactly and drops it just above', () => {
    const n = 200;
    const words = new Uint32Array(n);
    reference.randomBits(words, 4242, 5);
    const ones = new Float32Array(n).fill(1);
    for (const t of [0, 3, 4, 40, 131, 199]) {
      const exact = (words[t]! >>> 8) / 2 ** 24;
      for (const dropProb of [exact, exact + 2 ** -40]) {
        const want = new Float32Array(n);
        const got = new Float32Array(n);
        reference.dropoutForward(ones, dropProb, 4242, 5, want);
        native.dropoutForward(ones, dropProb, 4242, 5, got);
        expectSame(bits(got), bits(want), `dropProb ${dropProb}`);
        expect(got[t] !== 0, `element ${t} at dropProb ${dropProb}`).toBe(dropProb === exact);
      }
    }
  });

  it('draws the same masks for many seeds and offsets', () => {
    const random = makeRandom(99);
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + Math.floor(random() * 70);
      const seed = trial < 100 ? trial : Math.floor(random() * 2 ** 53);
      const offset = trial % 2 ? trial : Math.floor(random() * (2 ** 53 - 100));
      const ones = new Float32Array(n).fill(1);
      const want = new Float32Array(n);
      const got = new Float32Array(n);
      reference.dropoutForward(ones, 0.5, seed, offset, want);
      native.dropoutForward(ones, 0.5, seed, offset, got);
      expectSame(bits(got), bits(want), `mask seed=${seed} offset=${offset} n=${n}`);
    }
  });
});

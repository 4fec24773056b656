// Random streams on every backend: the Philox known answer, windows of the stream, uniform and
// normal transforms and their moments, and native bit for bit against the reference.
import { beforeAll, describe, expect, it } from 'vitest';
import { nativeBackend, referenceBackend, setSimdLevel } from '../../../lib/backend';
import type { Backend } from '../../../lib/backend';
import { nativePaths } from '../native-paths';
import { backendsUnderTest, selectSimd } from '../backends';
import { bits, SIZES } from '../native-paths';
import { expectClose, expectSame } from '../expect-close';
import { makeRandom } from '../random-inputs';

describe.each(backendsUnderTest())('random on $label', (entry) => {
  beforeAll(() => selectSimd(entry));
  const backend = entry.backend;

  describe('random streams', () => {
    // Random123's known-answer vector: Philox-4x32-10 of counter 0 under key 0.
    const KAT_ZERO = [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8];

    it('reproduces the Philox-4x32-10 known answer for seed 0', () => {
      const out = new Uint32Array(4);
      backend().randomBits(out, 0, 0);
      expect(Array.from(out)).toEqual(KAT_ZERO);
    });

    it('reads any window of the stream: offset p gives the words from p on', () => {
      const whole = new Uint32Array(23);
      backend().randomBits(whole, 12345, 0);
      for (const [offset, length] of [[1, 4], [3, 9], [4, 4], [7, 16], [22, 1], [5, 0]]) {
        const part = new Uint32Array(length!);
        backend().randomBits(part, 12345, offset!);
        expect(Array.from(part), `offset ${offset}`).toEqual(Array.from(whole.subarray(offset!, offset! + length!)));
      }
    });

    it('depends on every bit of the seed and the offset, up to 2^53 - 1', () => {
      const streams = [[0, 0], [1, 0], [2 ** 32, 0], [2 ** 53 - 1, 0], [0, 2 ** 32 * 4], [7, 2 ** 53 - 9]].map(([seed, offset]) => {
        const out = new Uint32Array(8);
        backend().randomBits(out, seed!, offset!);
        return Array.from(out).join(',');
      });
      expect(new Set(streams).size).toBe(streams.length);
    });

    it('maps words to uniforms (word >>> 8)·2^-24 scaled to [low, high)', () => {
      const out = new Float32Array(4);
      backend().fillUniform(out, 0, 0, 0, 1);
      expect(Array.from(out)).toEqual(KAT_ZERO.map((w) => (w >>> 8) / 2 ** 24));
      backend().fillUniform(out, 0, 0, -2, 6);
      expect(Array.from(out)).toEqual(KAT_ZERO.map((w) => Math.fround(-2 + 8 * ((w >>> 8) / 2 ** 24))));
    });

    it('draws uniforms with the right moments and range', () => {
      const out = new Float32Array(200_000);
      backend().fillUniform(out, 42, 0, -1, 3);
      let sum = 0;
      let sq = 0;
      let min = Infinity;
      let max = -Infinity;
      for (const v of out) {
        sum += v;
        sq += v * v;
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
      const mean = sum / out.length;
      expect(mean).toBeCloseTo(1, 1.5); // 4/sqrt(12·2e5) ≈ 0.0026 standard error
      expect(sq / out.length - mean * mean).toBeCloseTo(16 / 12, 1.5);
      expect(min).toBeGreaterThanOrEqual(-1);
      expect(max).toBeLessThan(3);
    });

    it('makes normals by Box-Muller from the words (matches Math.log and Math.cos to 1e-6)', () => {
      const out = new Float32Array(4);
      backend().fillNormal(out, 0, 0, 0, 1);
      const [w0, w1, w2, w3] = KAT_ZERO as [number, number, number, number];
      const pair = (x: number, y: number) => {
        const r = Math.sqrt(-2 * Math.log((x + 1) / 2 ** 32));
        const angle = 2 * Math.PI * (y / 2 ** 32);
        return [r * Math.cos(angle), r * Math.sin(angle)];
      };
      expectClose(out, [...pair(w0, w1), ...pair(w2, w3)], 1e-6, 'normals from the known answer');
      backend().fillNormal(out, 0, 0, 10, 0);
      expect(Array.from(out)).toEqual([10, 10, 10, 10]);
    });

    it('draws normals with mean, variance and one-sigma mass of a Gaussian', () => {
      const out = new Float32Array(200_000);
      backend().fillNormal(out, 7, 3, 2, 0.5);
      let sum = 0;
      let sq = 0;
      let within = 0;
      for (const v of out) {
        sum += v;
        sq += v * v;
        if (Math.abs(v - 2) < 0.5) within++;
      }
      const mean = sum / out.length;
      expect(Math.abs(mean - 2)).toBeLessThan(0.005); // standard error 0.0011
      expect(Math.abs(sq / out.length - mean * mean - 0.25)).toBeLessThan(0.005);
      expect(Math.abs(within / out.length - 0.682689)).toBeLessThan(0.005);
    });
  });
});

describe.each(nativePaths())('random: native (%s) against the reference', (simd) => {
  let native: Backend;
  const reference = referenceBackend;
  beforeAll(() => {
    setSimdLevel(simd);
    native = nativeBackend();
  });

  it.each(SIZES)('randomBits, fillUniform and fillNormal give the same bits for %i words', (n) => {
    const random = makeRandom(n * 3 + 1);
    for (let trial = 0; trial < 3; trial++) {
      const seed = Math.floor(random() * 2 ** 53);
      const offset = Math.floor(random() * 2 ** 40);
      const expected = new Uint32Array(n);
      const actual = new Uint32Array(n);
      reference.randomBits(expected, seed, offset);
      native.randomBits(actual, seed, offset);
      expectSame(actual, expected, `randomBits seed=${seed} offset=${offset}`);
      for (const kernel of ['fillUniform', 'fillNormal'] as const) {
        const want = new Float32Array(n);
        const got = new Float32Array(n);
        reference[kernel](want, seed, offset, -0.75, 3.5);
        native[kernel](got, seed, offset, -0.75, 3.5);
        expectSame(bits(got), bits(want), `${kernel} bits seed=${seed} offset=${offset}`);
      }
    }
  });
});

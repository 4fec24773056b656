// The TypeScript Philox against Random123's known answers and against an independent BigInt
// implementation written from the paper (Salmon et al., SC'11), over random counters and keys.
import { describe, expect, it } from 'vitest';
import { logUnit, philox4x32, sinCosTwoPi } from '../../lib/backend/random';
import { makeRandom } from './random-inputs';

function philoxBigInt(counter: number[], key: number[]): number[] {
  const M = 2n ** 32n;
  let [c0, c1, c2, c3] = counter.map(BigInt) as [bigint, bigint, bigint, bigint];
  let [k0, k1] = key.map(BigInt) as [bigint, bigint];
  for (let round = 0; round < 10; round++) {
    const p0 = 0xd2511f53n * c0;
    const p1 = 0xcd9e8d57n * c2;
    [c0, c1, c2, c3] = [(p1 / M) ^ c1 ^ k0, p1 % M, (p0 / M) ^ c3 ^ k1, p0 % M];
    k0 = (k0 + 0x9e3779b9n) % M;
    k1 = (k1 + 0xbb67ae85n) % M;
  }
  return [c0, c1, c2, c3].map(Number);
}

describe('philox4x32', () => {
  it.each([
    [[0, 0, 0, 0], [0, 0], [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]],
    [[0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff], [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd]],
    [[0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0], [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1]],
  ])('reproduces the known answer for counter %j, key %j', (counter, key, expected) => {
    const out = new Uint32Array(4);
    philox4x32(counter, key, out);
    expect(Array.from(out)).toEqual(expected);
    expect(philoxBigInt(counter, key)).toEqual(expected);
  });

  it('agrees with the BigInt implementation on 2000 random counters and keys', () => {
    const random = makeRandom(99);
    const word = () => Math.floor(random() * 2 ** 32);
    const out = new Uint32Array(4);
    for (let i = 0; i < 2000; i++) {
      const counter = [word(), word(), word(), word()];
      const key = [word(), word()];
      philox4x32(counter, key, out);
      expect(Array.from(out)).toEqual(philoxBigInt(counter, key));
    }
  });
});

describe('the exact-arithmetic transcendentals behind fillNormal', () => {
  it('logUnit matches Math.log to 4e-16 relative over (0, 1]', () => {
    const random = makeRandom(5);
    for (let i = 0; i < 20000; i++) {
      const u = (Math.floor(random() * 2 ** 32) + 1) / 2 ** 32;
      const want = Math.log(u);
      expect(Math.abs(logUnit(u) - want)).toBeLessThanOrEqual(4e-16 * Math.max(Math.abs(want), 1e-3));
    }
    expect(logUnit(1)).toBe(0);
    expect(logUnit(0.5)).toBe(-Math.LN2);
  });

  it('sinCosTwoPi matches Math.sin and Math.cos to 1e-15 over [0, 1)', () => {
    const random = makeRandom(6);
    for (let i = 0; i < 20000; i++) {
      const u = Math.floor(random() * 2 ** 32) / 2 ** 32;
      const [s, c] = sinCosTwoPi(u);
      expect(Math.abs(s - Math.sin(2 * Math.PI * u))).toBeLessThan(1e-15);
      expect(Math.abs(c - Math.cos(2 * Math.PI * u))).toBeLessThan(1e-15);
    }
    expect(sinCosTwoPi(0)).toEqual([0, 1]);
    expect(sinCosTwoPi(0.25)).toEqual([1, -0]);
  });
});

// toBfloat16 / fromBfloat16: round to nearest even, ties to even, subnormals kept, overflow to
// ±Inf, every NaN the quiet NaN 0x7fc0; closed-form cases here, and bit for bit against PyTorch's
// tensor.to(torch.bfloat16) on chosen edges and random float32 bit patterns.
import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { amp, BFLOAT16_NAN, fromBfloat16, toBfloat16 } from '../../lib';
import { describeWithPeers } from '../peers';
import { makeRandom } from './random-inputs';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
/** The float32 whose bits are `bits`. */
function floatOf(bits: number): number {
  u32[0] = bits >>> 0;
  return f32[0]!;
}
const hex = (bits: number) => `0x${bits.toString(16).padStart(4, '0')}`;

// [float32 bits, bfloat16 bits] worked out by hand.
const CASES: [number, number, string][] = [
  [0x3f800000, 0x3f80, '1'],
  [0x3f808000, 0x3f80, 'halfway between 1 and the next: to the even 1'],
  [0x3f818000, 0x3f82, 'halfway, the even one above'],
  [0x3f808001, 0x3f81, 'just past halfway'],
  [0x3f807fff, 0x3f80, 'just below halfway'],
  [0xbf818000, 0xbf82, 'a negative tie'],
  [0x00000001, 0x0000, 'the smallest subnormal: to +0'],
  [0x00008000, 0x0000, 'a subnormal tie: to the even 0'],
  [0x00018000, 0x0002, 'a subnormal tie: to the even 2'],
  [0x00010000, 0x0001, 'the smallest subnormal bfloat16, kept'],
  [0x807f0000, 0x807f, 'a negative subnormal, kept'],
  [0x007fffff, 0x0080, 'the largest subnormal rounds up to FLT_MIN'],
  [0x7f7f0000, 0x7f7f, 'the largest finite bfloat16'],
  [0x7f7f7fff, 0x7f7f, 'below the halfway point to the next binade: stays finite'],
  [0x7f7f8000, 0x7f80, 'the halfway point: to the even, which is Inf'],
  [0x7f7fffff, 0x7f80, 'FLT_MAX overflows to Inf'],
  [0xff7fffff, 0xff80, '-FLT_MAX to -Inf'],
  [0x7f800000, 0x7f80, 'Inf'],
  [0xff800000, 0xff80, '-Inf'],
  [0x80000000, 0x8000, '-0'],
  [0x7fc00000, BFLOAT16_NAN, 'the quiet NaN'],
  [0xffc00001, BFLOAT16_NAN, 'a negative NaN with a payload'],
  [0x7f800001, BFLOAT16_NAN, 'a signaling NaN'],
];

describe('toBfloat16 and fromBfloat16', () => {
  it.each(CASES.map(([bits, expected, why]) => [(bits >>> 0).toString(16).padStart(8, '0'), hex(expected), why, bits] as const))(
    'rounds float32 0x%s to %s (%s)', (_bits, expected, _why, bits) => {
      expect(hex(toBfloat16([floatOf(bits)])[0]!)).toBe(expected);
    });

  it('widens exactly: every one of the 65536 bfloat16 values and back', () => {
    const all = Uint16Array.from({ length: 65536 }, (_, i) => i);
    const values = fromBfloat16(all);
    for (let i = 0; i < 65536; i++) {
      const exponent = (i >>> 7) & 0xff;
      const nan = exponent === 0xff && (i & 0x7f) !== 0;
      if (nan) {
        expect(Number.isNaN(values[i])).toBe(true);
        continue;
      }
      f32[0] = values[i]!;
      expect(u32[0]!, `bfloat16 ${hex(i)}`).toBe((i << 16) >>> 0);
    }
    const back = toBfloat16(values);
    for (let i = 0; i < 65536; i++) {
      const nan = ((i >>> 7) & 0xff) === 0xff && (i & 0x7f) !== 0;
      if (back[i] !== (nan ? BFLOAT16_NAN : i)) expect(hex(back[i]!), `round trip of ${hex(i)}`).toBe(hex(nan ? BFLOAT16_NAN : i));
    }
  });

  it('takes numbers, Float32Array and Float64Array, and writes into a given array', () => {
    const into = new Uint16Array(3);
    expect(toBfloat16(Float64Array.of(1, -2, 0.5), into)).toBe(into);
    expect(Array.from(into)).toEqual([0x3f80, 0xc000, 0x3f00]);
    // A double goes to float32 first (as c10's BFloat16(float)): 1 + 2^-8 + 2^-30 becomes the tie 1 + 2^-8, then 1.
    expect(toBfloat16([1 + 2 ** -8 + 2 ** -30])[0]).toBe(0x3f80);
    const out = new Float32Array(2);
    expect(Array.from(fromBfloat16(Uint16Array.of(0x4049, 0xc2f7), out))).toEqual([3.140625, -123.5]);
    expect(amp.toBfloat16).toBe(toBfloat16);
    expect(amp.fromBfloat16).toBe(fromBfloat16);
  });

  it('refuses what is not an array, a wrong element, and outputs of the wrong kind or length', () => {
    expect(() => toBfloat16(3 as never)).toThrow('toBfloat16: Expected a typed array or an array of numbers for values but received 3');
    expect(() => toBfloat16(['1'] as never)).toThrow('toBfloat16: Expected a number at values[0] but received a string');
    expect(() => toBfloat16([1, 2], new Uint16Array(3))).toThrow('toBfloat16: Expected a Uint16Array of length 2 for into but received a Uint16Array of length 3');
    expect(() => fromBfloat16(new Float32Array(2) as never)).toThrow('fromBfloat16: Expected a Uint16Array for bits but received a Float32Array of length 2');
    expect(() => fromBfloat16(new Uint16Array(2), new Float64Array(2) as never)).toThrow('fromBfloat16: Expected a Float32Array of length 2 for into but received a Float64Array of length 2');
  });
});

// The bits in, the bits out: torch reinterprets int32 as float32, converts, reinterprets as int16.
const TORCH = `
import json, sys, torch
bits = json.load(sys.stdin)
x = torch.tensor(bits, dtype=torch.int64).to(torch.int32).view(torch.float32)
out = x.to(torch.bfloat16).view(torch.int16).to(torch.int64) & 0xffff
json.dump(out.tolist(), sys.stdout)
`;

describeWithPeers('torch', 'toBfloat16 against PyTorch tensor.to(torch.bfloat16)', () => {
  // The hand cases, every tie and its neighbours around a few binades (normal and subnormal),
  // the edges of the range, and random bit patterns of every exponent.
  const random = makeRandom(19);
  const inputs: number[] = CASES.map(([bits]) => bits >>> 0);
  for (const high of [0x0000, 0x0001, 0x007f, 0x0080, 0x3f80, 0x3f81, 0x4b00, 0x7f00, 0x7f7f, 0x8000, 0xbf80, 0xff7f]) {
    for (const low of [0x0000, 0x0001, 0x7fff, 0x8000, 0x8001, 0xffff]) inputs.push(((high << 16) | low) >>> 0);
  }
  for (let i = 0; i < 20000; i++) inputs.push(Math.floor(random() * 2 ** 32) >>> 0);
  let torch: number[] = [];
  beforeAll(() => {
    torch = JSON.parse(execFileSync('/usr/bin/python3', ['-c', TORCH], { input: JSON.stringify(inputs), encoding: 'utf8' }));
  }, 120_000);

  it(`gives PyTorch's bits for ${inputs.length} float32 values (NaN: both a NaN, ours 0x7fc0)`, () => {
    const ours = toBfloat16(inputs.map(floatOf));
    expect(torch.length).toBe(inputs.length);
    let differ = 0;
    let first = '';
    for (let i = 0; i < inputs.length; i++) {
      const nan = Number.isNaN(floatOf(inputs[i]!));
      const same = nan ? ((torch[i]! & 0x7f80) === 0x7f80 && (torch[i]! & 0x7f) !== 0 && ours[i] === BFLOAT16_NAN) : torch[i] === ours[i];
      if (!same && differ++ === 0) first = `float32 0x${inputs[i]!.toString(16)}: ours ${hex(ours[i]!)}, torch ${hex(torch[i]!)}`;
    }
    expect(differ, `${differ} of ${inputs.length} differ; first ${first}`).toBe(0);
  });
});

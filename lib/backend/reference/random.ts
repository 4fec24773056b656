/** Reference random streams: Philox and its transforms from ../random.ts, element by element. */
import type { Floats, ReferenceContext } from '../declare';
import { forEachWord, normalAt, unitUniform } from '../random';

export function randomBits(this: ReferenceContext, out: Uint32Array, seed: number, offset: number): void {
  forEachWord(out.length, seed, offset, (i, block, lane) => {
    out[i] = block[lane]!;
  });
}

export function fillUniform(this: ReferenceContext, out: Floats, seed: number, offset: number, low: number, high: number): void {
  const span = high - low;
  forEachWord(out.length, seed, offset, (i, block, lane) => {
    out[i] = low + span * unitUniform(block[lane]!);
  });
}

export function fillNormal(this: ReferenceContext, out: Floats, seed: number, offset: number, mean: number, std: number): void {
  forEachWord(out.length, seed, offset, (i, block, lane) => {
    out[i] = mean + std * normalAt(block, lane);
  });
}

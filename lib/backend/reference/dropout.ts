/** Reference dropout: the mask from ../random.ts's Philox stream, one float32 product per element. */
import type { Floats, ReferenceContext } from '../declare';
import { forEachWord, unitUniform } from '../random';

/** The multiplier of a kept element: fround(1/(1 − dropProb)), never formed for dropProb = 1. */
export function keepScale(dropProb: number): number {
  return dropProb < 1 ? Math.fround(1 / (1 - dropProb)) : 0;
}

function dropout(x: Floats, dropProb: number, seed: number, offset: number, out: Floats): void {
  const scale = keepScale(dropProb);
  forEachWord(x.length, seed, offset, (i, block, lane) => {
    out[i] = x[i]! * (unitUniform(block[lane]!) >= dropProb ? scale : 0);
  });
}

export function dropoutForward(this: ReferenceContext, x: Floats, dropProb: number, seed: number, offset: number, y: Floats): void {
  dropout(x, dropProb, seed, offset, y);
}

export function dropoutBackward(this: ReferenceContext, dy: Floats, dropProb: number, seed: number, offset: number, dx: Floats): void {
  dropout(dy, dropProb, seed, offset, dx);
}

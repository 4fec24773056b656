/** Reference dropout: the mask from ../random.ts's Philox stream, one float32 product per element. */
import type { DropoutKernels } from '../contract/dropout';
import { forEachWord, unitUniform } from '../random';
import { checkCount, checkLength, checkSameOrDisjoint, checkStream, f32, finiteDouble, index } from '../validate';
import { unitInterval } from './norm';

/** The multiplier of a kept element: fround(1/(1 − dropProb)), never formed for dropProb = 1. */
export function keepScale(dropProb: number): number {
  return dropProb < 1 ? Math.fround(1 / (1 - dropProb)) : 0;
}

function dropout(fn: string, names: [string, string], args: IArguments): void {
  checkCount(fn, args.length, 5);
  const x = f32(fn, names[0], args[0]);
  const dropProb = finiteDouble(fn, 'dropProb', args[1]);
  const seed = index(fn, 'seed', args[2]);
  const offset = index(fn, 'offset', args[3]);
  const out = f32(fn, names[1], args[4]);
  checkLength(fn, names[1], out, x.length, `${names[0]}.length`);
  unitInterval(fn, 'dropProb', dropProb);
  checkStream(fn, x.length, offset);
  checkSameOrDisjoint(fn, names[1], out, names[0], x);
  const scale = keepScale(dropProb);
  forEachWord(x.length, seed, offset, (i, block, lane) => {
    out[i] = x[i]! * (unitUniform(block[lane]!) >= dropProb ? scale : 0);
  });
}

export const referenceDropout: DropoutKernels = {
  dropoutForward() {
    dropout('dropoutForward', ['x', 'y'], arguments);
  },
  dropoutBackward() {
    dropout('dropoutBackward', ['dy', 'dx'], arguments);
  },
};

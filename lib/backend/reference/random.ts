/** Reference random streams: Philox and its transforms from ../random.ts, element by element. */
import type { RandomKernels } from '../contract/random';
import { forEachWord, normalAt, unitUniform } from '../random';
import { checkCount, checkStream, f32, finiteDouble, index, u32 } from '../validate';

function checkFill(
  fn: string, args: IArguments, names: [string, string],
): [Float32Array, number, number, number, number] {
  checkCount(fn, args.length, 5);
  const out = f32(fn, 'out', args[0]);
  const seed = index(fn, 'seed', args[1]);
  const offset = index(fn, 'offset', args[2]);
  const p = finiteDouble(fn, names[0], args[3]);
  const q = finiteDouble(fn, names[1], args[4]);
  checkStream(fn, out.length, offset);
  return [out, seed, offset, p, q];
}

export const referenceRandom: RandomKernels = {
  randomBits(out, seed, offset) {
    const fn = 'randomBits';
    checkCount(fn, arguments.length, 3);
    u32(fn, 'out', out);
    index(fn, 'seed', seed);
    index(fn, 'offset', offset);
    checkStream(fn, out.length, offset);
    forEachWord(out.length, seed, offset, (i, block, lane) => {
      out[i] = block[lane]!;
    });
  },

  fillUniform(out, seed, offset, low, high) {
    checkFill('fillUniform', arguments, ['low', 'high']);
    if (!(low <= high)) {
      throw new RangeError(`fillUniform: Expected low <= high but received low = ${low} and high = ${high}`);
    }
    const span = high - low;
    forEachWord(out.length, seed, offset, (i, block, lane) => {
      out[i] = low + span * unitUniform(block[lane]!);
    });
  },

  fillNormal(out, seed, offset, mean, std) {
    checkFill('fillNormal', arguments, ['mean', 'std']);
    if (!(std >= 0)) throw new RangeError(`fillNormal: Expected a non-negative std but received ${std}`);
    forEachWord(out.length, seed, offset, (i, block, lane) => {
      out[i] = mean + std * normalAt(block, lane);
    });
  },
};

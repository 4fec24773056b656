/** Random horizontal flip: the mirror image, left to right, with probability p. */
import { Tensor } from '../../autograd/tensor';
import type { BatchTransform } from './transform';
import { Draws, checkImages } from './transform';

const TAG = 0x464c4950; // 'FLIP'

export function randomHorizontalFlip(options: { p?: number } = {}): BatchTransform {
  const { p = 0.5 } = options;
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new RangeError(`randomHorizontalFlip: Expected p in [0, 1] but received ${String(p)}`);
  return (batch, context) => {
    const { n, c, h, w } = checkImages('randomHorizontalFlip', batch.x);
    const draws = new Draws(context.seed, TAG, context.stream);
    const u = new Float64Array(4);
    const x = batch.x.data;
    const out = new Float32Array(x);
    for (let i = 0; i < n; i++) {
      if (!(draws.block(context.indices[i]!, context.epoch, 0, u)[0]! < p)) continue;
      for (let row = (i * c) * h; row < (i + 1) * c * h; row++) {
        for (let j = 0; j < w; j++) out[row * w + j] = x[row * w + w - 1 - j]!;
      }
    }
    return { x: new Tensor(out, batch.x.shape), y: batch.y };
  };
}

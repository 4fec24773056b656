/** Random crop with zero padding (the CIFAR recipe: pad 4, crop 32×32). */
import { Tensor } from '../../autograd/tensor';
import type { BatchTransform } from './transform';
import { Draws, checkImages, pick } from './transform';

export interface RandomCropOptions {
  /** Output height and width (default: the input's). */
  size?: number | [number, number];
  /** Padding on every side before cropping (default 0). */
  padding?: number;
  /** Value of the padding (default 0). */
  fill?: number;
}

const TAG = 0x43524f50; // 'CROP'

/**
 * Pads each image by `padding` on every side and cuts a size window at a uniformly random
 * position, the same for all of an image's channels.
 */
export function randomCrop(options: RandomCropOptions = {}): BatchTransform {
  const { padding = 0, fill = 0 } = options;
  if (!Number.isInteger(padding) || padding < 0) throw new RangeError(`randomCrop: Expected padding as an integer ≥ 0 but received ${String(padding)}`);
  if (typeof fill !== 'number' || !Number.isFinite(fill)) throw new RangeError(`randomCrop: Expected a finite fill but received ${String(fill)}`);
  const size = options.size === undefined ? null : typeof options.size === 'number' ? [options.size, options.size] : options.size;
  if (size && !size.every((s) => Number.isInteger(s) && s >= 1)) throw new RangeError(`randomCrop: Expected size as a positive integer or [h, w] but received ${JSON.stringify(options.size)}`);
  return (batch, context) => {
    const { n, c, h, w } = checkImages('randomCrop', batch.x);
    const [oh, ow] = size ?? [h, w];
    if (oh > h + 2 * padding || ow > w + 2 * padding) {
      throw new RangeError(`randomCrop: Expected a crop of at most the padded ${h + 2 * padding}×${w + 2 * padding} but received size ${oh}×${ow}`);
    }
    const draws = new Draws(context.seed, TAG, context.stream);
    const u = new Float64Array(4);
    const x = batch.x.data;
    const out = new Float32Array(n * c * oh * ow).fill(fill);
    for (let i = 0; i < n; i++) {
      draws.block(context.indices[i]!, context.epoch, 0, u);
      // The window's top-left corner in padded coordinates, then in the image's.
      const top = pick(u[0]!, h + 2 * padding - oh + 1) - padding;
      const left = pick(u[1]!, w + 2 * padding - ow + 1) - padding;
      const x0 = Math.max(0, -left);
      const x1 = Math.min(ow, w - left);
      for (let ch = 0; ch < c; ch++) {
        const src = (i * c + ch) * h * w;
        const dst = (i * c + ch) * oh * ow;
        for (let y = 0; y < oh; y++) {
          const iy = y + top;
          if (iy < 0 || iy >= h || x1 <= x0) continue;
          out.set(x.subarray(src + iy * w + x0 + left, src + iy * w + x1 + left), dst + y * ow + x0);
        }
      }
    }
    return { x: new Tensor(out, [n, c, oh, ow]), y: batch.y };
  };
}

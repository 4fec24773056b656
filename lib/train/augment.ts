/**
 * The run's augmentation (`--augment crop,flip`): data.transforms applied to each training batch,
 * seeded by the run's seed and keyed by (epoch, example), off for validation and test. The
 * command's images are flat rows [N, C·H·W], so the transforms see them as [N, C, H, W] and hand
 * them back flat.
 *
 *   crop        random crop with zero padding of ⌈H/8⌉ pixels on every side (4 on 28×28 and 32×32)
 *   crop<p>     the same with p pixels of padding (crop2)
 *   flip        horizontal flip with probability ½
 *   erase       random erasing (probability ½, 2–33% of the image, zeros)
 */
import { Tensor } from '../autograd/tensor';
import { compose, type BatchTransform } from '../data/transforms/transform';
import { randomCrop } from '../data/transforms/random-crop';
import { randomHorizontalFlip } from '../data/transforms/horizontal-flip';
import { randomErasing } from '../data/transforms/random-erasing';

export const AUGMENT_NAMES = ['crop', 'crop<p>', 'flip', 'erase'] as const;

const PATTERN = /^(crop(\d+)?|flip|erase)$/;

/** The error for an entry that is not an augmentation, or null. */
export function augmentError(list: unknown): string | null {
  if (!Array.isArray(list) || !list.every((a) => typeof a === 'string')) return `--augment: Expected a list such as crop,flip but received ${JSON.stringify(list)}`;
  const bad = list.find((a) => !PATTERN.test(a));
  if (bad !== undefined) return `--augment: Expected ${AUGMENT_NAMES.join(', ')} but received "${bad}"`;
  const twice = list.find((a, i) => list.findIndex((b) => b.replace(/\d+$/, '') === a.replace(/\d+$/, '')) !== i);
  return twice === undefined ? null : `--augment: "${twice.replace(/\d+$/, '')}" is given twice`;
}

/** "crop, flip" → ["crop", "flip"]. */
export function parseAugmentList(text: string): string[] {
  return text.split(',').map((a) => a.trim().toLowerCase()).filter((a) => a !== '');
}

/** The transform of the list for flat rows of `image` = [C, H, W] images, or null for an empty list. */
export function augmentation(list: readonly string[], image: readonly [number, number, number]): BatchTransform | null {
  const error = augmentError(list);
  if (error) throw new RangeError(error);
  if (list.length === 0) return null;
  const [c, h, w] = image;
  const steps = list.map((name): BatchTransform => {
    const crop = /^crop(\d+)?$/.exec(name);
    if (crop) return randomCrop({ padding: crop[1] !== undefined ? Number(crop[1]) : Math.ceil(h / 8) });
    return name === 'flip' ? randomHorizontalFlip() : randomErasing();
  });
  const images = compose(...steps);
  return (batch, context) => {
    const n = batch.x.shape[0]!;
    const out = images({ x: new Tensor(batch.x.data, [n, c, h, w]), y: batch.y }, context);
    return { x: new Tensor(out.x.data, [n, c * h * w]), y: out.y };
  };
}

// Layer diagnostics of convolutional layers: feature maps [N, C, H, W] have one mean and std per
// channel (over N·H·W values, as BatchNorm2d's statistics), and a dead ReLU is a channel never
// positive at any position of any image; hand-set weights give the exact values. Also nn.Unflatten
// and the run's flat-row augmentation, which must equal the transforms on the images.
import { describe, expect, it } from 'vitest';
import { Tensor, data, formatLayerStats, layerStats, nn } from '../../lib';
import { augmentation, augmentError } from '../../lib/train/augment';

/** Conv2d(1, 3, 1) with weights 1, −1, 2 and biases 0, 0, −100: channel 1 is dead on positive input, channel 2 everywhere. */
function threeChannels(fused: boolean): nn.Sequential {
  const conv = new nn.Conv2d(1, 3, 1, fused ? { activation: 'relu' } : {});
  conv.weight.data.set([1, -1, 2]);
  conv.bias!.data.set([0, 0, -100]);
  return fused ? new nn.Sequential(new nn.Unflatten(1, [1, 2, 2]), conv) : new nn.Sequential(new nn.Unflatten(1, [1, 2, 2]), conv, new nn.ReLU());
}

// Two images of 2×2 pixels, flat: 1 2 3 4 and 5 6 7 8.
const x = new Tensor(Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]), [2, 4]);

describe('diagnostics of feature maps', () => {
  it('per-channel mean and std over N·H·W, and the dead channels of a ReLU', () => {
    const rows = layerStats(threeChannels(false), x);
    expect(rows.map((r) => r.type)).toEqual(['Unflatten', 'Conv2d', 'ReLU']);
    const [unflatten, conv, relu] = rows as [typeof rows[0], typeof rows[0], typeof rows[0]];
    expect(unflatten.channels!.mean).toEqual([4.5]);
    // Values 1…8: mean 4.5, population variance 21/4.
    expect(unflatten.channels!.std[0]).toBeCloseTo(Math.sqrt(21 / 4), 12);
    expect(conv.channels!.mean).toEqual([4.5, -4.5, -91]);
    expect(conv.channels!.std[2]).toBeCloseTo(2 * Math.sqrt(21 / 4), 12);
    expect(conv.dead).toBeNull();
    expect(conv.channels!.dead).toEqual([]);
    expect(relu.channels!.mean).toEqual([4.5, 0, 0]);
    expect(relu.channels!.dead).toEqual([1, 2]);
    expect(relu.dead).toBe(2 / 3);
    expect(formatLayerStats(rows)).toMatch(/^2 +mean {2}1\.500000 std 2\.\d+ {2}dead channels 2\/3, channel std 0\.0000–2\.2913$/m);
  });

  it('a Conv2d with a fused ReLU is watched as a ReLU (Conv2d+relu)', () => {
    const rows = layerStats(threeChannels(true), x);
    expect(rows[1]!.type).toBe('Conv2d+relu');
    expect(rows[1]!.channels!.dead).toEqual([1, 2]);
    expect(rows[1]!.dead).toBe(2 / 3);
  });

  it('one live position in one image keeps a channel alive', () => {
    const model = threeChannels(false);
    (model[1] as nn.Conv2d).bias!.data.set([0, 0, -15.5]); // 2·8 − 15.5 > 0 at the last pixel only
    const relu = layerStats(model, x)[2]!;
    expect(relu.channels!.dead).toEqual([1]);
    expect(relu.channels!.mean[2]).toBeCloseTo(0.5 / 8, 7);
  });

  it('[N, features] outputs have no channel statistics; the units are the last dimension', () => {
    const model = new nn.Sequential(new nn.Linear(4, 3), new nn.ReLU());
    const rows = layerStats(model, x);
    expect(rows[1]!.channels).toBeNull();
    expect(rows[1]!.dead).toBeGreaterThanOrEqual(0);
  });
});

describe('nn.Unflatten', () => {
  it('splits a dimension, and says what it expected', () => {
    const y = new nn.Unflatten(1, [1, 2, 2]).call(x);
    expect(y.shape).toEqual([2, 1, 2, 2]);
    expect(Array.from(y.data)).toEqual(Array.from(x.data));
    expect(new nn.Unflatten(-1, [2, 2]).call(x).shape).toEqual([2, 2, 2]);
    expect(() => new nn.Unflatten(1, [3, 3]).call(x)).toThrow('Unflatten: Expected dimension 1 of size 9 ([3, 3]) but received an input of shape [2, 4]');
    expect(() => new nn.Unflatten(1, [0, 4])).toThrow(/Expected sizes as a list of positive integers but received \[0,4\]/);
    expect(String(new nn.Unflatten(1, [1, 28, 28]))).toBe('Unflatten(1, [1, 28, 28])');
  });
});

describe('the run\'s augmentation', () => {
  it('on flat rows equals data.transforms on the images, for every epoch and example', () => {
    const n = 5;
    const flat = new Tensor(Float32Array.from({ length: n * 3 * 6 * 6 }, (_, i) => i % 97), [n, 108]);
    const y = new Tensor(Float32Array.from({ length: n }, (_, i) => i), [n]);
    const images = data.transforms.compose(data.transforms.randomCrop({ padding: 2 }), data.transforms.randomHorizontalFlip(), data.transforms.randomErasing());
    const run = augmentation(['crop2', 'flip', 'erase'], [3, 6, 6])!;
    for (const epoch of [0, 3]) {
      const context = { indices: Int32Array.from([4, 0, 2, 1, 3]), epoch, seed: 11 };
      const got = run({ x: flat, y }, context);
      const want = images({ x: new Tensor(flat.data, [n, 3, 6, 6]), y }, context);
      expect(got.x.shape).toEqual([n, 108]);
      expect(Array.from(got.x.data)).toEqual(Array.from(want.x.data));
      expect(Array.from(got.x.data)).not.toEqual(Array.from(flat.data));
    }
    // crop pads ⌈H/8⌉: 1 pixel on 6×6.
    const context = { indices: Int32Array.from([0, 1, 2, 3, 4]), epoch: 1, seed: 2 };
    expect(Array.from(augmentation(['crop'], [3, 6, 6])!({ x: flat, y }, context).x.data))
      .toEqual(Array.from(data.transforms.randomCrop({ padding: 1 })({ x: new Tensor(flat.data, [n, 3, 6, 6]), y }, context).x.data));
    expect(augmentation([], [3, 6, 6])).toBeNull();
    expect(augmentError(['crop', 'crop4'])).toBe('--augment: "crop" is given twice');
    expect(augmentError('flip')).toMatch(/Expected a list such as crop,flip/);
  });
});

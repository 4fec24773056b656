// The datasets: the digits the package ships, and Fashion-MNIST from Debian's package when it
// is installed (.ci/run installs it).
import { describe, expect, it } from 'vitest';
import { data } from '../../lib';
import { describeWithPeers } from '../peers';

describe('digits', () => {
  it('holds 1797 images of 64 pixels in 0..16 with labels 0..9, about 180 of each', () => {
    const { x, y, classes } = data.datasets.digits();
    expect(x.shape).toEqual([1797, 64]);
    expect(y.shape).toEqual([1797]);
    expect(classes).toBe(10);
    expect(Math.max(...x.data)).toBe(16);
    expect(Math.min(...x.data)).toBe(0);
    const counts = new Array<number>(10).fill(0);
    for (const label of y.data) counts[label]!++;
    expect(counts).toEqual([178, 182, 177, 183, 181, 182, 181, 179, 174, 180]);
    // The first image is a 0 (its first row of pixels as in the source file).
    expect(y.data[0]).toBe(0);
    expect(Array.from(x.data.subarray(0, 8))).toEqual([0, 0, 5, 13, 9, 1, 0, 0]);
  });

  it('scales to [0, 1] when asked', () => {
    expect(Math.max(...data.datasets.digits({ scale: true }).x.data)).toBe(1);
  });
});

describeWithPeers('fashion-mnist', 'Fashion-MNIST (dataset-fashion-mnist)', () => {
  it('reads 60000 training and 10000 test images, 6000 and 1000 of each class, in [0, 1]', () => {
    const { train, test } = data.datasets.fashionMnist();
    expect(train.x.shape).toEqual([60000, 784]);
    expect(test.x.shape).toEqual([10000, 784]);
    const counts = (y: Float32Array | Float64Array) => {
      const c = new Array<number>(10).fill(0);
      for (const v of y) c[v]!++;
      return c;
    };
    expect(counts(train.y.data)).toEqual(new Array(10).fill(6000));
    expect(counts(test.y.data)).toEqual(new Array(10).fill(1000));
    expect(train.y.data[0]).toBe(9); // the first training image is an ankle boot
    let max = 0;
    for (const v of train.x.data) max = Math.max(max, v);
    expect(max).toBe(1);
  });
});

describe('Fashion-MNIST when missing', () => {
  it('says how to install it', () => {
    expect(() => data.datasets.fashionMnist({ dir: '/nonexistent' })).toThrow(/apt-get install dataset-fashion-mnist/);
  });
});

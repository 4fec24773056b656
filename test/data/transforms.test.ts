// Image augmentation: random crop with padding, horizontal flip, random erasing; seeded by
// (seed, epoch, example), so independent of batch size and order, and reproducible on resume.
import { describe, expect, it } from 'vitest';
import { Tensor, data } from '../../lib';
import type { Batch } from '../../lib/data';

const { randomCrop, randomHorizontalFlip, randomErasing, compose } = data.transforms;

/** n images [n, c, h, w] with distinct positive values (1 + flat index). */
function images(n: number, c: number, h: number, w: number): Batch {
  const x = Float32Array.from({ length: n * c * h * w }, (_, i) => i + 1);
  return { x: new Tensor(x, [n, c, h, w]), y: new Tensor(Float32Array.from({ length: n }, (_, i) => i), [n]) };
}

const context = (n: number, epoch = 0, seed = 1) => ({ indices: Int32Array.from({ length: n }, (_, i) => i), epoch, seed });

/** The (dy, dx) such that out(y, x) = in(y + dy, x + dx), zero outside: or null. */
function shiftOf(input: Float32Array, output: Float32Array, h: number, w: number, p: number): [number, number] | null {
  for (let dy = -p; dy <= p; dy++) {
    for (let dx = -p; dx <= p; dx++) {
      let ok = true;
      for (let y = 0; y < h && ok; y++) {
        for (let x = 0; x < w && ok; x++) {
          const iy = y + dy;
          const ix = x + dx;
          const want = iy >= 0 && iy < h && ix >= 0 && ix < w ? input[iy * w + ix]! : 0;
          ok = output[y * w + x] === want;
        }
      }
      if (ok) return [dy, dx];
    }
  }
  return null;
}

describe('randomCrop', () => {
  it('without padding at full size is the identity', () => {
    const batch = images(3, 2, 5, 4);
    expect(Array.from(randomCrop()(batch, context(3)).x.data)).toEqual(Array.from(batch.x.data));
  });

  it('with padding 2 shifts each image (all channels alike) by some (dy, dx) in [−2, 2]², zeros entering', () => {
    const [n, c, h, w] = [200, 2, 6, 7];
    const batch = images(n, c, h, w);
    const out = randomCrop({ padding: 2 })(batch, context(n)).x;
    expect(out.shape).toEqual([n, c, h, w]);
    const seen = new Set<string>();
    for (let i = 0; i < n; i++) {
      const shifts = Array.from({ length: c }, (_, ch) => {
        const at = (i * c + ch) * h * w;
        return shiftOf(batch.x.data.subarray(at, at + h * w) as Float32Array, out.data.subarray(at, at + h * w) as Float32Array, h, w, 2);
      });
      expect(shifts[0]).not.toBeNull();
      expect(shifts[1]).toEqual(shifts[0]);
      seen.add(String(shifts[0]));
    }
    expect(seen.size).toBe(25); // every offset of [−2, 2]² turns up in 200 images
    expect(Array.from(batch.x.data.subarray(0, 3))).toEqual([1, 2, 3]); // the input is not modified
  });

  it('to a smaller size, and refuses a crop larger than the padded image', () => {
    const out = randomCrop({ size: [3, 2] })(images(4, 1, 5, 5), context(4)).x;
    expect(out.shape).toEqual([4, 1, 3, 2]);
    expect(() => randomCrop({ size: 8, padding: 1 })(images(1, 1, 5, 5), context(1))).toThrow(/at most the padded 7×7/);
    expect(() => randomCrop({ padding: -1 })).toThrow(RangeError);
    expect(() => randomCrop()(images(1, 1, 1, 4).x.reshape(1, 4) as never, context(1))).toThrow(TypeError);
  });
});

describe('randomHorizontalFlip', () => {
  it('mirrors about half of the images (p = 0.5), each whole or not at all', () => {
    const [n, c, h, w] = [400, 3, 2, 5];
    const batch = images(n, c, h, w);
    const out = randomHorizontalFlip()(batch, context(n)).x.data;
    let flipped = 0;
    for (let i = 0; i < n; i++) {
      const base = i * c * h * w;
      const same = Array.from({ length: c * h * w }, (_, k) => out[base + k] === batch.x.data[base + k]).every(Boolean);
      const mirrored = Array.from({ length: c * h * w }, (_, k) => {
        const row = Math.floor(k / w);
        return out[base + k] === batch.x.data[base + row * w + (w - 1 - (k % w))];
      }).every(Boolean);
      expect(same !== mirrored).toBe(true);
      if (mirrored) flipped++;
    }
    expect(flipped).toBeGreaterThan(160); // 200 expected, σ = 10
    expect(flipped).toBeLessThan(240);
    expect(Array.from(randomHorizontalFlip({ p: 0 })(batch, context(n)).x.data)).toEqual(Array.from(batch.x.data));
  });
});

describe('randomErasing', () => {
  it('sets one rectangle of 2–33% of the image to the value in every channel, with probability p', () => {
    const [n, c, h, w] = [300, 2, 10, 12];
    const batch = images(n, c, h, w);
    const out = randomErasing({ p: 0.5, value: -1 })(batch, context(n)).x.data;
    let erased = 0;
    for (let i = 0; i < n; i++) {
      const plane = (ch: number) => Array.from(out.subarray((i * c + ch) * h * w, (i * c + ch + 1) * h * w));
      const zeros = plane(0).map((v, k) => (v === -1 ? k : -1)).filter((k) => k >= 0);
      expect(plane(1).map((v, k) => (v === -1 ? k : -1)).filter((k) => k >= 0)).toEqual(zeros);
      if (zeros.length === 0) continue;
      erased++;
      const rows = zeros.map((k) => Math.floor(k / w));
      const cols = zeros.map((k) => k % w);
      const area = (Math.max(...rows) - Math.min(...rows) + 1) * (Math.max(...cols) - Math.min(...cols) + 1);
      expect(area).toBe(zeros.length); // a rectangle
      expect(area / (h * w)).toBeLessThan(0.45); // rounding of sides: a little above 0.33 at most
    }
    expect(erased).toBeGreaterThan(110);
    expect(erased).toBeLessThan(190);
  });
});

describe('reproducibility', () => {
  const augment = compose(randomCrop({ padding: 2 }), randomHorizontalFlip(), randomErasing());

  it('depends on (seed, epoch, example index) only: not on the batch it is in', () => {
    const batch = images(6, 1, 8, 8);
    const all = augment(batch, context(6)).x.data;
    const alone = augment({ x: new Tensor(batch.x.data.slice(4 * 64, 5 * 64), [1, 1, 8, 8]), y: batch.y }, { indices: Int32Array.of(4), epoch: 0, seed: 1 }).x.data;
    expect(Array.from(alone)).toEqual(Array.from(all.subarray(4 * 64, 5 * 64)));
    expect(Array.from(augment(batch, context(6)).x.data)).toEqual(Array.from(all));
    expect(Array.from(augment(batch, context(6, 1)).x.data)).not.toEqual(Array.from(all));
    expect(Array.from(augment(batch, context(6, 0, 2)).x.data)).not.toEqual(Array.from(all));
  });

  it('the DataLoader applies it to every batch; setEpoch replays an epoch; a loader without it gives the images as they are', () => {
    const { x, y } = images(10, 1, 6, 6);
    const set = new data.TensorDataset(x, y);
    const loader = new data.DataLoader(set, { batchSize: 4, shuffle: true, seed: 3, transform: augment });
    const epoch0 = [...loader].map((b) => Array.from(b.x.data));
    const epoch1 = [...loader].map((b) => Array.from(b.x.data));
    expect(epoch1).not.toEqual(epoch0);
    loader.setEpoch(0);
    expect([...loader].map((b) => Array.from(b.x.data))).toEqual(epoch0);
    const plain = new data.DataLoader(set, { batchSize: 10 });
    expect(Array.from([...plain][0]!.x.data)).toEqual(Array.from(x.data));
    expect(() => new data.DataLoader(set, { transform: 'flip' as never })).toThrow(TypeError);
  });
});

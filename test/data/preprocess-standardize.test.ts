// Center and Standardize: closed-form values, zero mean and unit variance on the training split,
// the training statistics (not the test split's) applied to other splits, constant features kept
// finite, inverses, dtypes, state dicts (JSON and typed arrays) and their errors.
import { describe, expect, it } from 'vitest';
import { Tensor, data, tensor } from '../../lib';
import { columnMean, covarianceOf, maxAbsDiff, normals } from './preprocess-helpers';

const { Center, Standardize } = data;

/** n×d data whose column j has mean means[j] and spread scales[j] (normal draws). */
function shifted(n: number, means: number[], scales: number[], seed: number, dtype: 'float32' | 'float64'): Tensor {
  const d = means.length;
  const z = normals([n, d], seed);
  const values = Array.from(z, (v, i) => means[i % d]! + scales[i % d]! * v);
  return tensor(values, [n, d], { dtype });
}

describe('Standardize', () => {
  it('computes the closed form on hand-made data (population std, divisor n)', () => {
    const x = tensor([[1, 10, 5], [3, 10, 7], [5, 10, 3]], undefined, { dtype: 'float64' });
    const s = new Standardize().fit(x);
    const sd = Math.sqrt(8 / 3); // np.std([1, 3, 5]) = np.std([5, 7, 3])
    expect(Array.from(s.mean!)).toEqual([3, 10, 5]);
    expect(s.scale![0]).toBeCloseTo(sd, 15);
    expect(s.scale![1]).toBe(1); // the constant column: divided by 1, not by 0
    expect(s.scale![2]).toBeCloseTo(sd, 15);
    const out = s.transform(x);
    expect(out.dtype).toBe('float64');
    expect(out.shape).toEqual([3, 3]);
    const expected = [-2 / sd, 0, 0, 0, 0, 2 / sd, 2 / sd, 0, -2 / sd];
    expect(maxAbsDiff(out.data, expected)).toBeLessThan(1e-15);
  });

  it.each(['float32', 'float64'] as const)(
    'gives the %s training split mean 0 and variance 1 per feature and applies its statistics to the test split',
    (dtype) => {
      const means = [100, -3, 0.5, 1e4, 0];
      const scales = [15, 0.01, 2, 300, 1];
      const train = shifted(400, means, scales, 1, dtype);
      // The test split comes from elsewhere: other means and spreads.
      const test = shifted(150, means.map((m) => m + 5), scales.map((s) => s * 3), 2, dtype);
      const s = new Standardize();
      const z = s.fitTransform(train);
      expect(z.dtype).toBe(dtype);
      const tol = dtype === 'float32' ? 1e-5 : 1e-12;
      const mean = columnMean(z.data, 400, 5);
      const variance = covarianceOf(z.data, 400, 5, 400).filter((_, i) => i % 6 === 0);
      for (let j = 0; j < 5; j++) {
        expect(Math.abs(mean[j]!)).toBeLessThan(tol);
        expect(Math.abs(variance[j]! - 1)).toBeLessThan(tol);
      }
      // The test split uses the training mean and std, worked out here with plain loops.
      const trainMean = columnMean(train.data, 400, 5);
      const trainStd = covarianceOf(train.data, 400, 5, 400).filter((_, i) => i % 6 === 0).map(Math.sqrt);
      const out = s.transform(test);
      const expected = Array.from(test.data, (v, i) => (v - trainMean[i % 5]!) / trainStd[i % 5]!);
      for (let i = 0; i < expected.length; i++) {
        expect(Math.abs(out.data[i]! - expected[i]!)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(expected[i]!)));
      }
      // …so it is not standardized by its own statistics: its means sit near 5 / scale, its
      // spreads near 3.
      const testMean = columnMean(out.data, 150, 5);
      const testVariance = covarianceOf(out.data, 150, 5, 150).filter((_, i) => i % 6 === 0);
      for (let j = 0; j < 5; j++) {
        expect(testMean[j]).toBeGreaterThan(0.5 * (5 / scales[j]!) - 0.5);
        expect(Math.sqrt(testVariance[j]!)).toBeGreaterThan(2.5);
      }
    },
  );

  it('keeps constant features finite: scale 1, centred to 0 (also where the mean is not exact)', () => {
    // 0.1 summed 1000 times, over 1000, is 0.09999999999999859 in double: with that mean the
    // variance would be 2e-30, not 0, and dividing by its square root would give values near ±1
    // instead of 0. The corrected mean is exact, and a variance within rounding of the mean's
    // counts as 0 besides.
    const n = 1000;
    const values: number[] = [];
    for (let r = 0; r < n; r++) values.push(0.1, 7, r % 2, -1e6);
    for (const dtype of ['float32', 'float64'] as const) {
      const x = tensor(values, [n, 4], { dtype });
      const s = new Standardize().fit(x);
      expect(Array.from(s.scale!)).toEqual([1, 1, 0.5, 1]);
      expect(s.mean![0]).toBe(dtype === 'float32' ? Math.fround(0.1) : 0.1);
      const z = s.transform(x);
      for (let r = 0; r < n; r++) {
        for (const j of [0, 1, 3]) expect(Math.abs(z.data[r * 4 + j]!)).toBeLessThan(1e-9);
        expect(z.data[r * 4 + 2]).toBe(r % 2 ? 1 : -1);
      }
      // Another split: the constant feature's departures come through unscaled.
      const other = s.transform(tensor([[0.1, 8, 1, -1e6 + 2]], undefined, { dtype }));
      expect(other.data[1]).toBeCloseTo(1, 6);
      expect(other.data[3]).toBeCloseTo(2, 6);
      expect(other.data.every(Number.isFinite)).toBe(true);
    }
    // One sample: every feature is constant.
    const one = new Standardize().fit(tensor([[3, -4]]));
    expect(Array.from(one.transform(tensor([[3, -4], [4, -4]])).data)).toEqual([0, 0, 1, 0]);
  });

  it('inverts its transform', () => {
    const x = shifted(50, [3, -7, 1000], [2, 0.5, 40], 3, 'float64');
    const s = new Standardize().fit(x);
    expect(maxAbsDiff(s.inverseTransform(s.transform(x)).data, x.data)).toBeLessThan(1e-12);
    const x32 = shifted(50, [3, -7, 1000], [2, 0.5, 40], 3, 'float32');
    const s32 = new Standardize().fit(x32);
    const back = s32.inverseTransform(s32.transform(x32));
    expect(back.dtype).toBe('float32');
    for (let i = 0; i < x32.size; i++) expect(Math.abs(back.data[i]! - x32.data[i]!)).toBeLessThan(1e-6 * Math.max(1, Math.abs(x32.data[i]!)) * 4);
  });

  it('round-trips its state dict through JSON and typed arrays, giving identical transforms', () => {
    const train = shifted(80, [1, 2, 3, 4], [5, 6, 0.1, 1e-3], 4, 'float32');
    const test = shifted(20, [1, 2, 3, 4], [5, 6, 0.1, 1e-3], 5, 'float32');
    const s = new Standardize().fit(train);
    const state = s.stateDict();
    expect(Object.keys(state)).toEqual(['mean', 'scale']);
    expect(Array.isArray(state.mean)).toBe(true);
    const fromJson = new Standardize();
    fromJson.loadStateDict(JSON.parse(JSON.stringify(state)));
    expect(Array.from(fromJson.transform(test).data)).toEqual(Array.from(s.transform(test).data));
    const fromTyped = new Standardize();
    fromTyped.loadStateDict({ mean: Float64Array.from(state.mean), scale: Float64Array.from(state.scale) });
    expect(Array.from(fromTyped.transform(test).data)).toEqual(Array.from(s.transform(test).data));
    // The state dict is a copy: changing it changes nothing.
    state.mean[0] = 1e9;
    expect(s.mean![0]).not.toBe(1e9);
  });

  it('refuses bad state dicts, naming the key, and keeps its state', () => {
    const s = new Standardize().fit(tensor([[1, 2], [3, 5]]));
    const before = s.stateDict();
    const cases: [unknown, RegExp][] = [
      [null, /Standardize.loadStateDict: Expected a state dict object but received null/],
      [[1, 2], /Expected a state dict object but received an Array/],
      [{ mean: [0, 0] }, /missing keys \[scale\], unexpected keys \[\]/],
      [{ mean: [0, 0], scale: [1, 1], std: [1, 1] }, /missing keys \[\], unexpected keys \[std\]/],
      [{ mean: [0, 0], scale: [1] }, /Expected 2 values for scale but received 1/],
      [{ mean: [0, NaN], scale: [1, 1] }, /Expected finite numbers in mean but mean\[1\] is NaN/],
      [{ mean: [0, 0], scale: [1, 0] }, /Expected positive values in scale but scale\[1\] is 0/],
      [{ mean: [0, '1'], scale: [1, 1] }, /mean\[1\] is a string/],
      [{ mean: 'abc', scale: [1, 1] }, /Expected an array of numbers, a Float32Array or a Float64Array for mean but received a string/],
      [{ mean: [], scale: [] }, /Expected at least 1 value for mean but received 0/],
    ];
    for (const [state, message] of cases) {
      expect(() => s.loadStateDict(state as never)).toThrow(message);
      expect(s.stateDict()).toEqual(before);
    }
  });

  it('says what is wrong with its input', () => {
    const s = new Standardize();
    expect(s.fitted).toBe(false);
    expect(s.features).toBeNull();
    expect(() => s.transform(tensor([[1, 2]]))).toThrow('Standardize.transform: not fitted yet: call fit(x) (or fitTransform, or loadStateDict) first');
    expect(() => s.stateDict()).toThrow('Standardize.stateDict: not fitted yet');
    expect(() => s.fit(tensor([1, 2, 3]))).toThrow('Standardize.fit: Expected a 2-D tensor [samples, features] but received shape [3]');
    expect(() => s.fit([[1, 2]] as never)).toThrow('Standardize.fit: Expected a Tensor [samples, features] but received an Array');
    expect(() => s.fit(tensor([[1, NaN]]))).toThrow('Standardize.fit: Expected finite values but x[0, 1] is NaN');
    expect(() => s.fit(new Tensor(new Float32Array(0), [0, 3]))).toThrow('Standardize.fit: Expected at least 1 sample and 1 feature but received shape [0, 3]');
    s.fit(tensor([[1, 2, 3], [4, 5, 6]]));
    expect(s.fitted).toBe(true);
    expect(s.features).toBe(3);
    expect(() => s.transform(tensor([[1, 2, 3, 4]]))).toThrow('Standardize.transform: Expected 3 features (as fitted) but received 4 (shape [1, 4])');
    expect(() => s.inverseTransform(tensor([[1, 2]]))).toThrow('Standardize.inverseTransform: Expected 3 features (as fitted) but received 2 (shape [1, 2])');
    // No rows is a valid (empty) input once fitted.
    expect(s.transform(new Tensor(new Float32Array(0), [0, 3])).shape).toEqual([0, 3]);
  });
});

describe('Center', () => {
  it('subtracts the training mean, from any split, and adds it back', () => {
    const x = tensor([[1, 10], [2, 20], [6, 30]], undefined, { dtype: 'float64' });
    const c = new Center().fit(x);
    expect(Array.from(c.mean!)).toEqual([3, 20]);
    expect(Array.from(c.transform(x).data)).toEqual([-2, -10, -1, 0, 3, 10]);
    expect(Array.from(c.transform(tensor([[0, 0]])).data)).toEqual([-3, -20]);
    expect(Array.from(c.inverseTransform(tensor([[1, 1]])).data)).toEqual([4, 21]);
    expect(c.transform(tensor([[0, 0]])).dtype).toBe('float32');
    expect(Array.from(c.fitTransform(x).data)).toEqual([-2, -10, -1, 0, 3, 10]);
  });

  it('computes means in double for float32 data (no drift over many rows)', () => {
    // The column sums to 16777218 × 100001 ≈ 1.7e12: a float32 running sum keeps 24 bits of it
    // (and stalls at 2^25 once the spacing exceeds 2^24), a double one is exact, and so is the mean.
    const n = 100001;
    const x = new Tensor(new Float32Array(n).fill(16777216), [n, 1]);
    x.data[0] = 16777216 + 2 * n;
    const c = new Center().fit(x);
    expect(c.mean![0]).toBe(16777218);
  });

  it('round-trips its state dict and refuses a wrong one', () => {
    const c = new Center().fit(tensor([[1, 2], [3, 4]]));
    const d = new Center();
    d.loadStateDict(JSON.parse(JSON.stringify(c.stateDict())));
    expect(Array.from(d.transform(tensor([[5, 5]])).data)).toEqual([3, 2]);
    expect(() => d.loadStateDict({ mean: [1], scale: [1] } as never)).toThrow('Center.loadStateDict: the state dict does not match: missing keys [], unexpected keys [scale]');
    expect(() => d.transform(tensor([[5]]))).toThrow('Center.transform: Expected 2 features (as fitted) but received 1 (shape [1, 1])');
  });
});

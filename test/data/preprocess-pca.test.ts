// PCA: closed forms on a rotated hand-made set, exact recovery of a constructed covariance's
// directions and variances, float32 against float64, inverses, state dicts and errors, and the
// shipped digits (and Fashion-MNIST when installed).
import { describe, expect, it } from 'vitest';
import { Tensor, data, tensor } from '../../lib';
import { describeWithPeers } from '../peers';
import { householderQR } from '../../lib/nn/qr';
import { covarianceOf, maxAbsDiff, normals } from './preprocess-helpers';

const { PCA } = data;

/** cos and sin of 30°: the rotation of the hand-made set. */
const C = Math.sqrt(3) / 2;
const S = 0.5;

/** Four points with covariance diag(8/3, 2/3) (divisor n − 1 = 3), rotated by 30°, moved to (1, 5). */
function rotatedPoints(dtype: 'float32' | 'float64' = 'float64'): { x: Tensor; p: number[][] } {
  const p = [[2, 0], [-2, 0], [0, 1], [0, -1]];
  const x = p.map(([a, b]) => [1 + C * a! - S * b!, 5 + S * a! + C * b!]);
  return { x: tensor(x, undefined, { dtype }), p };
}

/** A random d×d orthogonal matrix (its columns: the directions). */
function randomOrthogonal(d: number, seed: number): Float64Array {
  return householderQR(Float64Array.from(normals([d, d], seed)), d, d).q;
}

/**
 * n samples whose sample covariance (divisor n − 1) is exactly R·diag(σ²)·Rᵀ and mean is `mean`:
 * √(n − 1)·Q·diag(σ)·Rᵀ + mean, with Q n×d orthonormal columns orthogonal to the ones vector.
 */
function withCovariance(n: number, mean: number[], r: Float64Array, sigma: number[], seed: number): Tensor {
  const d = mean.length;
  const g = Float64Array.from(normals([n, d], seed));
  for (let j = 0; j < d; j++) {
    let m = 0;
    for (let i = 0; i < n; i++) m += g[i * d + j]!;
    for (let i = 0; i < n; i++) g[i * d + j]! -= m / n;
  }
  const { q } = householderQR(g, n, d);
  const x = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      let v = 0;
      for (let k = 0; k < d; k++) v += q[i * d + k]! * sigma[k]! * r[j * d + k]!;
      x[i * d + j] = Math.sqrt(n - 1) * v + mean[j]!;
    }
  }
  return new Tensor(x, [n, d]);
}

/** Column k of the d×d matrix r, signed so that its first largest-magnitude component is positive. */
function signedColumn(r: Float64Array, d: number, k: number): number[] {
  const v = Array.from({ length: d }, (_, j) => r[j * d + k]!);
  const largest = Math.max(...v.map(Math.abs));
  const pivot = v.findIndex((a) => Math.abs(a) >= largest * (1 - 1e-8));
  return v.map((a) => a * Math.sign(v[pivot]!));
}

describe('PCA', () => {
  it('finds the closed form on a rotated hand-made set', () => {
    const { x, p } = rotatedPoints();
    const pca = new PCA({ components: 2 }).fit(x);
    expect(pca.mean![0]).toBeCloseTo(1, 15);
    expect(pca.mean![1]).toBeCloseTo(5, 15);
    expect(maxAbsDiff(pca.explainedVariance!, [8 / 3, 2 / 3])).toBeLessThan(1e-14);
    expect(maxAbsDiff(pca.explainedVarianceRatio!, [0.8, 0.2])).toBeLessThan(1e-15);
    // Directions (c, s) and (−s, c), each signed by its largest component (c).
    const components = pca.components!;
    expect(components.shape).toEqual([2, 2]);
    expect(components.dtype).toBe('float64');
    expect(maxAbsDiff(components.data, [C, S, -S, C])).toBeLessThan(1e-15);
    // Projected, the points are the unrotated ones.
    expect(maxAbsDiff(pca.transform(x).data, p.flat())).toBeLessThan(1e-14);
    const first = new PCA({ components: 1 }).fit(x);
    expect(first.transform(x).shape).toEqual([4, 1]);
    expect(maxAbsDiff(first.transform(x).data, [2, -2, 0, 0])).toBeLessThan(1e-14);
    expect(maxAbsDiff(first.explainedVarianceRatio!, [0.8])).toBeLessThan(1e-15);
    // Back from one component: the points on the first axis.
    const back = first.inverseTransform(tensor([[2], [0]], undefined, { dtype: 'float64' }));
    expect(maxAbsDiff(back.data, [1 + 2 * C, 5 + 2 * S, 1, 5])).toBeLessThan(1e-14);
  });

  it('recovers the directions and variances of a constructed covariance', () => {
    const d = 6;
    const sigma = [4, 3, 2, 1, 0.5, 0.1];
    const r = randomOrthogonal(d, 11);
    const x = withCovariance(300, [10, -20, 0, 5, 1e3, 3], r, sigma, 12);
    const pca = new PCA({ components: 4 }).fit(x);
    expect(maxAbsDiff(pca.explainedVariance!, [16, 9, 4, 1])).toBeLessThan(1e-11);
    const total = sigma.reduce((s, v) => s + v * v, 0);
    expect(maxAbsDiff(pca.explainedVarianceRatio!, [16, 9, 4, 1].map((v) => v / total))).toBeLessThan(1e-13);
    const components = pca.components!.data;
    for (let k = 0; k < 4; k++) {
      expect(maxAbsDiff(components.subarray(k * d, k * d + d), signedColumn(r, d, k))).toBeLessThan(1e-12);
    }
    // The projections are uncorrelated with the explained variances as their variances.
    const z = pca.transform(x);
    const cov = covarianceOf(z.data, 300, 4, 299);
    expect(maxAbsDiff(cov, [16, 0, 0, 0, 0, 9, 0, 0, 0, 0, 4, 0, 0, 0, 0, 1])).toBeLessThan(1e-10);
    // All six components: an exact change of basis, undone by inverseTransform.
    const full = new PCA({ components: d }).fit(x);
    expect(full.explainedVarianceRatio!.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 14);
    expect(maxAbsDiff(full.inverseTransform(full.transform(x)).data, x.data)).toBeLessThan(1e-9);
    // With four, inverseTransform gives the projection onto their span: the residual is
    // orthogonal to every kept direction.
    const residual = Float64Array.from(x.data, (v, i) => v - pca.inverseTransform(z).data[i]!);
    const mean = pca.mean!;
    const residualScores = pca.transform(new Tensor(residual.map((v, i) => v + mean[i % d]!), [300, d]));
    expect(Math.max(...residualScores.data.map(Math.abs))).toBeLessThan(1e-9);
  });

  it('projects float32 data like float64 (to float32 rounding), through several row blocks', () => {
    const d = 40;
    const n = 3000; // 3000·40 values: two blocks of 1638 rows on the gemm
    const r = randomOrthogonal(d, 21);
    const sigma = Array.from({ length: d }, (_, i) => 10 / (i + 1));
    const x64 = withCovariance(n, Array.from({ length: d }, (_, j) => j), r, sigma, 22);
    const x32 = new Tensor(Float32Array.from(x64.data), [n, d]);
    const p64 = new PCA({ components: 5 }).fit(x64);
    const p32 = new PCA({ components: 5 }).fit(x32);
    expect(maxAbsDiff(p32.explainedVariance!, p64.explainedVariance!)).toBeLessThan(1e-4);
    const z32 = p32.transform(x32);
    expect(z32.dtype).toBe('float32');
    const z64 = p64.transform(x64);
    expect(z64.dtype).toBe('float64');
    expect(maxAbsDiff(z32.data, z64.data)).toBeLessThan(1e-4);
    // The float32 path (gemm on the selected backend) against a plain double loop on its own fit.
    const comps = p32.components!.data;
    const mean = p32.mean!;
    let worst = 0;
    for (let i = 0; i < n; i += 7) {
      for (let k = 0; k < 5; k++) {
        let v = 0;
        for (let j = 0; j < d; j++) v += (x32.data[i * d + j]! - mean[j]!) * comps[k * d + j]!;
        worst = Math.max(worst, Math.abs(z32.data[i * 5 + k]! - v));
      }
    }
    expect(worst).toBeLessThan(1e-4);
  });

  it('round-trips its state dict (JSON and typed arrays) with identical transforms', () => {
    const x = withCovariance(50, [1, 2, 3, 4], randomOrthogonal(4, 31), [3, 2, 1, 0.5], 32);
    const pca = new PCA({ components: 2 }).fit(x);
    const state = pca.stateDict();
    expect(Object.keys(state)).toEqual(['mean', 'components', 'explainedVariance', 'totalVariance']);
    const test = new Tensor(Float64Array.from(normals([9, 4], 33)), [9, 4]);
    const fromJson = new PCA({ components: 2 });
    fromJson.loadStateDict(JSON.parse(JSON.stringify(state)));
    expect(Array.from(fromJson.transform(test).data)).toEqual(Array.from(pca.transform(test).data));
    expect(Array.from(fromJson.explainedVarianceRatio!)).toEqual(Array.from(pca.explainedVarianceRatio!));
    const fromTyped = new PCA({ components: 2 });
    fromTyped.loadStateDict({ ...state, mean: Float64Array.from(state.mean), components: Float64Array.from(state.components) });
    expect(Array.from(fromTyped.transform(test).data)).toEqual(Array.from(pca.transform(test).data));
  });

  it('refuses bad state dicts, naming what is wrong, and keeps its state', () => {
    const pca = new PCA({ components: 2 }).fit(withCovariance(20, [0, 0, 0], randomOrthogonal(3, 41), [3, 2, 1], 42));
    const good = pca.stateDict();
    const cases: [unknown, RegExp][] = [
      [{ ...good, totalVariance: undefined }, /Expected a finite number >= 0 for totalVariance but received undefined/],
      [{ mean: good.mean, components: good.components, explainedVariance: good.explainedVariance }, /missing keys \[totalVariance\]/],
      [{ ...good, explainedVariance: [4] }, /Expected 2 values for explainedVariance \(components is 2\) but received 1/],
      [{ ...good, explainedVariance: [1, 4] }, /Expected explainedVariance in descending order/],
      [{ ...good, explainedVariance: [4, -1] }, /Expected values >= 0 in explainedVariance but explainedVariance\[1\] is -1/],
      [{ ...good, components: good.components.slice(1) }, /Expected 6 values for components but received 5/],
      [{ ...good, components: good.components.map((v) => 2 * v) }, /Expected orthonormal rows in components but row 0 · row 0 = (4|3\.99)/],
      [{ ...good, totalVariance: 1 }, /Expected totalVariance >= the sum of explainedVariance/],
      [{ ...good, mean: [0] }, /Expected at least 2 values for mean \(components is 2\) but received 1/],
    ];
    for (const [state, message] of cases) {
      expect(() => pca.loadStateDict(state as never)).toThrow(message);
      expect(pca.stateDict()).toEqual(good);
    }
    expect(() => new PCA({ components: 3 }).loadStateDict(good)).toThrow(/Expected 3 values for explainedVariance \(components is 3\) but received 2/);
  });

  it('says what is wrong with its options and input', () => {
    expect(() => new PCA({ components: 0 })).toThrow('PCA: Expected a positive integer for components but received 0');
    expect(() => new PCA({ components: 2.5 })).toThrow('PCA: Expected a positive integer for components but received 2.5');
    expect(() => new PCA(undefined as never)).toThrow('PCA: Expected a positive integer for components but received undefined');
    const pca = new PCA({ components: 3 });
    expect(() => pca.transform(tensor([[1, 2, 3]]))).toThrow('PCA.transform: not fitted yet');
    expect(() => pca.fit(tensor([[1, 2, 3]]))).toThrow('PCA.fit: Expected at least 2 samples and 1 feature but received shape [1, 3]');
    expect(() => pca.fit(tensor([[1, 2], [3, 4], [5, 7]]))).toThrow('PCA.fit: Expected components <= min(samples, features) = 2 but components is 3 (shape [3, 2])');
    expect(() => pca.fit(tensor([[1, 2, 3], [3, 4, 5], [5, 7, Infinity]]))).toThrow('PCA.fit: Expected finite values but x[2, 2] is Infinity');
    pca.fit(tensor([[1, 2, 3], [3, 4, 5], [5, 7, 0]]));
    expect(() => pca.transform(tensor([[1, 2]]))).toThrow('PCA.transform: Expected 3 features (as fitted) but received 2 (shape [1, 2])');
    expect(() => pca.inverseTransform(tensor([[1, 2]]))).toThrow('PCA.inverseTransform: Expected 3 components (as fitted) but received 2 (shape [1, 2])');
    // Constant data: nothing to explain.
    const flat = new PCA({ components: 1 }).fit(tensor([[2, 2], [2, 2]]));
    expect(Array.from(flat.explainedVarianceRatio!)).toEqual([0]);
    expect(Array.from(flat.transform(tensor([[2, 2]])).data)).toEqual([0]);
  });
});

describe('PCA on the shipped digits', () => {
  const { x } = data.datasets.digits();

  it('keeps 10 components with descending ratios summing to at most 1, as scikit-learn finds them', () => {
    const pca = new PCA({ components: 10 }).fit(x);
    const ratio = pca.explainedVarianceRatio!;
    for (let i = 1; i < 10; i++) expect(ratio[i]).toBeLessThan(ratio[i - 1]!);
    expect(ratio[9]).toBeGreaterThan(0);
    const sum = ratio.reduce((s, v) => s + v, 0);
    expect(sum).toBeLessThanOrEqual(1);
    expect(sum).toBeGreaterThan(0.7);
    // scikit-learn's PCA(n_components=2).fit(load_digits().data).explained_variance_ratio_.
    expect(ratio[0]).toBeCloseTo(0.14890594, 7);
    expect(ratio[1]).toBeCloseTo(0.13618771, 7);
    const z = pca.transform(x);
    expect(z.shape).toEqual([1797, 10]);
    expect(z.dtype).toBe('float32');
    // The scores' sample variances are the explained variances (float32 scores: to 1e-5).
    const cov = covarianceOf(z.data, 1797, 10, 1796);
    const variance = pca.explainedVariance!;
    for (let k = 0; k < 10; k++) expect(Math.abs(cov[k * 11]! - variance[k]!) / variance[k]!).toBeLessThan(1e-5);
  });

  it('explains all the variance with all 64 components (constant pixels included)', () => {
    const pca = new PCA({ components: 64 }).fit(x);
    const ratio = pca.explainedVarianceRatio!;
    expect(ratio.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
    for (let i = 1; i < 64; i++) expect(ratio[i]).toBeLessThanOrEqual(ratio[i - 1]!);
    // Three pixels are 0 in every image: at least three directions without variance.
    expect(ratio[61]).toBeLessThan(1e-12);
    const back = pca.inverseTransform(pca.transform(x));
    expect(maxAbsDiff(back.data, x.data)).toBeLessThan(1e-4);
  });
});

describeWithPeers('fashion-mnist', 'PCA on Fashion-MNIST (784 features)', () => {
  it('fits 10 000 training images and projects 1000 test images', () => {
    const { train, test } = data.datasets.fashionMnist();
    const n = 10000;
    const x = new Tensor(train.x.data.subarray(0, n * 784), [n, 784]);
    const testX = new Tensor(test.x.data.subarray(0, 1000 * 784), [1000, 784]);
    const pca = new PCA({ components: 784 }).fit(x);
    const ratio = pca.explainedVarianceRatio!;
    expect(ratio.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 10);
    for (let i = 1; i < 784; i++) expect(ratio[i]).toBeLessThanOrEqual(ratio[i - 1]!);
    expect(ratio[0]).toBeGreaterThan(0.2); // one direction (overall brightness) carries a fifth or more
    const z = pca.transform(testX);
    expect(z.shape).toEqual([1000, 784]);
    expect(maxAbsDiff(pca.inverseTransform(z).data, testX.data)).toBeLessThan(1e-4);
  });
});

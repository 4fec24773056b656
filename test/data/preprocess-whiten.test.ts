// Whiten: PCA and ZCA whitening give the training data identity covariance (exactly
// diag(λ/(λ+ε)) with ε), closed forms on a rotated hand-made set, ZCA as the symmetric and the
// closest whitening, epsilon on singular data, inverses, state dicts and errors.
import { describe, expect, it } from 'vitest';
import { Tensor, data, tensor } from '../../lib';
import { householderQR } from '../../lib/nn/qr';
import { covarianceOf, identity, matmulPlain, maxAbsDiff, normals } from './preprocess-helpers';

const { Whiten } = data;

/** n×d correlated data: standard normals times a fixed mixing matrix, plus an offset. */
function correlated(n: number, d: number, seed: number, dtype: 'float32' | 'float64' = 'float64'): Tensor {
  const z = normals([n, d], seed);
  const mix = normals([d, d], seed + 1000);
  const x = matmulPlain(z, mix, n, d, d).map((v, i) => v + 3 * (i % d));
  return dtype === 'float64' ? new Tensor(x, [n, d]) : new Tensor(Float32Array.from(x), [n, d]);
}

function frobeniusDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(s);
}

describe('Whiten', () => {
  it.each(['pca', 'zca'] as const)('%s-whitened training data has identity covariance (divisor n − 1)', (method) => {
    const [n, d] = [500, 7];
    const x = correlated(n, d, 1);
    const w = new Whiten({ method, epsilon: 0 });
    const z = w.fitTransform(x);
    expect(z.dtype).toBe('float64');
    expect(maxAbsDiff(covarianceOf(z.data, n, d, n - 1), identity(d))).toBeLessThan(1e-10);
    // float32 data: identity to float32 rounding.
    const z32 = new Whiten({ method, epsilon: 0 }).fitTransform(correlated(n, d, 1, 'float32'));
    expect(z32.dtype).toBe('float32');
    expect(maxAbsDiff(covarianceOf(z32.data, n, d, n - 1), identity(d))).toBeLessThan(1e-4);
  });

  it.each(['pca', 'zca'] as const)('%s whitening with epsilon gives covariance λ/(λ + ε) along the eigenvectors', (method) => {
    const [n, d] = [300, 5];
    const x = correlated(n, d, 2);
    const epsilon = 0.5;
    const w = new Whiten({ method, epsilon }).fit(x);
    const lambda = w.eigenvalues!;
    const v = w.eigenvectors!.data; // rows
    const shrink = Array.from(lambda, (l) => l / (l + epsilon));
    const cov = covarianceOf(w.transform(x).data, n, d, n - 1);
    if (method === 'pca') {
      expect(maxAbsDiff(cov, identity(d).map((one, i) => one * shrink[i % d]!))).toBeLessThan(1e-10);
    } else {
      // V·diag(λ/(λ+ε))·Vᵀ with V's columns the eigenvectors.
      const expected = Array.from({ length: d * d }, (_, i) => {
        const [a, b] = [Math.floor(i / d), i % d];
        let s = 0;
        for (let k = 0; k < d; k++) s += v[k * d + a]! * shrink[k]! * v[k * d + b]!;
        return s;
      });
      expect(maxAbsDiff(cov, expected)).toBeLessThan(1e-10);
    }
    // The eigenvalues are those of the sample covariance.
    const sampleCov = covarianceOf(x.data, n, d, n - 1);
    for (let k = 0; k < d; k++) {
      for (let a = 0; a < d; a++) {
        let s = 0;
        for (let b = 0; b < d; b++) s += sampleCov[a * d + b]! * v[k * d + b]!;
        expect(Math.abs(s - lambda[k]! * v[k * d + a]!)).toBeLessThan(1e-9);
      }
    }
  });

  it('finds the closed forms on a rotated hand-made set', () => {
    // Points p with covariance D = diag(8/3, 2/3), rotated by 30° (x = R·p) and moved to (1, 5).
    const [c, s] = [Math.sqrt(3) / 2, 0.5];
    const p = [[2, 0], [-2, 0], [0, 1], [0, -1]];
    const x = tensor(p.map(([a, b]) => [1 + c * a! - s * b!, 5 + s * a! + c * b!]), undefined, { dtype: 'float64' });
    const scale = [Math.sqrt(3 / 8), Math.sqrt(3 / 2)]; // D^(−1/2)
    const white = p.map(([a, b]) => [a! * scale[0]!, b! * scale[1]!]); // D^(−1/2)·p
    // PCA whitening: D^(−1/2)·Rᵀ·(x − μ) = D^(−1/2)·p.
    const pcaW = new Whiten({ method: 'pca', epsilon: 0 }).fit(x);
    expect(maxAbsDiff(pcaW.transform(x).data, white.flat())).toBeLessThan(1e-14);
    expect(maxAbsDiff(pcaW.matrix!.data, [c * scale[0]!, s * scale[0]!, -s * scale[1]!, c * scale[1]!])).toBeLessThan(1e-14);
    // ZCA: R·D^(−1/2)·Rᵀ·(x − μ) = R·D^(−1/2)·p.
    const zca = new Whiten({ method: 'zca', epsilon: 0 }).fit(x);
    const rotated = white.map(([a, b]) => [c * a! - s * b!, s * a! + c * b!]);
    expect(maxAbsDiff(zca.transform(x).data, rotated.flat())).toBeLessThan(1e-14);
    const m = zca.matrix!.data;
    expect(m[1]).toBe(m[2]); // exactly symmetric
    const [l0, l1] = scale;
    expect(maxAbsDiff(m, [c * c * l0! + s * s * l1!, c * s * (l0! - l1!), c * s * (l0! - l1!), s * s * l0! + c * c * l1!])).toBeLessThan(1e-14);
  });

  it('ZCA is the symmetric whitening closest to the centred input', () => {
    const [n, d] = [400, 6];
    const x = correlated(n, d, 3);
    const zca = new Whiten({ method: 'zca', epsilon: 1e-3 }).fit(x);
    const m = zca.matrix!.data;
    for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) expect(m[a * d + b]).toBe(m[b * d + a]);
    // ZCA's matrix is Σ_ε^(−1/2): its square times Σ + εI is the identity.
    const sigma = covarianceOf(x.data, n, d, n - 1).map((v, i) => v + (Math.floor(i / d) === i % d ? 1e-3 : 0));
    expect(maxAbsDiff(matmulPlain(matmulPlain(m, m, d, d, d), sigma, d, d, d), identity(d))).toBeLessThan(1e-10);
    // Every other whitening is an orthogonal Q times it: ZCA's outputs stay nearest the centred data.
    const mean = zca.mean!;
    const centred = Array.from(x.data, (v, i) => v - mean[i % d]!);
    const zZca = zca.transform(x).data;
    const best = frobeniusDistance(zZca, centred);
    const zPca = new Whiten({ method: 'pca', epsilon: 1e-3 }).fit(x).transform(x).data;
    expect(frobeniusDistance(zPca, centred)).toBeGreaterThan(best * 1.01);
    for (let seed = 0; seed < 20; seed++) {
      const q = householderQR(Float64Array.from(normals([d, d], 100 + seed)), d, d).q;
      expect(frobeniusDistance(matmulPlain(zZca, q, n, d, d), centred)).toBeGreaterThan(best);
    }
  });

  it('applies the training statistics to another split and inverts exactly', () => {
    const train = correlated(200, 4, 4);
    const test = correlated(50, 4, 5);
    for (const method of ['pca', 'zca'] as const) {
      const w = new Whiten({ method, epsilon: 1e-2 }).fit(train);
      const m = w.matrix!.data;
      const mean = w.mean!;
      const z = w.transform(test);
      // (x − μ_train)·Wᵀ, by hand.
      for (let i = 0; i < 50; i++) {
        for (let k = 0; k < 4; k++) {
          let v = 0;
          for (let j = 0; j < 4; j++) v += (test.data[i * 4 + j]! - mean[j]!) * m[k * 4 + j]!;
          expect(z.data[i * 4 + k]).toBeCloseTo(v, 12);
        }
      }
      expect(maxAbsDiff(w.inverseTransform(z).data, test.data)).toBeLessThan(1e-10);
    }
  });

  it('needs epsilon > 0 for a singular covariance, and then stays finite', () => {
    // The third feature is the sum of the first two: rank 2 of 3; the fourth is constant.
    const base = normals([100, 2], 6);
    const rows = Array.from({ length: 100 }, (_, i) => [base[2 * i]!, base[2 * i + 1]!, base[2 * i]! + base[2 * i + 1]!, 4]);
    const x = tensor(rows, undefined, { dtype: 'float64' });
    expect(() => new Whiten({ method: 'zca', epsilon: 0 }).fit(x)).toThrow(
      /Whiten.fit: the covariance is singular \(smallest eigenvalue .*\) and epsilon is 0: whitening would divide by zero; use epsilon > 0/,
    );
    for (const method of ['pca', 'zca'] as const) {
      const w = new Whiten({ method, epsilon: 1e-5 }).fit(x);
      const z = w.transform(x);
      expect(z.data.every(Number.isFinite)).toBe(true);
      // The null directions carry nothing: the constant feature maps to 0.
      if (method === 'zca') for (let i = 0; i < 100; i++) expect(Math.abs(z.data[i * 4 + 3]!)).toBeLessThan(1e-9);
      expect(maxAbsDiff(w.inverseTransform(z).data, x.data)).toBeLessThan(1e-9);
    }
  });

  it('round-trips its state dict with identical transforms, and refuses a mismatched one', () => {
    const x = correlated(60, 3, 7);
    const w = new Whiten({ method: 'pca', epsilon: 0.01 }).fit(x);
    const state = w.stateDict();
    expect(Object.keys(state)).toEqual(['method', 'epsilon', 'mean', 'eigenvalues', 'eigenvectors']);
    const loaded = new Whiten({ method: 'pca', epsilon: 0.01 });
    loaded.loadStateDict(JSON.parse(JSON.stringify(state)));
    const test = correlated(10, 3, 8, 'float32');
    expect(Array.from(loaded.transform(test).data)).toEqual(Array.from(w.transform(test).data));
    expect(Array.from(loaded.inverseTransform(test).data)).toEqual(Array.from(w.inverseTransform(test).data));
    const typed = new Whiten({ method: 'pca', epsilon: 0.01 });
    typed.loadStateDict({ ...state, eigenvectors: Float64Array.from(state.eigenvectors) });
    expect(Array.from(typed.transform(test).data)).toEqual(Array.from(w.transform(test).data));

    const cases: [unknown, RegExp][] = [
      [{ ...state, method: 'zca' }, /Whiten.loadStateDict: Expected method "pca" \(as constructed\) but the state dict has "zca"/],
      [{ ...state, epsilon: 0.1 }, /Expected epsilon 0.01 \(as constructed\) but the state dict has 0.1/],
      [{ ...state, eigenvalues: [1, 2, 3] }, /Expected eigenvalues in descending order but eigenvalues\[1\] = 2 > eigenvalues\[0\] = 1/],
      [{ ...state, eigenvalues: [3, 2, -1] }, /Expected values >= 0 in eigenvalues but eigenvalues\[2\] is -1/],
      [{ ...state, eigenvectors: [1, 0, 0, 1, 0, 0, 0, 0, 1] }, /Expected orthonormal rows in eigenvectors but row 1 · row 0 = 1/],
      [{ ...state, eigenvectors: state.eigenvectors.slice(3) }, /Expected 9 values for eigenvectors but received 6/],
      [{ ...state, extra: 1 }, /missing keys \[\], unexpected keys \[extra\]/],
    ];
    for (const [bad, message] of cases) {
      expect(() => loaded.loadStateDict(bad as never)).toThrow(message);
      expect(loaded.stateDict()).toEqual(state);
    }
    const singular = new Whiten({ method: 'zca', epsilon: 0 });
    expect(() => singular.loadStateDict({ ...state, method: 'zca', epsilon: 0, eigenvalues: [2, 1, 0] })).toThrow(/the covariance is singular/);
    expect(singular.fitted).toBe(false);
  });

  it('says what is wrong with its options and input', () => {
    expect(new Whiten().method).toBe('zca');
    expect(new Whiten().epsilon).toBe(1e-5);
    expect(() => new Whiten({ method: 'svd' as never })).toThrow('Whiten: Expected "pca" or "zca" for method but received "svd"');
    expect(() => new Whiten({ epsilon: -1 })).toThrow('Whiten: Expected a finite number >= 0 for epsilon but received -1');
    expect(() => new Whiten({ epsilon: NaN })).toThrow('Whiten: Expected a finite number >= 0 for epsilon but received NaN');
    const w = new Whiten();
    expect(() => w.transform(tensor([[1, 2]]))).toThrow('Whiten.transform: not fitted yet');
    expect(() => w.inverseTransform(tensor([[1, 2]]))).toThrow('Whiten.inverseTransform: not fitted yet');
    expect(() => w.fit(tensor([[1, 2]]))).toThrow('Whiten.fit: Expected at least 2 samples and 1 feature but received shape [1, 2]');
    expect(w.matrix).toBeNull();
    w.fit(correlated(10, 3, 9));
    expect(() => w.transform(tensor([[1, 2]]))).toThrow('Whiten.transform: Expected 3 features (as fitted) but received 2 (shape [1, 2])');
    expect(() => w.transform(tensor([[[1, 2, 3]]]))).toThrow('Whiten.transform: Expected a 2-D tensor [samples, features] but received shape [1, 1, 3]');
  });
});

// Initializers: the empirical variance of each matches its formula; orthogonal gives WᵀW = I;
// the same seed gives the same weights; fans follow PyTorch's [out, in] layout.
import { describe, expect, it } from 'vitest';
import { manualSeed, nn, zeros } from '../../lib';

const { init } = nn;

function variance(data: ArrayLike<number>): { mean: number; variance: number } {
  let sum = 0;
  for (let i = 0; i < data.length; i++) sum += data[i]!;
  const mean = sum / data.length;
  let sq = 0;
  for (let i = 0; i < data.length; i++) sq += (data[i]! - mean) ** 2;
  return { mean, variance: sq / data.length };
}

describe('init', () => {
  it('computes PyTorch gains and fans', () => {
    expect(init.calculateGain('relu')).toBeCloseTo(Math.SQRT2, 12);
    expect(init.calculateGain('tanh')).toBeCloseTo(5 / 3, 12);
    expect(init.calculateGain('leakyRelu', 0.2)).toBeCloseTo(Math.sqrt(2 / 1.04), 12);
    expect(init.fans(zeros([64, 32, 3, 3]))).toEqual({ fanIn: 288, fanOut: 576 });
    expect(() => init.fans(zeros([5]))).toThrow(/2 or more dimensions/);
    expect(() => init.calculateGain('swish' as never)).toThrow(/Expected one of/);
  });

  it.each([
    ['xavierUniform', (t: ReturnType<typeof zeros>) => init.xavierUniform(t), 2 / (400 + 600)],
    ['xavierNormal', (t: ReturnType<typeof zeros>) => init.xavierNormal(t), 2 / (400 + 600)],
    ['lecunNormal', (t: ReturnType<typeof zeros>) => init.lecunNormal(t), 1 / 600],
    ['kaimingNormal (ReLU, fan in)', (t: ReturnType<typeof zeros>) => init.kaimingNormal(t), 2 / 600],
    ['kaimingUniform (ReLU, fan out)', (t: ReturnType<typeof zeros>) => init.kaimingUniform(t, { mode: 'fanOut' }), 2 / 400],
    ['kaimingNormal (leaky 0.1)', (t: ReturnType<typeof zeros>) => init.kaimingNormal(t, { nonlinearity: 'leakyRelu', slope: 0.1 }), 2 / 1.01 / 600],
    ['normal(0, 0.01)', (t: ReturnType<typeof zeros>) => init.normal(t, 0, 0.01), 1e-4],
    ['uniform(-1, 1)', (t: ReturnType<typeof zeros>) => init.uniform(t, -1, 1), 1 / 3],
  ])('%s has the variance of its formula', (_, fill, expected) => {
    manualSeed(11);
    const w = fill(zeros([400, 600])); // fanOut 400, fanIn 600: 240 000 draws
    const stats = variance(w.data);
    expect(Math.abs(stats.mean)).toBeLessThan(4 * Math.sqrt(expected / w.size) + 1e-9);
    expect(Math.abs(stats.variance / expected - 1)).toBeLessThan(0.01); // relative s.e. ≈ 0.3%
  });

  it.each([[64, 64], [100, 30], [30, 100]])('orthogonal gives orthonormal rows or columns for %i×%i', (rows, cols) => {
    manualSeed(5);
    const w = init.orthogonal(zeros([rows, cols]), 2);
    const k = Math.min(rows, cols);
    let worst = 0;
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) {
        let dot = 0;
        for (let p = 0; p < Math.max(rows, cols); p++) {
          dot += rows >= cols ? w.data[p * cols + i]! * w.data[p * cols + j]! : w.data[i * cols + p]! * w.data[j * cols + p]!;
        }
        worst = Math.max(worst, Math.abs(dot - (i === j ? 4 : 0))); // gain² on the diagonal
      }
    }
    expect(worst).toBeLessThan(1e-5);
  });

  it('gives the same weights from the same seed', () => {
    manualSeed(3);
    const a = init.kaimingUniform(zeros([8, 8])).data.slice();
    manualSeed(3);
    expect(init.kaimingUniform(zeros([8, 8])).data).toEqual(a);
  });

  it('sets constants', () => {
    expect(Array.from(init.constant(zeros([3]), 0.5).data)).toEqual([0.5, 0.5, 0.5]);
    expect(Array.from(init.zeros(init.constant(zeros([2]), 1)).data)).toEqual([0, 0]);
  });
});

// The notes' activation-statistics tables (SEED-CHECKLIST INIT-2, INIT-4, INIT-6; §20 rows 11, 12,
// 33): a 10-layer, 500-unit network on a 1000×500 N(0, 1) batch, per-layer std of activations.
import { describe, expect, it } from 'vitest';
import { type Tensor, manualSeed, matmul, mul, randn, relu, tanh } from '../../lib';

function std(t: Tensor): number {
  let sum = 0;
  for (let i = 0; i < t.size; i++) sum += t.data[i]!;
  const mean = sum / t.size;
  let sq = 0;
  for (let i = 0; i < t.size; i++) sq += (t.data[i]! - mean) ** 2;
  return Math.sqrt(sq / t.size);
}

function layerStds(scale: number, activation: (t: Tensor) => Tensor, seed: number): number[] {
  manualSeed(seed);
  let h = randn([1000, 500]);
  const stds: number[] = [];
  for (let layer = 0; layer < 10; layer++) {
    const w = mul(randn([500, 500]), scale);
    h = activation(matmul(h, w));
    stds.push(std(h));
  }
  return stds;
}

describe('activation statistics of a 10 × 500 network', () => {
  it('tanh with W = 0.01·randn: the std shrinks by about 0.01·√500 per layer to nothing', () => {
    const stds = layerStds(0.01, tanh, 1);
    const reproduced = [0.2135, 0.04755, 0.0106, 0.002372, 0.000531, 0.0001187, 2.66e-5, 5.94e-6, 1.33e-6, 2.97e-7];
    stds.forEach((s, i) => expect(Math.abs(s - reproduced[i]!) / reproduced[i]!).toBeLessThan(0.03));
    for (let i = 1; i < 10; i++) expect(stds[i]! / stds[i - 1]!).toBeCloseTo(0.01 * Math.sqrt(500), 1);
  });

  it('tanh with W = randn/√fan_in reproduces the notes’ table within 0.01', () => {
    const stds = layerStds(1 / Math.sqrt(500), tanh, 2);
    const table = [0.627953, 0.486051, 0.407723, 0.357108, 0.320917, 0.292116, 0.273387, 0.254935, 0.239266, 0.228008];
    stds.forEach((s, i) => expect(Math.abs(s - table[i]!)).toBeLessThan(0.01));
  });

  it('ReLU keeps its std near 0.83–0.86 under He init and decays under 1/√fan_in', () => {
    const he = layerStds(Math.sqrt(2 / 500), relu, 3);
    // Layer 1 is exactly √(1 − 1/π) ≈ 0.826 in expectation; deeper layers random-walk by a few % each.
    expect(he[0]!).toBeCloseTo(Math.sqrt(1 - 1 / Math.PI), 1);
    for (const s of he) expect(s).toBeGreaterThan(0.7), expect(s).toBeLessThan(1.1);
    const xavier = layerStds(1 / Math.sqrt(500), relu, 4);
    const decay = [0.58, 0.41, 0.3, 0.21, 0.15, 0.11, 0.075, 0.053, 0.038, 0.026];
    xavier.forEach((s, i) => expect(Math.abs(s - decay[i]!) / decay[i]!).toBeLessThan(0.15));
  });

  it('W = randn saturates tanh: std about 0.98, most units of layer 10 beyond ±0.99', () => {
    manualSeed(5);
    let h = randn([1000, 500]);
    for (let layer = 0; layer < 10; layer++) h = tanh(matmul(h, randn([500, 500])));
    expect(std(h)).toBeGreaterThan(0.95);
    let saturated = 0;
    for (let i = 0; i < h.size; i++) if (Math.abs(h.data[i]!) > 0.99) saturated++;
    expect(saturated / h.size).toBeGreaterThan(0.85);
  });
});

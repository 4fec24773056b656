// Layer diagnostics on the notes' deep nets: a 10-layer, 500-unit ReLU network on a 1000×500
// N(0,1) batch keeps its activation std under He initialization and loses it under fan-in-only
// "Xavier"; dead ReLUs and gradients are reported; update ratios measured.
import { describe, expect, it } from 'vitest';
import {
  Tensor, UpdateRatioMonitor, formatLayerStats, layerStats, manualSeed, matmul, nn, randn, relu, sum, tensorStats, zeros,
} from '../../lib';

class Dense extends nn.Module {
  w: nn.Parameter;
  constructor(inputs: number, outputs: number, std: number) {
    super();
    this.w = new nn.Parameter(nn.init.normal(zeros([inputs, outputs]), 0, std));
  }
  forward(x: Tensor): Tensor {
    return matmul(x, this.w);
  }
}

class ReLU extends nn.Module {
  forward(x: Tensor): Tensor {
    return relu(x);
  }
}

function deepReLU(std: number): nn.Sequential {
  const layers: nn.Module[] = [];
  for (let i = 0; i < 10; i++) layers.push(new Dense(500, 500, std), new ReLU());
  return new nn.Sequential(...layers);
}

function reluStds(std: number): number[] {
  manualSeed(1);
  const model = deepReLU(std);
  const x = randn([1000, 500]);
  return layerStats(model, x).filter((r) => r.type === 'ReLU').map((r) => r.activation.std);
}

describe('layer diagnostics', () => {
  // Theory: a ReLU layer with weight variance v·(1/fanIn) scales the second moment by v/2, so He
  // (v = 2) keeps the std (√(1 − 1/π)·… ≈ 0.83 at the first layer) and fan-in-only Xavier (v = 1)
  // divides it by √2 per layer. Random matrices add a drift of a few percent per layer.
  it('He initialization keeps ReLU activations near std 0.83 at every layer', () => {
    const stds = reluStds(Math.sqrt(2 / 500));
    expect(stds[0]).toBeCloseTo(0.826, 1);
    for (const s of stds) {
      expect(s).toBeGreaterThan(0.7);
      expect(s).toBeLessThan(1);
    }
  });

  it('fan-in-only Xavier on ReLU loses a factor √2 per layer (0.58, 0.41, …, about 0.026)', () => {
    const stds = reluStds(Math.sqrt(1 / 500));
    expect(stds[0]).toBeCloseTo(0.584, 1);
    for (let i = 1; i < stds.length; i++) {
      expect(stds[i]! / stds[i - 1]!).toBeGreaterThan(0.62);
      expect(stds[i]! / stds[i - 1]!).toBeLessThan(0.8);
    }
    expect(stds[9]).toBeGreaterThan(0.015);
    expect(stds[9]).toBeLessThan(0.04);
  });

  it('reports dead ReLUs, gradients, and leaves parameter gradients alone', () => {
    manualSeed(2);
    const dense = new Dense(4, 3, 1);
    dense.w.data.set([1, 0, -1, 1, 0, -1, 1, 0, -1, 1, 0, -1]); // column 1 is 0, column 2 negative on positive input
    const model = new nn.Sequential(dense, new ReLU());
    const x = new Tensor(new Float32Array(8).fill(1), [2, 4]);
    dense.w.grad = null;
    const rows = layerStats(model, x, { target: zeros([2, 3]), loss: (out) => sum(out) });
    expect(rows.map((r) => r.name)).toEqual(['0', '1']);
    expect(rows[1]!.dead).toBeCloseTo(2 / 3, 12);
    expect(rows[0]!.dead).toBeNull();
    expect(rows[1]!.gradient!.mean).toBe(1); // ∂Σ/∂output = 1
    expect(rows[0]!.gradient!.histogram.counts.reduce((a, b) => a + b, 0)).toBe(6);
    expect(dense.w.grad).toBeNull();
    expect(formatLayerStats(rows)).toMatch(/^0  mean  0\.000000 std 3\.265986  grad std .*\n1  mean  1\.333333 std 1\.885618  dead 66\.7%, grad std/);
  });

  it('computes mean, std and a histogram that counts everything', () => {
    const s = tensorStats([1, 2, 3, 4], 3);
    expect(s.mean).toBe(2.5);
    expect(s.std).toBeCloseTo(Math.sqrt(1.25), 12);
    expect(s.histogram.edges).toEqual([1, 2, 3, 4]);
    expect(s.histogram.counts).toEqual([1, 1, 2]);
  });

  it('measures update-to-weight ratios during training', () => {
    const monitor = new UpdateRatioMonitor({ every: 1 });
    const dense = new Dense(2, 1, 1);
    dense.w.data.set([3, 4]);
    const trainer = { model: new nn.Sequential(dense) } as never;
    monitor.onBatchBegin(0, 0, trainer);
    dense.w.data.set([3, 4.05]);
    monitor.onBatchEnd({ epoch: 0, batch: 0, size: 1, loss: 0 }, trainer);
    expect(monitor.records[0]!.updates).toEqual([{ name: '0.w', ratio: expect.closeTo(0.01, 6) }]);
  });
});

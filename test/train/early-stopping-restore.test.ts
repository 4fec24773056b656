// EarlyStopping({ restoreBest: true }) puts the whole model back as it was at its best epoch —
// parameters and buffers (BatchNorm's running statistics), float64 values as float64 — through
// the path Trainer.restoreBest takes: the validation loss after the restore is the recorded best,
// exactly, in float32 and in float64.
import { describe, expect, it } from 'vitest';
import { EarlyStopping, Tensor, Trainer, data, manualSeed, nn, optim } from '../../lib';
import type { DType } from '../../lib';

function loaders(dtype: DType) {
  const { x, y } = data.datasets.digits({ scale: true });
  const order = data.shuffledIndices(x.shape[0]!, 4, 0);
  const pick = (from: number, to: number) => {
    const rows = x.gather(order.subarray(from, to));
    const values = dtype === 'float64' ? Float64Array.from(rows.data) : rows.data;
    return new data.TensorDataset(new Tensor(values, rows.shape), y.gather(order.subarray(from, to)));
  };
  return {
    train: new data.DataLoader(pick(0, 300), { batchSize: 30, shuffle: true, seed: 1 }),
    validation: new data.DataLoader(pick(1500, 1700), { batchSize: 50 }),
  };
}

describe.each(['float32', 'float64'] as const)('EarlyStopping restoreBest (%s)', (dtype) => {
  it('restores parameters and BatchNorm statistics: the validation loss is the recorded best, exactly', async () => {
    manualSeed(2);
    const model = new nn.Sequential(
      new nn.Linear(64, 32, { dtype }), new nn.BatchNorm1d(32, { dtype }), new nn.ReLU(), new nn.Linear(32, 10, { dtype }),
    );
    // A minDelta no epoch can beat makes epoch 0 the best and stops after epoch 2: the restore
    // then undoes two epochs of training, BatchNorm's running statistics included.
    const stopping = new EarlyStopping({ monitor: 'valLoss', patience: 2, minDelta: 1e9, restoreBest: true });
    const trainer = new Trainer({ model, loss: (o, t) => nn.functional.crossEntropy(o, t), optimizer: new optim.Adam(model.parameters(), { lr: 1e-2 }), callbacks: [stopping] });
    const { train, validation } = loaders(dtype);
    const result = await trainer.fit(train, { epochs: 10, validation });
    expect(result.stoppedEarly).toMatch(/^early stopping: valLoss has not improved for 2 epochs/);
    expect(result.history).toHaveLength(3);
    expect(stopping.bestEpoch).toBe(0);
    expect(result.history[2]!.valLoss).not.toBe(stopping.best);

    const restored = await trainer.evaluate(validation);
    expect(restored.loss).toBe(stopping.best);
    expect(restored.loss).toBe(result.history[0]!.valLoss);
    const state = model.stateDict();
    expect(state['1.runningMean']!.dtype).toBe(dtype);
    for (const [key, saved] of Object.entries(stopping.bestState!)) {
      expect(saved.dtype, key).toBe(dtype);
      expect(Array.from(state[key]!.data), key).toEqual(Array.from(saved.data));
    }
  });
});

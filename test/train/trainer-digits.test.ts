// Trainer on the shipped digits with a real MLP, Adam and cross-entropy: it learns, and once the
// first epoch has seen every batch shape, training steps allocate no new buffers.
import { describe, expect, it } from 'vitest';
import { Trainer, data, manualSeed, nn, optim } from '../../lib';

describe('Trainer on digits', () => {
  it('reaches 95% validation accuracy and reuses its buffers after the first epoch', async () => {
    manualSeed(0);
    const { x, y } = data.datasets.digits({ scale: true });
    const order = data.shuffledIndices(x.shape[0]!, 1, 0);
    const pick = (from: number, to: number) => new data.TensorDataset(x.gather(order.subarray(from, to)), y.gather(order.subarray(from, to)));
    const train = new data.DataLoader(pick(0, 1400), { batchSize: 50, shuffle: true, seed: 2 });
    const validation = new data.DataLoader(pick(1400, 1797), { batchSize: 100 });
    const model = new nn.Sequential(new nn.Linear(64, 128, { activation: 'relu' }), new nn.Dropout(0.1), new nn.Linear(128, 10));
    const trainer = new Trainer({
      model, loss: (o, t) => nn.functional.crossEntropy(o, t), optimizer: new optim.Adam(model.parameters(), { lr: 3e-3 }), metrics: ['accuracy'],
    });
    await trainer.fit(train, { epochs: 2, validation });
    const afterWarmUp = trainer.bufferStats;
    const { history } = await trainer.fit(train, { epochs: 6, validation });
    expect(history.at(-1)!.val!['accuracy']).toBeGreaterThan(0.95);
    expect(trainer.bufferStats.created).toBe(afterWarmUp.created);
    expect(trainer.bufferStats.reused).toBeGreaterThan(afterWarmUp.reused + 6 * 28 * 10);
  });
});

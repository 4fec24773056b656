// Trainer with a row-sparse parameter (Embedding({ sparse: true }) + SGD): Trainer hands the old
// gradients to its pool each step, which must not lend out the buffer the embedding keeps; the
// run equals the same model with a dense Embedding bit for bit, and allocates nothing new after
// warm-up.
import { describe, expect, it } from 'vitest';
import { Tensor, Trainer, data, manualSeed, nn, optim } from '../../lib';

function build(sparse: boolean) {
  manualSeed(21);
  const model = new nn.Sequential(new nn.Embedding(40, 8, { sparse }), new nn.Linear(8, 4));
  const trainer = new Trainer({
    model, loss: (o, t) => nn.functional.crossEntropy(o, t), optimizer: new optim.SGD(model.parameters(), { lr: 0.2 }),
  });
  return { model, trainer };
}

describe('Trainer with a sparse Embedding', () => {
  it('trains to the same bits as the dense Embedding, and reuses its buffers after warm-up', async () => {
    // Token t's class is t mod 4: learnable from the embedding alone.
    const ids = Float32Array.from({ length: 120 }, (_, i) => (i * 7) % 40);
    const labels = ids.map((t) => t % 4);
    const set = new data.TensorDataset(new Tensor(ids, [120]), new Tensor(labels, [120]));
    const loader = () => new data.DataLoader(set, { batchSize: 20, shuffle: true, seed: 3 });
    const sparse = build(true);
    const dense = build(false);
    await sparse.trainer.fit(loader(), { epochs: 1 });
    await dense.trainer.fit(loader(), { epochs: 1 });
    const afterWarmUp = sparse.trainer.bufferStats;
    const run = await sparse.trainer.fit(loader(), { epochs: 4 });
    await dense.trainer.fit(loader(), { epochs: 4 });
    const [a, b] = [sparse.model.parameters(), dense.model.parameters()];
    a.forEach((p, i) => expect(p.data, `parameter ${i}`).toEqual(b[i]!.data));
    expect(sparse.trainer.bufferStats.created).toBe(afterWarmUp.created);
    expect(run.history.at(-1)!.trainLoss).toBeLessThan(run.history[0]!.trainLoss);
  });
});

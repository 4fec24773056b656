// Trainer end to end on a toy regression: it learns, records history, keeps the best model,
// yields to the event loop, can be cancelled, and its callbacks stop it when they should.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EarlyStopping, ExplosionGuard, MetricsLogger, Progress, Trainer, data, epochLine } from '../../lib';
import { PlainSGD } from '../optim/plain-sgd';
import { Linear3, squaredError, toyData } from './toy';

function setup(lr: number, callbacks = [] as ConstructorParameters<typeof Trainer>[0]['callbacks']) {
  const model = new Linear3();
  const trainer = new Trainer({ model, loss: squaredError, optimizer: new PlainSGD(model.parameters(), lr), callbacks });
  const train = new data.DataLoader(toyData(64, 1), { batchSize: 8, shuffle: true, seed: 3 });
  const validation = new data.DataLoader(toyData(32, 2), { batchSize: 16 });
  return { model, trainer, train, validation };
}

describe('Trainer', () => {
  it('learns the toy weights and records one history entry per epoch', async () => {
    const { model, trainer, train, validation } = setup(0.02);
    const { history, stoppedEarly } = await trainer.fit(train, { epochs: 8, validation });
    expect(stoppedEarly).toBeUndefined();
    expect(history).toHaveLength(8);
    expect(history[7]!.trainLoss).toBeLessThan(history[0]!.trainLoss / 100);
    expect(history[7]!.valLoss).toBeLessThan(1e-3);
    Array.from(model.w.data).forEach((w, i) => expect(w).toBeCloseTo([1, -2, 3][i]!, 2));
    expect(history.map((h) => h.epoch)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(history[0]!.samplesPerSecond).toBeGreaterThan(0);
    expect(trainer.bestEpoch).toBe(7);
    const evaluation = await trainer.evaluate(validation);
    expect(evaluation.loss).toBeCloseTo(history[7]!.valLoss!, 10);
    expect(model.training).toBe(true);
  });

  it('keeps the best epoch and restores it', async () => {
    const { model, trainer, train, validation } = setup(0.02);
    await trainer.fit(train, { epochs: 3, validation });
    const best = Array.from(model.w.data);
    model.w.data.fill(100);
    expect(trainer.restoreBest()).toBe(true);
    expect(Array.from(model.w.data)).toEqual(best);
  });

  it('keeps a timer firing while it trains', async () => {
    const { trainer, train } = setup(0.02);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const started = performance.now();
    await trainer.fit(train, { epochs: 100 });
    const elapsed = performance.now() - started;
    const ticksDuringFit = ticks; // read before anything else can run
    clearInterval(timer);
    // A loop that never yielded would let the 1 ms timer fire at most once, after it ends.
    expect(ticksDuringFit).toBeGreaterThan(Math.min(10, elapsed / 4));
  });

  it('stops when its AbortSignal fires', async () => {
    const { trainer, train } = setup(0.02);
    const controller = new AbortController();
    setTimeout(() => controller.abort('enough'), 5);
    const result = await trainer.fit(train, { epochs: 100_000, signal: controller.signal });
    expect(result.stoppedEarly).toBe('cancelled: enough');
    expect(result.history.length).toBeLessThan(100_000);
  });

  it('leaves an epoch that cancellation cuts short out of the history, unended', async () => {
    const controller = new AbortController();
    const ended: number[] = [];
    const callbacks = [{
      onBatchEnd: (r: { epoch: number; batch: number }) => { if (r.epoch === 1 && r.batch === 2) controller.abort('ctrl-c'); },
      onEpochEnd: (r: { epoch: number }) => { ended.push(r.epoch); },
    }];
    const { trainer, train } = setup(0.02, callbacks);
    const result = await trainer.fit(train, { epochs: 5, signal: controller.signal });
    expect(result.stoppedEarly).toBe('cancelled: ctrl-c');
    expect(result.history.map((h) => h.epoch)).toEqual([0]);
    expect(ended).toEqual([0]);
    expect(result.partialEpoch?.epoch).toBe(1);
    expect(trainer.history).toHaveLength(1); // a resumed run starts again at epoch 1
  });

  it('stops within the first epoch when the loss explodes (lr = 1e6), saying why', async () => {
    const guard = new ExplosionGuard();
    const { trainer, train } = setup(1e6, [guard]);
    const result = await trainer.fit(train, { epochs: 5 });
    expect(result.history.length).toBeLessThanOrEqual(1);
    expect(result.stoppedEarly).toMatch(/^explosion guard: the loss .* (exceeds 3× the first loss|became)/);
    expect(result.stoppedEarly).toMatch(/lower the learning rate/);
  });

  it('stops early when the validation loss stops improving, restoring the best weights', async () => {
    const stopper = new EarlyStopping({ patience: 2, minDelta: 1e9 }); // nothing counts as improvement
    const { model, trainer, train, validation } = setup(0.02, [stopper]);
    let firstEpochWeights: number[] = [];
    trainer.callbacks.push({ onEpochEnd: (r) => { if (r.epoch === 0) firstEpochWeights = Array.from(model.w.data); } });
    const result = await trainer.fit(train, { epochs: 10, validation });
    expect(result.history).toHaveLength(3);
    expect(result.stoppedEarly).toMatch(/early stopping: valLoss has not improved for 2 epochs/);
    expect(Array.from(model.w.data)).toEqual(firstEpochWeights);
  });

  it('logs JSON lines and progress lines', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-train-'));
    const file = path.join(dir, 'runs', 'metrics.jsonl');
    let text = '';
    const stream = { write: (s: string) => (text += s), isTTY: false };
    const { trainer, train, validation } = setup(0.02, [new MetricsLogger(file, { batches: true }), new Progress({ stream })]);
    await trainer.fit(train, { epochs: 2, validation });
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.type === 'batch')).toHaveLength(16);
    expect(lines.filter((l) => l.type === 'epoch').map((l) => l.epoch)).toEqual([0, 1]);
    expect(text.trim().split('\n')).toHaveLength(2);
    expect(text).toMatch(/^Finished epoch 1 \/ 2: cost \d+\.\d{6}, val cost \d+\.\d{6}, lr 2\.0e-2, \d+ samples\/s\n/);
    fs.rmSync(dir, { recursive: true });
  });

  it('formats the notes\' epoch line with accuracies', () => {
    const line = epochLine({ epoch: 2, trainLoss: 0.4123456, train: { accuracy: 0.8812 }, valLoss: 0.5, val: { accuracy: 0.8641 }, lr: 0.001, seconds: 1, samplesPerSecond: 51234.4 }, 10);
    expect(line).toBe('Finished epoch 3 / 10: cost 0.412346, train: 0.881, val 0.864, lr 1.0e-3, 51234 samples/s');
  });

  it('refuses a bad setup', async () => {
    const { trainer, train } = setup(0.1);
    await expect(trainer.fit(train, { epochs: -1 })).rejects.toThrow(/non-negative integer epochs/);
    expect(() => new Trainer({} as never)).toThrow(/Expected a model/);
    const bad = new Trainer({ model: new Linear3(), loss: (o) => o, optimizer: new PlainSGD(new Linear3().parameters()) });
    await expect(bad.fit(train, { epochs: 1 })).rejects.toThrow(/one-element tensor/);
  });
});

// StallGuard, the explosion guard's other half: a loss that barely moves over the first epoch gets
// the advice that the learning rate is too low (fit's result and the train command say it); one
// that falls does not; one that rises short of an explosion gets "may be too high". It never
// stops training and does not judge a resumed run again.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StallGuard, Trainer, data, manualSeed, nn, optim, runTraining } from '../../lib';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tensorgrad-stall-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function digitsRun(lr: number) {
  manualSeed(0);
  const { x, y } = data.datasets.digits({ scale: true });
  const loader = new data.DataLoader(new data.TensorDataset(x.gather(Int32Array.from({ length: 600 }, (_, i) => i)), y.gather(Int32Array.from({ length: 600 }, (_, i) => i))), { batchSize: 30, shuffle: true, seed: 0 });
  const model = new nn.Sequential(new nn.Linear(64, 64), new nn.ReLU(), new nn.Linear(64, 10));
  const guard = new StallGuard();
  const trainer = new Trainer({ model, loss: (o, t) => nn.functional.crossEntropy(o, t), optimizer: new optim.Adam(model.parameters(), { lr }), callbacks: [guard] });
  return { trainer, guard, loader };
}

/** The guard fed one epoch of batch losses by hand. */
function judge(losses: number[], lr = 0.1): string[] {
  const guard = new StallGuard();
  const advice: string[] = [];
  const trainer = { history: [], advise: (a: string) => advice.push(a) } as unknown as Trainer;
  guard.onTrainBegin(trainer);
  losses.forEach((loss, batch) => guard.onBatchEnd({ epoch: 0, batch, size: 10, loss }));
  guard.onEpochEnd({ epoch: 0, trainLoss: 0, train: {}, lr, seconds: 1, samplesPerSecond: 1 }, trainer);
  return advice;
}

describe('StallGuard', () => {
  it('advises a higher learning rate when the loss barely moves over the first epoch, and stops nothing', async () => {
    const { trainer, loader } = digitsRun(1e-7);
    const result = await trainer.fit(loader, { epochs: 2 });
    expect(result.history).toHaveLength(2);
    expect(result.stoppedEarly).toBeUndefined();
    expect(result.advice).toHaveLength(1);
    expect(result.advice![0]).toMatch(/^the training loss barely moved over the first epoch \(2\.\d{4} → 2\.\d{4}, [+-]0\.\d\d%\): the learning rate 1\.0e-7 is probably too low; raise it/);
  });

  it('says nothing when the loss falls, and does not judge a resumed run', async () => {
    const { trainer, loader, guard } = digitsRun(3e-3);
    const result = await trainer.fit(loader, { epochs: 1 });
    expect(result.advice).toBeUndefined();
    expect(guard.advice).toBeUndefined();
    const slow = digitsRun(1e-7);
    slow.trainer.loadStateDict({ history: result.history, bestEpoch: 0, bestValue: 1 });
    expect((await slow.trainer.fit(slow.loader, { epochs: 1 })).advice).toBeUndefined();
  });

  it('compares the first and last tenth of the batch losses, either way', () => {
    const flat = Array.from({ length: 40 }, (_, i) => 2.3 + 0.01 * Math.sin(i)); // noisy, not moving
    expect(judge(flat)[0]).toMatch(/barely moved .* the learning rate 1\.0e-1 is probably too low/);
    expect(judge(Array.from({ length: 40 }, (_, i) => 2.3 - i * 0.02))).toEqual([]);
    expect(judge(Array.from({ length: 40 }, (_, i) => 2.3 + i * 0.01))[0]).toMatch(/^the training loss rose over the first epoch \(2\.\d+ → 2\.\d+, \+\d+\.\d\d%\): the learning rate 1\.0e-1 may be too high/);
    expect(() => new StallGuard({ minChange: 0 })).toThrow(RangeError);
    expect(() => new StallGuard({ epochs: 0 })).toThrow(RangeError);
  });

  it('the train run prints the advice in its log and summary', async () => {
    const out = path.join(root, 'slow');
    const lines: string[] = [];
    const summary = await runTraining({ lr: 1e-8, epochs: 1, model: '32', out }, { out: { write: (t: string) => lines.push(t) } });
    expect(summary.advice?.[0]).toMatch(/barely moved over the first epoch .* the learning rate 1\.0e-8 is probably too low/);
    expect(lines.join('')).toMatch(/\nAdvice: the training loss barely moved/);
    expect(fs.readFileSync(path.join(out, 'train.log'), 'utf8')).toContain('Advice: the training loss barely moved');
    expect(fs.readFileSync(path.join(out, 'report.html'), 'utf8')).toContain('Advice: the training loss barely moved');
  });
});

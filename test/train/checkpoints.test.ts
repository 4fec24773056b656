// Checkpoints: a run stopped and resumed from its checkpoint ends with the same weights, bit for
// bit, as the run that never stopped; old checkpoints are pruned; nothing half-written is left.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Checkpoint, Trainer, data, optim, randn, manualSeed, latestCheckpoint, loadCheckpoint, saveCheckpoint } from '../../lib';
import { PlainSGD } from '../optim/plain-sgd';
import { Linear3, squaredError, toyData } from './toy';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-ckpt-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function run(dir: string) {
  const model = new Linear3();
  const optimizer = new PlainSGD(model.parameters(), 0.02);
  const scheduler = new optim.lrScheduler.StepLR(optimizer, { stepSize: 1, gamma: 0.9 });
  const trainer = new Trainer({
    model, loss: squaredError, optimizer, scheduler,
    callbacks: [new Checkpoint(dir, { every: 1, keepLast: 2, config: { lr: 0.02 } })],
  });
  const loader = new data.DataLoader(toyData(40, 5), { batchSize: 8, shuffle: true, seed: 11 });
  return { model, optimizer, scheduler, trainer, loader };
}

describe('checkpoints', () => {
  it('resume exactly: 2 epochs + resume + 2 epochs = 4 epochs', async () => {
    const straight = run(path.join(root, 'straight'));
    await straight.trainer.fit(straight.loader, { epochs: 4 });
    manualSeed(0);

    const dir = path.join(root, 'resumed');
    const first = run(dir);
    await first.trainer.fit(first.loader, { epochs: 2 });
    randn([100]); // move the generator: the checkpoint must restore it

    const second = run(dir);
    const restored = loadCheckpoint(dir, { model: second.model, optimizer: second.optimizer, scheduler: second.scheduler, trainer: second.trainer });
    expect(restored.step).toBe(2);
    expect(restored.config).toEqual({ lr: 0.02 });
    expect(second.trainer.history).toHaveLength(2);
    expect(second.optimizer.paramGroups[0]!.lr).toBeCloseTo(0.02 * 0.81, 15);
    await second.trainer.fit(second.loader, { epochs: 2 });

    expect(second.model.w.data).toEqual(straight.model.w.data);
    expect(second.trainer.history.map((h) => h.trainLoss)).toEqual(straight.trainer.history.map((h) => h.trainLoss));
    expect(second.optimizer.state.get(second.model.w)!['step']).toBe(straight.optimizer.state.get(straight.model.w)!['step']);
  });

  it('keeps the last N, names them by step, and leaves no temporary directory', async () => {
    const dir = path.join(root, 'pruned');
    const r = run(dir);
    await r.trainer.fit(r.loader, { epochs: 4 });
    expect(fs.readdirSync(dir).sort()).toEqual(['checkpoint-00000003', 'checkpoint-00000004']);
    expect(latestCheckpoint(dir)).toBe(path.join(dir, 'checkpoint-00000004'));
    expect(fs.readdirSync(path.join(dir, 'checkpoint-00000004')).sort()).toEqual(['checkpoint.json', 'model.safetensors', 'optimizer.safetensors', 'trainer.safetensors']);
  });

  it('says what is missing or wrong', () => {
    const model = new Linear3();
    expect(() => loadCheckpoint(path.join(root, 'nothing'), { model })).toThrow(/no checkpoint in/);
    const dir = path.join(root, 'bad', 'checkpoint-00000001');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'checkpoint.json'), JSON.stringify({ format: 'other' }));
    expect(() => loadCheckpoint(dir, { model })).toThrow(/has format "other", expected tensorgrad-checkpoint-1/);
    expect(() => saveCheckpoint(root, { model }, { step: -1 })).toThrow(/non-negative integer step/);
  });
});

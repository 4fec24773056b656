// examples/distributed-mlp.mjs on 2 ranks: rank 0 alone prints, once per epoch, the job's figures
// and saves a model that has learned the digits; docs/distributed.md shows the example's code as
// it is in the file.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { argmax, data, nn } from '../../lib';
import { describeWithPeers } from '../peers';
import { type MpiRun, mpirun } from './mpirun';

const root = path.join(__dirname, '..', '..');
const example = path.join(root, 'examples', 'distributed-mlp.mjs');

describe('docs/distributed.md', () => {
  it('shows the code of examples/distributed-mlp.mjs as it is in the file', () => {
    const code = fs.readFileSync(example, 'utf8');
    const body = code.slice(code.indexOf('import '));
    const page = fs.readFileSync(path.join(root, 'docs', 'distributed.md'), 'utf8');
    const blocks = [...page.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
    expect(blocks).toContain(body);
  });
});

describeWithPeers('mpi', 'examples/distributed-mlp.mjs on 2 ranks', () => {
  let dir = '';
  let run: MpiRun;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tensorgrad-ddp-example-'));
    run = await mpirun(2, example, ['6', path.join(dir, 'model.safetensors')]);
  }, 120_000);
  afterAll(() => {
    if (dir !== '') fs.rmSync(dir, { recursive: true, force: true });
  });

  it('prints one line per epoch from rank 0 alone, the loss falling, and saves the model once', () => {
    expect(run.status, run.stderr).toBe(0);
    const epochs = run.stdout.split('\n').filter((l) => l.startsWith('epoch '));
    expect(epochs.map((l) => l.split(':')[0])).toEqual(['epoch 1', 'epoch 2', 'epoch 3', 'epoch 4', 'epoch 5', 'epoch 6']);
    const losses = epochs.map((l) => Number(/loss ([\d.]+)/.exec(l)![1]));
    expect(losses[5]).toBeLessThan(losses[0]! / 3);
    expect(run.stdout).toMatch(/^2 ranks; saved .*model\.safetensors$/m);
  });

  it('the saved model classifies the digits', () => {
    const model = new nn.Sequential(new nn.Linear(64, 128), new nn.BatchNorm1d(128), new nn.ReLU(), new nn.Linear(128, 10));
    model.loadFrom(path.join(dir, 'model.safetensors'));
    model.eval();
    const { x, y } = data.datasets.digits({ scale: true });
    const predicted = argmax(model.call(x), 1);
    const correct = predicted.filter((p: number, i: number) => p === y.data[i]).length;
    expect(correct / y.shape[0]!).toBeGreaterThan(0.95);
  });
});

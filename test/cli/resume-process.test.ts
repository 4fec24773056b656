// Exact resume across processes: the real command (bin/tensorgrad.js, from dist/) trains 4 epochs
// straight; another run trains 2, exits, and a fresh process resumes it to 4; a third is stopped
// by SIGINT in the middle of an epoch and resumed. Dropout and shuffling are on; the final
// weights, optimizer state and checkpoints must agree bit for bit.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { io, latestCheckpoint } from '../../lib';

const bin = path.join(__dirname, '..', '..', 'bin', 'tensorgrad.js');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tensorgrad-resume-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

// One thread: the run must not depend on how many cores the test machine has.
const small = ['--model', '64-32-10', '--dropout', '0.3', '--batch-size', '32', '--seed', '5', '--threads', '1', '--schedule', 'none'];
// Smaller batches make epochs long enough (about 0.25 s) for a signal to land inside one.
const slow = ['--model', '64-128-128-10', '--dropout', '0.3', '--batch-size', '8', '--seed', '7', '--threads', '1', '--schedule', 'cosine', '--epochs', '4'];

function train(args: string[]): string {
  const run = spawnSync(process.execPath, [bin, 'train', ...args], { encoding: 'utf8' });
  expect(run.status, run.stderr).toBe(0);
  return run.stdout;
}

/** The index of the first element that differs in any tensor of two safetensors files, by name. */
function differences(a: string, b: string): Record<string, number> {
  const x = io.load(a, { dtype: 'keep' }).tensors;
  const y = io.load(b, { dtype: 'keep' }).tensors;
  expect(Object.keys(y)).toEqual(Object.keys(x));
  return Object.fromEntries(Object.keys(x).map((k) => [k, x[k]!.data.findIndex((v, i) => !Object.is(v, y[k]!.data[i]))]));
}

function expectSameWeights(a: string, b: string): void {
  const same = (file: string) => Object.fromEntries(Object.keys(io.load(file).tensors).map((k) => [k, -1]));
  expect(differences(a, b), `first differing element per tensor of ${a} and ${b}`).toEqual(same(a));
}

/** The uninterrupted run of `slow`, trained once for the tests that compare with it. */
let slowStraight: string | undefined;
function straightSlowRun(): string {
  if (!slowStraight) {
    slowStraight = path.join(root, 'slow-straight');
    train([...slow, '--out', slowStraight]);
  }
  return slowStraight;
}

const epochsLogged = (run: string) =>
  fs.readFileSync(path.join(run, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).epoch as number);

describe('tensorgrad train --resume in a fresh process', () => {
  it('2 epochs, exit, --resume --epochs 4 ends bit-identical to 4 epochs straight', () => {
    const straight = path.join(root, 'straight');
    const resumed = path.join(root, 'resumed');
    train([...small, '--epochs', '4', '--out', straight]);
    train([...small, '--epochs', '2', '--out', resumed]);
    expect(latestCheckpoint(path.join(resumed, 'checkpoints'))).toMatch(/checkpoint-00000002$/);
    const stdout = train(['--resume', resumed, '--epochs', '4']);
    expect(stdout).toContain(`Resuming ${resumed} after epoch 2 of 4`);

    expectSameWeights(path.join(straight, 'model.safetensors'), path.join(resumed, 'model.safetensors'));
    expectSameWeights(path.join(straight, 'best.safetensors'), path.join(resumed, 'best.safetensors'));
    for (const file of ['model.safetensors', 'optimizer.safetensors']) {
      expectSameWeights(path.join(straight, 'checkpoints', 'checkpoint-00000004', file), path.join(resumed, 'checkpoints', 'checkpoint-00000004', file));
    }
    const manifest = (run: string) => JSON.parse(fs.readFileSync(path.join(run, 'checkpoints', 'checkpoint-00000004', 'checkpoint.json'), 'utf8'));
    expect(manifest(resumed).rng).toEqual(manifest(straight).rng);
    expect(manifest(resumed).trainer.history.map((h: { trainLoss: number }) => h.trainLoss)).toEqual(manifest(straight).trainer.history.map((h: { trainLoss: number }) => h.trainLoss));
    expect(epochsLogged(resumed)).toEqual([0, 1, 2, 3]);
  });

  it('a run stopped by SIGINT in mid-epoch resumes and finishes bit-identical to one never stopped', async () => {
    const straight = straightSlowRun();
    const stopped = path.join(root, 'slow-stopped');

    // SIGINT as soon as the first epoch is reported: the second epoch is under way.
    const child = spawn(process.execPath, [bin, 'train', ...slow, '--out', stopped], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const status = await new Promise<number | null>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        const before = stdout;
        stdout += chunk.toString();
        if (!before.includes('Finished epoch 1 / 4') && stdout.includes('Finished epoch 1 / 4')) child.kill('SIGINT');
      });
      child.on('close', (code) => resolve(code));
    });
    expect(status, stderr).toBe(130); // 128 + SIGINT, as shells expect
    expect(stdout).toMatch(/Stopped early: cancelled/);
    expect(stdout).not.toContain('Finished epoch 4 / 4');
    // Only whole epochs are checkpointed: the one cut short is repeated on resume.
    const last = latestCheckpoint(path.join(stopped, 'checkpoints'))!;
    const done = Number(/checkpoint-(\d+)$/.exec(last)![1]);
    expect(done).toBeGreaterThanOrEqual(1);
    expect(done).toBeLessThan(4);
    expect(JSON.parse(fs.readFileSync(path.join(last, 'checkpoint.json'), 'utf8')).trainer.history).toHaveLength(done);

    const resumedOut = train(['--resume', stopped]);
    expect(resumedOut).toContain(`Resuming ${stopped} after epoch ${done} of 4`);
    expect(resumedOut).toContain('Finished epoch 4 / 4');
    expectSameWeights(path.join(straight, 'model.safetensors'), path.join(stopped, 'model.safetensors'));
    expectSameWeights(path.join(straight, 'checkpoints', 'checkpoint-00000004', 'optimizer.safetensors'), path.join(stopped, 'checkpoints', 'checkpoint-00000004', 'optimizer.safetensors'));
    expect(epochsLogged(stopped)).toEqual([0, 1, 2, 3]);
  });

  it('a run stopped before its first checkpoint resumes from the start', async () => {
    const straight = straightSlowRun();
    const early = path.join(root, 'slow-early');
    const child = spawn(process.execPath, [bin, 'train', ...slow, '--out', early], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    const status = await new Promise<number | null>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        const before = stdout;
        stdout += chunk.toString();
        if (!before.includes('Training ') && stdout.includes('Training ')) child.kill('SIGINT');
      });
      child.on('close', (code) => resolve(code));
    });
    expect(status).toBe(130);
    expect(latestCheckpoint(path.join(early, 'checkpoints'))).toBeNull();
    expect(train(['--resume', early])).toContain(`Resuming ${early} from the start`);
    expectSameWeights(path.join(straight, 'model.safetensors'), path.join(early, 'model.safetensors'));
    expect(epochsLogged(early)).toEqual([0, 1, 2, 3]);
  });
});

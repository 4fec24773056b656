// Crash safety: a child process writes checkpoints (a real model, Adam and a StepLR schedule) in a
// tight loop and is killed with SIGKILL at seeded random moments, 52 times. After every kill the
// latest checkpoint loads and is whole and consistent: its weights, Adam's step count, the
// schedule's epoch and the stored config all name the same step, and steps never go back. What a
// kill leaves half-written is never listed and is removed by the next save. The child runs
// dist/ (npm test builds it first).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nn, optim, latestCheckpoint, loadCheckpoint, saveCheckpoint } from '../../lib';
import { FuzzRng } from '../io/fuzz-mutator';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-crash-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const dist = path.join(__dirname, '..', '..', 'dist', 'index.js');

/** The child: continues from the latest checkpoint and saves step after step until killed. */
const writer = `
const { latestCheckpoint, loadCheckpoint, saveCheckpoint, nn, optim, tensor, zeros } = require(${JSON.stringify(dist)});
const dir = process.argv[2];
const model = new nn.Sequential(new nn.Linear(8, 16), new nn.ReLU(), new nn.Linear(16, 4));
const optimizer = new optim.Adam(model.parameters(), { lr: 0.01 });
const scheduler = new optim.lrScheduler.StepLR(optimizer, { stepSize: 3, gamma: 0.5 });
let step = 0;
if (latestCheckpoint(dir)) step = loadCheckpoint(dir, { model, optimizer, scheduler }).step;
const x = tensor(Array.from({ length: 16 }, (_, i) => Array.from({ length: 8 }, (_, j) => Math.sin(i + j))));
const y = zeros([16, 4]);
process.stdout.write('started\\n');
for (;;) {
  step++;
  optimizer.zeroGrad();
  nn.functional.mseLoss(model.call(x), y).backward();
  optimizer.step();
  scheduler.step();
  // The weights name their step, so a checkpoint can be checked whole.
  model.parameters().forEach((p, k) => { for (let i = 0; i < p.data.length; i++) p.data[i] = step * 1000 + k * 100 + (i % 100); });
  saveCheckpoint(dir, { model, optimizer, scheduler, config: { step } }, { step, keepLast: 2 });
  process.stdout.write('saved\\n');
}
`;

function fresh() {
  const model = new nn.Sequential(new nn.Linear(8, 16), new nn.ReLU(), new nn.Linear(16, 4));
  const optimizer = new optim.Adam(model.parameters(), { lr: 0.01 });
  const scheduler = new optim.lrScheduler.StepLR(optimizer, { stepSize: 3, gamma: 0.5 });
  return { model, optimizer, scheduler };
}

/**
 * Runs the writer and kills it `delay` ms after it reports `after` ('started', or 'saved': its
 * first save done, so that every other run makes progress however slow the disk is).
 */
function runAndKill(script: string, dir: string, after: 'started' | 'saved', delay: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let armed = false;
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdout.on('data', (c: Buffer) => {
      if (!armed && c.toString().includes(after)) {
        armed = true;
        setTimeout(() => child.kill('SIGKILL'), delay);
      }
    });
    child.on('close', (code, signal) => (signal === 'SIGKILL' ? resolve(stderr) : reject(new Error(`writer exited with ${code}: ${stderr}`))));
  });
}

/**
 * Kills a writer on `dir` `kills` times, checking the latest checkpoint after each kill; returns
 * the last step seen and how many kills left half-done work behind.
 */
async function killLane(script: string, dir: string, seed: number, kills: number): Promise<{ lastStep: number; leftovers: number }> {
  const rng = new FuzzRng(seed);
  let lastStep = 0;
  let leftovers = 0;
  for (let kill = 0; kill < kills; kill++) {
    // A save takes tens of milliseconds (its fsyncs): the kills land across all its phases.
    await runAndKill(script, dir, kill % 2 === 0 ? 'started' : 'saved', rng.int(80));
    const where = `${path.basename(dir)}, kill ${kill}`;
    const latest = latestCheckpoint(dir);
    if (latest === null) {
      expect(lastStep, `${where}: a checkpoint existed before and none is left`).toBe(0);
      continue;
    }
    const parts = fresh();
    const loaded = loadCheckpoint(dir, parts);
    const step = loaded.step;
    expect(step, `${where}: steps never go back`).toBeGreaterThanOrEqual(lastStep);
    expect(loaded.config).toEqual({ step });
    expect(latest).toBe(path.join(dir, `checkpoint-${String(step).padStart(8, '0')}`));
    parts.model.parameters().forEach((p, k) => {
      const wrong = p.data.findIndex((v, i) => v !== step * 1000 + k * 100 + (i % 100));
      expect(wrong, `${where}: parameter ${k} of step ${step}`).toBe(-1);
    });
    for (const p of parts.model.parameters()) expect(parts.optimizer.state.get(p)!['step']).toBe(step);
    expect(parts.scheduler.lastEpoch).toBe(step);
    expect(parts.optimizer.paramGroups[0]!.lr).toBe(0.01 * 0.5 ** Math.floor(step / 3));
    lastStep = step;
    const names = fs.readdirSync(dir);
    if (names.some((n) => n.startsWith('.'))) leftovers++;
    expect(names.filter((n) => n.startsWith('checkpoint-')).length).toBeLessThanOrEqual(3);
  }
  return { lastStep, leftovers };
}

describe('checkpoints under SIGKILL', () => {
  it('52 kills at random moments always leave a whole, consistent latest checkpoint', async () => {
    const script = path.join(root, 'writer.js');
    fs.writeFileSync(script, writer);
    // Two writers on two directories at once: 26 kills each, in half the time.
    const dirs = [path.join(root, 'run-a'), path.join(root, 'run-b')];
    const lanes = await Promise.all(dirs.map((dir, i) => killLane(script, dir, 50 + i, 26)));
    for (const { lastStep, leftovers } of lanes) {
      // The kills landed inside saves (not only between them), and the runs made progress.
      expect(leftovers).toBeGreaterThan(3);
      expect(lastStep).toBeGreaterThanOrEqual(13);
    }

    // The next save removes what the killed writers left; a live writer's work is never touched.
    const dir = dirs[0]!;
    const lastStep = lanes[0]!.lastStep;
    const parts = fresh();
    loadCheckpoint(dir, parts);
    const live = path.join(dir, `.checkpoint-99999999.${process.pid}.tmp`);
    fs.mkdirSync(live);
    const dead = path.join(dir, '.checkpoint-00000001.999999999.tmp'); // no such pid
    fs.mkdirSync(dead, { recursive: true });
    saveCheckpoint(dir, parts, { step: lastStep + 1, keepLast: 2 });
    expect(fs.readdirSync(dir).sort()).toEqual([`.checkpoint-99999999.${process.pid}.tmp`, `checkpoint-${String(lastStep).padStart(8, '0')}`, `checkpoint-${String(lastStep + 1).padStart(8, '0')}`]);
  }, 90_000);

  it('skips a newest checkpoint without its manifest and names what is missing when asked for it', () => {
    const dir = path.join(root, 'partial');
    const parts = fresh();
    saveCheckpoint(dir, parts, { step: 1 });
    fs.mkdirSync(path.join(dir, 'checkpoint-00000002'));
    fs.writeFileSync(path.join(dir, 'checkpoint-00000002', 'model.safetensors'), '');
    expect(latestCheckpoint(dir)).toBe(path.join(dir, 'checkpoint-00000001'));
    expect(loadCheckpoint(dir, fresh()).step).toBe(1);
    expect(() => loadCheckpoint(path.join(dir, 'checkpoint-00000002'), fresh())).toThrow(/no checkpoint in .*checkpoint-00000002 \(expected checkpoint-<step>\/checkpoint.json\)/);
  });
});

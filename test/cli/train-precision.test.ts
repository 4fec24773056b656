// tensorgrad train --precision bf16: saved in the run's config, said in the log, other weights than
// fp32's at the same seed, and kept by --resume (an interrupted bf16 run resumed ends with the
// weights of an uninterrupted one, bit for bit); a bad value names the choices.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { io } from '../../lib';
import { resolveConfig } from '../../lib/cli/config';
import { runEvaluate } from '../../lib/cli/evaluate-command';
import { runLrFind } from '../../lib/cli/lr-find-command';
import { resumeTraining, runTraining } from '../../lib/train/run-training';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tensorgrad-precision-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
const bin = path.join(__dirname, '..', '..', 'bin', 'tensorgrad.js');

function sink() {
  const lines: string[] = [];
  return { out: { write: (t: string) => lines.push(t) }, text: () => lines.join('') };
}

function firstDifference(a: string, b: string): Record<string, number> {
  const x = io.load(path.join(a, 'model.safetensors')).tensors;
  const y = io.load(path.join(b, 'model.safetensors')).tensors;
  return Object.fromEntries(Object.keys(x).map((key) => [key, x[key]!.data.findIndex((v, i) => !Object.is(v, y[key]!.data[i]))]));
}

describe('tensorgrad train --precision', () => {
  it('bf16 is saved in config.json, trains other weights than fp32, and --resume keeps it', async () => {
    const settings = { model: '32', epochs: 3, seed: 4 };
    const straight = path.join(root, 'bf16');
    const s = sink();
    const summary = await runTraining(resolveConfig({}, { ...settings, precision: 'bf16', out: straight }), { out: s.out });
    expect(JSON.parse(fs.readFileSync(path.join(straight, 'config.json'), 'utf8')).config.precision).toBe('bf16');
    expect(s.text()).toContain('bf16 matrix products');

    const fp32 = path.join(root, 'fp32');
    const baseline = await runTraining(resolveConfig({}, { ...settings, out: fp32 }), { out: sink().out });
    // Three epochs of a small model (72% on digits): the same accuracy within a few test images.
    expect(Math.abs(summary.bestTest.metrics['accuracy']! - baseline.bestTest.metrics['accuracy']!)).toBeLessThan(0.02);
    expect(JSON.parse(fs.readFileSync(path.join(fp32, 'config.json'), 'utf8')).config.precision).toBe('fp32');
    expect(Object.values(firstDifference(straight, fp32)).every((i) => i >= 0)).toBe(true);

    // evaluate scores a bf16 run in bf16: the accuracy the run reported for its best weights.
    const scored = await runEvaluate({ model: straight, out: sink().out });
    expect(scored.metrics['accuracy']).toBe(summary.bestTest.metrics['accuracy']);

    const resumed = path.join(root, 'resumed');
    const controller = new AbortController();
    const watcher = { write: (t: string) => { if (t.includes('Finished epoch 2 / 3')) controller.abort(); } };
    await runTraining(resolveConfig({}, { ...settings, precision: 'bf16', out: resumed }), { out: watcher, signal: controller.signal });
    await resumeTraining(resumed, { out: sink().out });
    expect(Object.values(firstDifference(straight, resumed)).every((i) => i === -1)).toBe(true);
  });

  it('lr-find sweeps in the precision it is given', () => {
    const sweep = (precision: 'fp32' | 'bf16') => runLrFind(resolveConfig({}, { model: '32', seed: 2, precision }), { startLr: 1e-5, endLr: 1, steps: 30, out: sink().out }).losses;
    const [fp32, bf16] = [sweep('fp32'), sweep('bf16')];
    expect(bf16.length).toBe(fp32.length);
    expect(bf16.some((v, i) => v !== fp32[i])).toBe(true);
    expect(Math.abs(bf16[0]! - fp32[0]!)).toBeLessThan(0.02 * fp32[0]!);
  });

  it('the command takes --precision bf16 and refuses another value', () => {
    const out = path.join(root, 'bin-run');
    const run = spawnSync(process.execPath, [bin, 'train', '--model', '16', '--epochs', '1', '--precision', 'bf16', '--out', out], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8')).config.precision).toBe('bf16');
    const bad = spawnSync(process.execPath, [bin, 'train', '--precision', 'fp16'], { encoding: 'utf8' });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/option '--precision <p>' argument 'fp16' is invalid. Allowed choices are fp32, bf16/);
    expect(() => resolveConfig({}, { precision: 'fp16' as never })).toThrow('--precision: Expected one of fp32, bf16 but received "fp16"');
  });
});

// The tensorgrad command: a short default job on the shipped digits writes its run directory,
// evaluate scores the saved model the same way, --resume continues, and bad flags say what they
// expected. The bin script runs end to end from dist/.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { io } from '../../lib';
import { resolveConfig } from '../../lib/cli/config';
import { runEvaluate } from '../../lib/cli/evaluate-command';
import { buildModel, parseSizes } from '../../lib/train/model-spec';
import { resumeTraining, runTraining } from '../../lib/train/run-training';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tensorgrad-cli-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function sink() {
  const lines: string[] = [];
  return { out: { write: (t: string) => lines.push(t) }, text: () => lines.join('') };
}

describe('tensorgrad train', () => {
  it('trains the default MLP on digits and writes the run directory', async () => {
    const out = path.join(root, 'short');
    const s = sink();
    const summary = await runTraining(resolveConfig({}, { epochs: 4, out }), { out: s.out });
    expect(summary.sizes).toEqual([64, 512, 256, 10]);
    expect(summary.epochs).toBe(4);
    expect(summary.bestTest.metrics['accuracy']).toBeGreaterThan(0.85);
    for (const file of ['config.json', 'metrics.jsonl', 'layers.jsonl', 'train.log', 'model.safetensors', 'best.safetensors', 'summary.json', 'report.html']) {
      expect(fs.existsSync(path.join(out, file)), file).toBe(true);
    }
    const config = JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8'));
    expect(config.config).toMatchObject({ data: 'digits', optimizer: 'adam', epochs: 4, batchSize: 32 });
    expect(config.data).toEqual({ name: 'digits', train: 1258, validation: 180, test: 359 });
    const epochs = fs.readFileSync(path.join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(epochs.map((e) => e.epoch)).toEqual([0, 1, 2, 3]);
    expect(epochs[3].trainLoss).toBeLessThan(epochs[0].trainLoss);
    expect(s.text()).toMatch(/Finished epoch 4 \/ 4: cost [\d.]+, train: [\d.]+, val [\d.]+/);
    expect(fs.readFileSync(path.join(out, 'train.log'), 'utf8')).toContain('Test accuracy');
    const report = fs.readFileSync(path.join(out, 'report.html'), 'utf8');
    expect(report).toContain('64-512-256-10 on digits');
    expect(report).toMatch(/<svg[^>]*aria-label="Loss">[\s\S]*?<polyline/);
    const layers = fs.readFileSync(path.join(out, 'layers.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(layers).toHaveLength(4);
    expect(layers[0].layers.map((l: { type: string }) => l.type)).toEqual(['Linear+relu', 'Dropout', 'Linear+relu', 'Dropout', 'Linear']);
    expect(layers[0].layers[0].dead).toBeGreaterThanOrEqual(0);

    const e = sink();
    const scored = await runEvaluate({ model: out, out: e.out });
    expect(scored.samples).toBe(359);
    expect(scored.metrics['accuracy']).toBeCloseTo(summary.bestTest.metrics['accuracy']!, 10);
    expect(e.text()).toMatch(/best.safetensors on digits test \(359 samples\): loss [\d.]+, accuracy [\d.]+%/);
  });

  it('resumes a run from its checkpoint to the same weights as an uninterrupted run', async () => {
    const straight = path.join(root, 'straight');
    await runTraining(resolveConfig({}, { epochs: 3, out: straight, seed: 3 }), { out: sink().out });
    // The same run interrupted after its second epoch (as Ctrl-C would), then resumed.
    const resumed = path.join(root, 'resumed');
    const controller = new AbortController();
    const watcher = { write: (t: string) => { if (t.includes('Finished epoch 2 / 3')) controller.abort(); } };
    const interrupted = await runTraining(resolveConfig({}, { epochs: 3, out: resumed, seed: 3 }), { out: watcher, signal: controller.signal });
    expect(interrupted.epochs).toBe(2);
    const s = sink();
    await resumeTraining(resumed, { out: s.out });
    expect(s.text()).toContain(`Resuming ${resumed} after epoch 2 of 3`);
    const a = io.load(path.join(straight, 'model.safetensors')).tensors;
    const b = io.load(path.join(resumed, 'model.safetensors')).tensors;
    expect(Object.keys(b)).toEqual(Object.keys(a));
    for (const key of Object.keys(a)) {
      const differing = a[key]!.data.findIndex((v, i) => !Object.is(v, b[key]!.data[i]));
      expect(differing, `first differing element of ${key}`).toBe(-1);
    }
    const lines = fs.readFileSync(path.join(resumed, 'metrics.jsonl'), 'utf8').trim().split('\n');
    expect(lines.map((l) => JSON.parse(l).epoch)).toEqual([0, 1, 2]);
  });

  it('refuses bad settings, naming the flag and what it expects', () => {
    expect(() => resolveConfig({}, { lr: -1 })).toThrow('--lr: Expected a positive learning rate but received -1');
    expect(() => resolveConfig({}, { optimizer: 'adamm' as never })).toThrow(/--optimizer: Expected one of sgd, momentum/);
    expect(() => resolveConfig({ batchSize: 0 }, {})).toThrow('--batchSize: Expected an integer >= 1 but received 0');
    expect(() => resolveConfig({ colour: 'red' } as never, {})).toThrow(/unknown setting "colour"/);
    expect(() => parseSizes('64-x-10', 64, 10)).toThrow(/"64-x-10" has "x"/);
    expect(() => parseSizes('64-32-9', 64, 10)).toThrow(/must start with the data's 64 inputs and end with its 10 classes/);
    expect(parseSizes('', 64, 10)).toEqual([64, 10]);
    expect(buildModel({ sizes: [4, 3, 2], activation: 'tanh', batchNorm: true, dropout: 0.1 }).length).toBe(5);
  });

  it('the bin script prints help and fails cleanly on a bad flag', () => {
    const bin = path.join(__dirname, '..', '..', 'bin', 'tensorgrad.js');
    expect(execFileSync(process.execPath, [bin, 'train', '--help'], { encoding: 'utf8' })).toMatch(/--model <sizes>[\s\S]*--optimizer <name>/);
    const bad = spawnSync(process.execPath, [bin, 'train', '--lr', 'fast'], { encoding: 'utf8' });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/option '--lr <rate>' argument 'fast' is invalid. Expected a number but received "fast"/);
    const run = spawnSync(process.execPath, [bin, 'train', '--epochs', '1', '--out', path.join(root, 'bin-run')], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/Test accuracy [\d.]+%/);
  });
});

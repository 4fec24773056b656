// `tensorgrad train --tensorboard [dir]`: event files in <run>/tensorboard or the given directory,
// their scalars equal to metrics.jsonl; --resume may turn logging on, and a resumed run continues
// at its global step behind a restart marker; bad values say what they expect. (TensorBoard's own
// reader reads the same files in test/interop/tensorboard-reader.test.ts.)
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tensorboard as tb } from '../../lib';
import { resolveConfig } from '../../lib/cli/config';
import { resumeTraining, runTraining } from '../../lib/train/run-training';

const bin = path.join(__dirname, '..', '..', 'bin', 'tensorgrad.js');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tensorgrad-cli-tb-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
const quiet = { out: { write: () => true } };
const small = { model: '16', threads: 1, batchSize: 64 } as const;

function read(dir: string): { file: string; events: tb.Event[] }[] {
  return fs.readdirSync(dir).filter((f) => f.startsWith('events.out.tfevents.')).sort().map((f) => ({ file: f, events: tb.readEventFile(path.join(dir, f)).events }));
}

function scalars(events: tb.Event[], tag: string): [number, number][] {
  return events.flatMap((e) => (e.summary?.value ?? []).filter((v) => v.tag === tag).map((v) => [e.step ?? 0, v.simple_value!] as [number, number]));
}

const metrics = (run: string) => fs.readFileSync(path.join(run, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { epoch: number; trainLoss: number });

describe('tensorgrad train --tensorboard', () => {
  it('is off by default; on, it writes <run>/tensorboard and a resumed run continues the same steps', async () => {
    const off = path.join(root, 'off');
    await runTraining(resolveConfig({}, { ...small, epochs: 1, out: off }), quiet);
    expect(fs.existsSync(path.join(off, 'tensorboard'))).toBe(false);

    const run = path.join(root, 'on');
    await runTraining(resolveConfig({}, { ...small, epochs: 2, out: run, tensorboard: true }), quiet);
    const perEpoch = Math.ceil(1258 / 64);
    const [first] = read(path.join(run, 'tensorboard'));
    expect(first!.file).toMatch(new RegExp(`^events\\.out\\.tfevents\\.\\d{10}\\.${os.hostname()}$`));
    expect(scalars(first!.events, 'epoch/train_loss')).toEqual(metrics(run).map((m) => [perEpoch * (m.epoch + 1), Math.fround(m.trainLoss)]));
    expect(scalars(first!.events, 'batch/loss').map(([s]) => s)).toEqual(Array.from({ length: 2 * perEpoch }, (_, i) => i + 1));

    // Two more epochs from the checkpoint: a second file, from the step after epoch 2.
    await resumeTraining(run, { epochs: 4, ...quiet });
    const files = read(path.join(run, 'tensorboard'));
    expect(files).toHaveLength(2);
    const second = files[1]!.events;
    expect(second.find((e) => e.session_log)).toMatchObject({ step: 2 * perEpoch, session_log: { status: tb.SessionStatus.START } });
    expect(scalars(second, 'batch/loss')[0]![0]).toBe(2 * perEpoch + 1);
    expect(scalars(second, 'epoch/train_loss')).toEqual(metrics(run).slice(2).map((m) => [perEpoch * (m.epoch + 1), Math.fround(m.trainLoss)]));
  });

  it('the bin script takes a directory; --resume may turn it on; a run directory from before resumes', () => {
    const run = path.join(root, 'bin');
    const logs = path.join(root, 'logs-elsewhere');
    const train = (args: string[]) => spawnSync(process.execPath, [bin, 'train', ...args], { encoding: 'utf8' });
    let result = train(['--model', '16', '--epochs', '1', '--threads', '1', '--out', run]);
    expect(result.status, result.stderr).toBe(0);
    // A run directory written before the setting existed: its config has no tensorboard key.
    const configFile = path.join(run, 'config.json');
    const saved = JSON.parse(fs.readFileSync(configFile, 'utf8'));
    delete saved.config.tensorboard;
    fs.writeFileSync(configFile, JSON.stringify(saved));
    result = train(['--resume', run, '--epochs', '2', '--tensorboard', logs]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain(`TensorBoard logs: ${logs} (view with: tensorboard --logdir ${logs})`);
    const [only] = read(logs);
    expect(scalars(only!.events, 'epoch/completed').map(([, v]) => v)).toEqual([2]);

    result = train(['--resume', run, '--epochs', '3', '--lr', '0.1']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('only --epochs and --tensorboard may be given with it (received --lr)');
    result = train(['--epochs', '1', '--tensorboard', '', '--out', path.join(root, 'bad')]);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe('tensorgrad: --tensorboard: Expected true, false or a log directory but received ""\n');
    const help = spawnSync(process.execPath, [bin, 'train', '--help'], { encoding: 'utf8' });
    expect(help.stdout).toMatch(/--tensorboard \[dir\]\s+write TensorBoard event files/);
  });

  it('a config file may ask for it; anything but a boolean or a directory is refused', () => {
    expect(resolveConfig({ tensorboard: 'tb' }, {}).tensorboard).toBe('tb');
    expect(resolveConfig({}, {}).tensorboard).toBe(false);
    expect(() => resolveConfig({ tensorboard: 3 as unknown as string }, {})).toThrow(new RangeError('--tensorboard: Expected true, false or a log directory but received 3'));
  });
});

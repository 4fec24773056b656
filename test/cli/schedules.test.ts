// `tensorgrad train --schedule …`: every schedule of lib/optim, run by the bin script on the
// shipped digits; the learning rate of each epoch, read back from the run's metrics.jsonl,
// equals the schedule worked out by hand. A config file gives the same run as the flags, and bad
// settings stop the command with an error naming the flag and what it expected.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { io } from '../../lib';
import { resumeTraining, runTraining } from '../../lib/train/run-training';

const bin = path.join(__dirname, '..', '..', 'bin', 'tensorgrad.js');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tensorgrad-schedules-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const BASE = 0.01;
const EPOCHS = 6;
// A small, quick model: what is checked is the rate each epoch ran at.
const SHORT = ['--model', '16', '--batch-size', '256', '--lr', String(BASE), '--epochs', String(EPOCHS), '--seed', '1', '--threads', '1'];

function tensorgrad(args: string[]) {
  return spawnSync(process.execPath, [bin, 'train', ...args], { encoding: 'utf8' });
}

interface Epoch { epoch: number; lr: number; valLoss: number }

let runs = 0;
/** Trains with the flags and returns its run directory and the epochs of its metrics.jsonl. */
function train(args: string[]): { dir: string; epochs: Epoch[] } {
  const dir = path.join(root, `run-${runs++}`);
  const run = tensorgrad([...SHORT, ...args, '--out', dir]);
  expect(run.status, run.stderr).toBe(0);
  const epochs = fs.readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Epoch);
  expect(epochs.map((e) => e.epoch)).toEqual([0, 1, 2, 3, 4, 5]);
  return { dir, epochs };
}

function expectRates(epochs: Epoch[], expected: number[]): void {
  expect(epochs).toHaveLength(expected.length);
  epochs.forEach((e, i) => expect(e.lr, `epoch ${i}`).toBeCloseTo(expected[i]!, 15));
}

describe('tensorgrad train --schedule: the rate of each epoch', () => {
  it('none keeps --lr', () => {
    expectRates(train(['--schedule', 'none']).epochs, [0.01, 0.01, 0.01, 0.01, 0.01, 0.01]);
  });

  it('cosine anneals to --eta-min over the run', () => {
    // 1e-3 + (0.01 − 1e-3)·(1 + cos(π·e/6))/2
    const cos = [1, Math.sqrt(3) / 2, 0.5, 0, -0.5, -Math.sqrt(3) / 2];
    expectRates(train(['--schedule', 'cosine', '--eta-min', '1e-3']).epochs, cos.map((c) => 1e-3 + 0.009 * (1 + c) / 2));
  });

  it('step multiplies by --gamma at --milestones, every --step-size epochs, or at half and three quarters of the run', () => {
    expectRates(train(['--schedule', 'step', '--milestones', '2,4', '--gamma', '0.5']).epochs, [0.01, 0.01, 0.005, 0.005, 0.0025, 0.0025]);
    expectRates(train(['--schedule', 'step', '--step-size', '4', '--gamma', '0.2']).epochs, [0.01, 0.01, 0.01, 0.01, 0.002, 0.002]);
    // Six epochs: milestones 3 and round(4.5) = 5, factor 0.1.
    expectRates(train(['--schedule', 'step']).epochs, [0.01, 0.01, 0.01, 0.001, 0.001, 0.0001]);
  });

  it('exponential multiplies by --gamma every epoch', () => {
    expectRates(train(['--schedule', 'exponential', '--gamma', '0.8']).epochs, [0.01, 0.008, 0.0064, 0.00512, 0.004096, 0.0032768]);
  });

  it('inverse-time divides by 1 + --decay-rate · epoch', () => {
    expectRates(train(['--schedule', 'inverse-time', '--decay-rate', '0.5']).epochs, [0.01, 0.01 / 1.5, 0.005, 0.01 / 2.5, 0.01 / 3, 0.01 / 3.5]);
  });

  it('warmup rises linearly from --warmup-start-factor · lr over --warmup-epochs, then stays', () => {
    expectRates(train(['--schedule', 'warmup', '--warmup-epochs', '3', '--warmup-start-factor', '0.25']).epochs, [0.0025, 0.005, 0.0075, 0.01, 0.01, 0.01]);
  });

  it('a warm-up before another schedule, which counts its epochs from the warm-up\'s end', () => {
    // Two epochs from 0.1·lr (the default start), then a cosine over the four left: (1 + cos(π·k/4))/2.
    const after = [1, (1 + Math.SQRT1_2) / 2, 0.5, (1 - Math.SQRT1_2) / 2];
    expectRates(train(['--schedule', 'cosine', '--warmup-epochs', '2']).epochs, [0.001, 0.0055, ...after.map((f) => 0.01 * f)]);
    expectRates(train(['--schedule', 'exponential', '--gamma', '0.5', '--warmup-epochs', '1', '--warmup-start-factor', '0.5']).epochs, [0.005, 0.01, 0.005, 0.0025, 0.00125, 0.000625]);
  });

  it('plateau multiplies by --plateau-factor when the validation loss stops improving, after --plateau-cooldown, down to --min-lr', () => {
    // A threshold of 90% means no epoch after the first counts as an improvement, so with
    // patience 0 each epoch after a cooldown epoch reduces the rate: 0.01 after epoch 0 (an
    // improvement on Infinity), ×0.5 after epoch 1, kept after epoch 2 (cooldown), ×0.5 after
    // epoch 3 but no lower than 0.003, kept after epoch 4.
    const { epochs } = train(['--schedule', 'plateau', '--plateau-factor', '0.5', '--plateau-patience', '0', '--plateau-threshold', '0.9', '--plateau-cooldown', '1', '--min-lr', '0.003']);
    const best = Math.min(...epochs.map((e) => e.valLoss));
    expect(best, 'no epoch improved by 90%').toBeGreaterThan(0.1 * epochs[0]!.valLoss);
    expectRates(epochs, [0.01, 0.01, 0.005, 0.005, 0.003, 0.003]);
  });

  it('plateau with the default threshold follows the recorded validation losses', () => {
    // torch's rule by hand: an epoch improves when its loss is below best·(1 − 1e-4); after
    // more than `patience` (here 0) epochs that do not, the rate is multiplied by 0.1. SGD at
    // lr 4 overshoots, so the validation loss rises within the six epochs.
    const { epochs } = train(['--schedule', 'plateau', '--plateau-patience', '0', '--lr', '4', '--optimizer', 'sgd']);
    const expected: number[] = [];
    let lr = 4;
    let best = Infinity;
    let bad = 0;
    for (const e of epochs) {
      expected.push(lr);
      if (e.valLoss < best * (1 - 1e-4)) [best, bad] = [e.valLoss, 0];
      else bad++;
      if (bad > 0) [lr, bad] = [lr * 0.1, 0];
    }
    expect(expected.at(-1), 'the run saw a plateau').toBeLessThan(4);
    expectRates(epochs, expected);
  });
});

describe('tensorgrad train: the schedule from --config', () => {
  it('a config file gives the run its flags give, bit for bit, and flags override it', () => {
    const flags = train(['--schedule', 'step', '--milestones', '2,4', '--gamma', '0.5', '--warmup-epochs', '1']);
    const file = path.join(root, 'step.json');
    fs.writeFileSync(file, JSON.stringify({ schedule: 'step', milestones: [2, 4], gamma: 0.5, warmupEpochs: 1 }));
    const configured = train(['--config', file]);
    expect(configured.epochs.map((e) => e.lr)).toEqual(flags.epochs.map((e) => e.lr));
    expectRates(configured.epochs, [0.001, 0.01, 0.01, 0.005, 0.005, 0.0025]);
    const settings = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')).config;
    const { out: _a, ...a } = settings(flags.dir);
    const { out: _b, ...b } = settings(configured.dir);
    expect(b).toEqual(a);
    expect(a).toMatchObject({ schedule: 'step', milestones: [2, 4], gamma: 0.5, warmupEpochs: 1 });
    // The same weights (the files differ in the run directory their metadata names).
    const weights = (dir: string) => io.load(path.join(dir, 'model.safetensors')).tensors;
    const [w1, w2] = [weights(flags.dir), weights(configured.dir)];
    expect(Object.keys(w2)).toEqual(Object.keys(w1));
    for (const key of Object.keys(w1)) expect(Buffer.from(w2[key]!.data.buffer).equals(Buffer.from(w1[key]!.data.buffer)), key).toBe(true);

    const overridden = train(['--config', file, '--gamma', '0.2', '--milestones', '3']);
    expectRates(overridden.epochs, [0.001, 0.01, 0.01, 0.01, 0.002, 0.002]);
  });

  it('every schedule setting is a config key', () => {
    const file = path.join(root, 'plateau.json');
    fs.writeFileSync(file, JSON.stringify({ schedule: 'plateau', plateauFactor: 0.5, plateauPatience: 0, plateauThreshold: 0.9, plateauCooldown: 1, minLr: 0.003 }));
    expectRates(train(['--config', file]).epochs, [0.01, 0.01, 0.005, 0.005, 0.003, 0.003]);
  });
});

describe('tensorgrad train --resume: the schedule carries on', () => {
  it.each([
    ['plateau', { schedule: 'plateau', plateauFactor: 0.5, plateauPatience: 0, plateauThreshold: 0.9, plateauCooldown: 1 }],
    ['a warm-up before inverse-time', { schedule: 'inverse-time', decayRate: 0.5, warmupEpochs: 2 }],
  ] as const)('%s: an interrupted and resumed run has the rates and weights of one straight run', async (_what, settings) => {
    const config = { model: '16', batchSize: 256, lr: BASE, epochs: EPOCHS, seed: 1, threads: 1, ...settings };
    const quiet = { write: () => true };
    const straight = path.join(root, `straight-${runs++}`);
    await runTraining({ ...config, out: straight }, { out: quiet });
    const resumed = path.join(root, `resumed-${runs++}`);
    const controller = new AbortController();
    const watcher = { write: (t: string) => { if (t.includes('Finished epoch 3 / 6')) controller.abort(); return true; } };
    expect((await runTraining({ ...config, out: resumed }, { out: watcher, signal: controller.signal })).epochs).toBe(3);
    await resumeTraining(resumed, { out: quiet });
    const rates = (dir: string) => fs.readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).lr as number);
    expect(rates(resumed)).toEqual(rates(straight));
    const [a, b] = [io.load(path.join(straight, 'model.safetensors')).tensors, io.load(path.join(resumed, 'model.safetensors')).tensors];
    for (const key of Object.keys(a)) expect(Buffer.from(b[key]!.data.buffer).equals(Buffer.from(a[key]!.data.buffer)), key).toBe(true);
  });
});

describe('tensorgrad train: bad schedule settings', () => {
  const refused: [string, string[], string | RegExp][] = [
    ['an unknown schedule', ['--schedule', 'linear'], /argument 'linear' is invalid. Allowed choices are none, cosine, step, exponential, inverse-time, warmup, plateau/],
    ['exponential without its factor', ['--schedule', 'exponential'], '--schedule exponential: needs --gamma (gamma), the factor per epoch'],
    ['inverse-time without its rate', ['--schedule', 'inverse-time'], '--schedule inverse-time: needs --decay-rate (decayRate)'],
    ['warmup without its epochs', ['--schedule', 'warmup'], '--schedule warmup: needs --warmup-epochs (warmupEpochs)'],
    ['a factor that is not a number', ['--schedule', 'exponential', '--gamma', 'half'], `option '--gamma <factor>' argument 'half' is invalid. Expected a number but received "half"`],
    ['a zero factor', ['--schedule', 'exponential', '--gamma', '0'], '--gamma (gamma): Expected a positive number but received 0'],
    ['a negative decay', ['--schedule', 'inverse-time', '--decay-rate', '-1'], '--decay-rate (decayRate): Expected a positive number but received -1'],
    ['a milestone that is not a whole epoch', ['--schedule', 'step', '--milestones', '2,x'], `argument '2,x' is invalid. Expected whole epochs separated by commas, such as 30,45, but received "2,x"`],
    ['decreasing milestones', ['--schedule', 'step', '--milestones', '4,2'], '--milestones (milestones): Expected increasing whole epochs >= 1 (30,45 as a flag, [30, 45] in a config file) but received [4,2]'],
    ['a milestone past the run', ['--schedule', 'step', '--milestones', '2,6'], '--milestones (milestones): 6 is never reached: the schedule runs 6 epochs'],
    ['both milestones and a step size', ['--schedule', 'step', '--milestones', '2', '--step-size', '2'], '--milestones and --step-size: give one of them, not both'],
    ['a step size of 0', ['--schedule', 'step', '--step-size', '0'], '--step-size (stepSize): Expected an integer >= 1 but received 0'],
    ['a setting of another schedule', ['--schedule', 'cosine', '--decay-rate', '0.1'], '--decay-rate (decayRate): applies to --schedule inverse-time, not cosine'],
    ['a warm-up before plateau', ['--schedule', 'plateau', '--warmup-epochs', '2'], /--warmup-epochs \(warmupEpochs\): applies to --schedule none or cosine or step or exponential or inverse-time or warmup, not plateau/],
    ['a warm-up as long as the run', ['--schedule', 'warmup', '--warmup-epochs', '6'], '--warmup-epochs (warmupEpochs): Expected fewer than the 6 epochs of the run but received 6'],
    ['a warm-up start above 1', ['--schedule', 'warmup', '--warmup-epochs', '2', '--warmup-start-factor', '1.5'], '--warmup-start-factor (warmupStartFactor): Expected a number in (0, 1] but received 1.5'],
    ['a start factor without a warm-up', ['--schedule', 'cosine', '--warmup-start-factor', '0.5'], '--warmup-start-factor (warmupStartFactor): needs --warmup-epochs above 0'],
    ['a plateau factor of 1', ['--schedule', 'plateau', '--plateau-factor', '1'], '--plateau-factor (plateauFactor): Expected a number in (0, 1) but received 1'],
    ['a fractional patience', ['--schedule', 'plateau', '--plateau-patience', '1.5'], `option '--plateau-patience <n>' argument '1.5' is invalid. Expected an integer but received "1.5"`],
    ['a negative minimum rate', ['--schedule', 'plateau', '--min-lr', '-0.1'], '--min-lr (minLr): Expected a number >= 0 but received -0.1'],
  ];
  it.each(refused)('refuses %s', (_what, args, message) => {
    const run = tensorgrad([...SHORT, ...args, '--out', path.join(root, 'refused')]);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(message); // a string: a substring
    expect(fs.existsSync(path.join(root, 'refused')), 'no run directory').toBe(false);
  });

  it('refuses bad values in a config file the same way, showing strings as strings', () => {
    const cases: [object, string][] = [
      [{ schedule: 'exponential', gamma: '0.5' }, '--gamma (gamma): Expected a positive number but received "0.5"'],
      [{ schedule: 'step', milestones: '2,4' }, '--milestones (milestones): Expected increasing whole epochs >= 1 (30,45 as a flag, [30, 45] in a config file) but received "2,4"'],
      [{ schedule: 'step', milestones: [2.5] }, 'received [2.5]'],
      [{ schedule: 'plateau', plateauCooldown: -1 }, '--plateau-cooldown (plateauCooldown): Expected an integer >= 0 but received -1'],
      [{ schedule: 'cosine', warmupEpochs: 2, decay: 0.1 }, 'config: unknown setting "decay"'],
    ];
    for (const [settings, message] of cases) {
      const file = path.join(root, 'bad.json');
      fs.writeFileSync(file, JSON.stringify(settings));
      const run = tensorgrad([...SHORT, '--config', file, '--out', path.join(root, 'refused')]);
      expect(run.status, JSON.stringify(settings)).not.toBe(0);
      expect(run.stderr).toContain(message);
    }
  });

  it('--help lists every schedule and its settings', () => {
    const help = spawnSync(process.execPath, [bin, 'train', '--help'], { encoding: 'utf8' }).stdout.replace(/\s+/g, ' ');
    for (const name of ['none', 'cosine', 'step', 'exponential', 'inverse-time', 'warmup', 'plateau']) expect(help).toContain(`${name}: `);
    for (const flag of ['--gamma <factor>', '--milestones <epochs>', '--step-size <n>', '--eta-min <lr>', '--decay-rate <k>', '--warmup-epochs <n>', '--warmup-start-factor <f>',
      '--plateau-factor <f>', '--plateau-patience <n>', '--plateau-threshold <t>', '--plateau-cooldown <n>', '--min-lr <lr>']) {
      expect(help).toContain(flag);
    }
  });
});

// TensorBoardLogger read back with readEventFile: every batch's loss, learning rate and running
// accuracy, every epoch's record, histograms of weights, gradients, activations and activation
// gradients equal to what the run held at those steps, the config as text, restart markers for a
// resumed run, non-finite values counted instead of crashing the run, and a run that trains
// bit for bit as one without the logger.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TensorBoardLogger, Trainer, configMarkdown, data, nn, optim, tensorboard as tb } from '../../lib';
import { classifierData, loggedRun, makeClassifier } from '../interop/tensorboard-run';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tensorgrad-tblogger-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

type Event = tb.Event;
const eventFiles = (dir: string) => fs.readdirSync(dir).filter((f) => f.startsWith('events.out.tfevents.')).sort().map((f) => path.join(dir, f));

/** tag → [step, value] of every scalar, and tag → [step, histogram]. */
function index(events: Event[]) {
  const scalars = new Map<string, [number, number][]>();
  const histograms = new Map<string, [number, tb.HistogramProto][]>();
  const texts = new Map<string, [number, string][]>();
  for (const e of events) {
    for (const v of e.summary?.value ?? []) {
      const step = e.step ?? 0;
      if (v.simple_value !== undefined) scalars.set(v.tag, [...(scalars.get(v.tag) ?? []), [step, v.simple_value]]);
      if (v.histo) histograms.set(v.tag, [...(histograms.get(v.tag) ?? []), [step, v.histo]]);
      if (v.tensor) texts.set(v.tag, [...(texts.get(v.tag) ?? []), [step, new TextDecoder().decode(v.tensor.string_val![0])]]);
    }
  }
  return { scalars, histograms, texts };
}

describe('TensorBoardLogger', () => {
  it('logs every batch, every epoch, histograms every N epochs and the config, as the run had them', async () => {
    const dir = path.join(root, 'run');
    const config = { model: '6-16-3', optimizer: { name: 'sgd', lr: 0.2 } };
    const run = await loggedRun(dir, 4, { histograms: 2, config });
    const [file] = eventFiles(dir);
    const { events, truncatedAt } = tb.readEventFile(file!);
    expect(truncatedAt).toBeUndefined();
    expect(events[0]!.file_version).toBe('brain.Event:2');
    expect(events[1]).toMatchObject({ session_log: { status: tb.SessionStatus.START } });
    expect(events[1]!.step ?? 0).toBe(0);
    const { scalars, histograms, texts } = index(events);
    expect(texts.get('config')).toEqual([[0, configMarkdown(config)]]);

    // Per batch, at the global step (batches trained): 4 epochs of 4 batches.
    expect(run.batches).toHaveLength(16);
    const steps = run.batches.map((_, i) => i + 1);
    expect(scalars.get('batch/loss')).toEqual(run.batches.map((b, i) => [steps[i], Math.fround(b.loss)]));
    expect(scalars.get('batch/lr')).toEqual(run.batchLr.map((lr, i) => [steps[i], Math.fround(lr)]));
    expect(scalars.get('batch/accuracy')).toEqual(run.batchAccuracy.map((a, i) => [steps[i], Math.fround(a)]));
    expect(new Set(run.batchLr)).toEqual(new Set([0.2, 0.1, 0.05, 0.025])); // the schedule is in the log

    // Per epoch, at the step the epoch ended.
    const at = (key: (r: (typeof run.epochs)[number]) => number) => run.epochs.map((r) => [4 * (r.epoch + 1), Math.fround(key(r))]);
    expect(scalars.get('epoch/completed')).toEqual(at((r) => r.epoch + 1));
    expect(scalars.get('epoch/train_loss')).toEqual(at((r) => r.trainLoss));
    expect(scalars.get('epoch/train_accuracy')).toEqual(at((r) => r.train['accuracy']!));
    expect(scalars.get('epoch/val_loss')).toEqual(at((r) => r.valLoss!));
    expect(scalars.get('epoch/val_accuracy')).toEqual(at((r) => r.val!['accuracy']!));
    expect(scalars.get('epoch/lr')).toEqual(at((r) => r.lr));
    expect(scalars.get('epoch/samples_per_second')).toEqual(at((r) => r.samplesPerSecond));

    // Histograms before training (no gradients yet) and after epochs 2 and 4.
    expect(run.snapshots.map((s) => s.step)).toEqual([0, 8, 16]);
    const names = ['0.weight', '0.bias', '3.weight', '3.bias'];
    const layers = ['0 (Linear)', '1 (Tanh)', '2 (Dropout)', '3 (Linear)'];
    expect([...histograms.keys()].sort()).toEqual([
      ...layers.map((l) => `activation_gradients/${l}`), ...layers.map((l) => `activations/${l}`),
      ...names.map((n) => `gradients/${n}`), ...names.map((n) => `weights/${n}`),
    ].sort());
    for (const name of names) {
      expect(histograms.get(`weights/${name}`)).toEqual(run.snapshots.map((s) => [s.step, tb.histogramOf(s.weights[name]!)]));
      expect(histograms.get(`gradients/${name}`)).toEqual(run.snapshots.slice(1).map((s) => [s.step, tb.histogramOf(s.gradients[name]!)]));
      expect(run.snapshots[1]!.gradients[name]!.some((g) => g !== 0)).toBe(true);
    }
    for (const layer of layers) {
      expect(histograms.get(`activations/${layer}`)).toEqual(run.snapshots.map((s) => [s.step, tb.histogramOf(s.activations[layer]!)]));
      expect(histograms.get(`activation_gradients/${layer}`)).toEqual(run.snapshots.map((s) => [s.step, tb.histogramOf(s.activationGradients[layer]!)]));
    }
    // 32 probe rows through each layer's width.
    expect(histograms.get('activations/0 (Linear)')![0]![1].num).toBe(32 * 16);
    expect(histograms.get('activations/3 (Linear)')![0]![1].num).toBe(32 * 3);
    // The event file is closed after fit().
    expect(run.logger.files).toEqual([file]);
  });

  it('leaves the training exactly as it is without it', async () => {
    const logged = await loggedRun(path.join(root, 'same'), 3);
    const plain = (() => {
      const train = classifierData(64, 1);
      const validation = classifierData(32, 2);
      const model = makeClassifier(3);
      const optimizer = new optim.SGD(model.parameters(), { lr: 0.2, momentum: 0.5 });
      const scheduler = new optim.lrScheduler.StepLR(optimizer, { stepSize: 1, gamma: 0.5 });
      const trainer = new Trainer({ model, loss: nn.functional.crossEntropy, optimizer, scheduler, metrics: ['accuracy'] });
      const loader = new data.DataLoader(new data.TensorDataset(train.x, train.y), { batchSize: 16, shuffle: true, seed: 4 });
      return { trainer, run: trainer.fit(loader, { epochs: 3, validation: new data.DataLoader(new data.TensorDataset(validation.x, validation.y), { batchSize: 32 }) }) };
    })();
    await plain.run;
    const a = logged.trainer.model.namedParameters();
    const b = plain.trainer.model.namedParameters();
    for (let i = 0; i < a.length; i++) expect(Array.from(a[i]![1].data), a[i]![0]).toEqual(Array.from(b[i]![1].data));
    expect(logged.trainer.history.map((r) => r.trainLoss)).toEqual(plain.trainer.history.map((r) => r.trainLoss));
  });

  it('a resumed run continues at its step behind a restart marker; each fit() gets its own file', async () => {
    const dir = path.join(root, 'resume');
    const first = await loggedRun(dir, 2, { batchesPerEpoch: 4, histograms: 0 });
    // A new process: the same model state and history, a new logger into the same directory.
    const model = makeClassifier(9);
    model.loadStateDict(first.trainer.model.stateDict());
    const trainer = new Trainer({
      model, loss: nn.functional.crossEntropy, optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }), metrics: ['accuracy'],
      callbacks: [new TensorBoardLogger(dir, { batchesPerEpoch: 4, histograms: 1 })],
    });
    trainer.loadStateDict(first.trainer.stateDict());
    const train = classifierData(64, 1);
    const loader = new data.DataLoader(new data.TensorDataset(train.x, train.y), { batchSize: 16 });
    await trainer.fit(loader, { epochs: 1 });
    const files = eventFiles(dir);
    expect(files).toHaveLength(2);
    const second = tb.readEventFile(files[1]!).events;
    expect(second[1]).toMatchObject({ step: 8, session_log: { status: tb.SessionStatus.START } });
    const { scalars, histograms } = index(second);
    expect(scalars.get('batch/loss')!.map(([s]) => s)).toEqual([9, 10, 11, 12]);
    expect(scalars.get('epoch/completed')).toEqual([[12, 3]]);
    // No "before training" histograms for a run that has trained: only the epoch's.
    expect(histograms.get('weights/0.weight')!.map(([s]) => s)).toEqual([12]);

    // The same logger over two fit() calls: steps go on, a second file.
    await trainer.fit(loader, { epochs: 1 });
    const logger = trainer.callbacks[0] as TensorBoardLogger;
    expect(logger.files).toHaveLength(2);
    const third = index(tb.readEventFile(logger.files[1]!).events);
    expect(third.scalars.get('batch/loss')!.map(([s]) => s)).toEqual([13, 14, 15, 16]);
  });

  it('a history it cannot place gets no restart marker (it would hide the earlier steps)', async () => {
    const dir = path.join(root, 'unplaced');
    const first = await loggedRun(path.join(root, 'unplaced-first'), 1, { histograms: 0 });
    const model = makeClassifier(3);
    const trainer = new Trainer({
      model, loss: nn.functional.crossEntropy, optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }), callbacks: [new TensorBoardLogger(dir, { histograms: 0 })],
    });
    trainer.loadStateDict(first.trainer.stateDict());
    const train = classifierData(16, 1);
    await trainer.fit(new data.DataLoader(new data.TensorDataset(train.x, train.y), { batchSize: 16 }), { epochs: 1 });
    const events = tb.readEventFile(eventFiles(dir)[0]!).events;
    expect(events.some((e) => e.session_log)).toBe(false);
    expect(index(events).scalars.get('batch/loss')!.map(([s]) => s)).toEqual([1]);
  });

  it('counts NaN and infinite values instead of failing the run', async () => {
    const dir = path.join(root, 'nonfinite');
    const model = makeClassifier(3);
    const weight = model.namedParameters().find(([n]) => n === '0.weight')![1];
    weight.data[0] = Number.NaN;
    weight.data[5] = -Infinity;
    const trainer = new Trainer({ model, loss: nn.functional.crossEntropy, optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }), callbacks: [new TensorBoardLogger(dir)] });
    await trainer.fit([], { epochs: 0 });
    const { scalars, histograms } = index(tb.readEventFile(eventFiles(dir)[0]!).events);
    expect(scalars.get('nonfinite/weights/0.weight')).toEqual([[0, 2]]);
    expect(histograms.has('weights/0.weight')).toBe(false);
    expect(histograms.has('weights/0.bias')).toBe(true);
  });

  it('refuses bad options, naming them', () => {
    expect(() => new TensorBoardLogger('')).toThrow(new TypeError('TensorBoardLogger: Expected a log directory but received '));
    expect(() => new TensorBoardLogger(root, { histograms: -1 })).toThrow(new RangeError('TensorBoardLogger: Expected histograms (every N epochs) to be an integer >= 0 but received -1'));
    expect(() => new TensorBoardLogger(root, { histograms: 1.5 })).toThrow(RangeError);
    expect(() => new TensorBoardLogger(root, { batchesPerEpoch: 0 })).toThrow(new RangeError('TensorBoardLogger: Expected batchesPerEpoch to be an integer >= 1 but received 0'));
    expect(() => new TensorBoardLogger(root, { probe: { x: 1 } as never })).toThrow(new TypeError('TensorBoardLogger: Expected probe to be { x: Tensor, y: Tensor }'));
    expect(() => new TensorBoardLogger(root).onBatchEnd({ epoch: 0, batch: 0, size: 1, loss: 1 }, {} as Trainer)).toThrow(/not training/);
  });

  it('renders the config as a Markdown table of dotted keys', () => {
    expect(configMarkdown({ lr: 0.1, model: { sizes: [6, 3], name: 'a|b' }, empty: {}, none: null })).toBe([
      '| setting | value |',
      '| --- | --- |',
      '| lr | `0.1` |',
      '| model.sizes | `[6,3]` |',
      '| model.name | `"a\\|b"` |',
      '| empty | `{}` |',
      '| none | `null` |',
    ].join('\n'));
  });
});

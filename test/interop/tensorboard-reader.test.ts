// Event files read by TensorBoard itself (pip's tensorboard in a venv, test/interop/tensorboard-
// venv.ts): EventAccumulator and the server's plugin_event_accumulator see the scalars, histograms
// and text that were logged, equal to the values; TensorBoard's record reader passes every CRC and
// stops at a corrupted byte, as ours reports it; the .proto's field numbers are TensorBoard's;
// a resumed run's orphaned steps are dropped; `tensorgrad train --tensorboard` is readable whole.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as protobuf from 'protobufjs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { tensorboard as tb } from '../../lib';
import { resolveConfig } from '../../lib/cli/config';
import { runTraining } from '../../lib/train/run-training';
import { describeWithPeers } from '../peers';
import { loggedRun } from './tensorboard-run';
import { VENV_PYTHON, ensureTensorboardVenv } from './tensorboard-venv';

const SCRIPT = path.join(__dirname, 'read_tfevents.py');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tensorgrad-tbreader-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function python<T>(command: string, argument: string): T {
  const text = execFileSync(VENV_PYTHON, [SCRIPT, command, argument], { encoding: 'utf8', maxBuffer: 256 << 20 });
  // The script spells non-finite floats as Python's repr.
  return JSON.parse(text, (_key, v: unknown) => (v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v === 'nan' ? Number.NaN : v)) as T;
}

interface Accumulated {
  file_version: number | null;
  tags: Record<string, string[]>;
  scalars: Record<string, [number, number, number | string][]>;
  histograms: Record<string, [number, tb.HistogramProto][]>;
  text: Record<string, { plugin: string; values: [number, string[], number][] }>;
  plugin_tags: Record<'scalars' | 'histograms' | 'text', string[]>;
}

const accumulate = (dir: string) => python<Accumulated>('accumulate', dir);
const onlyFile = (dir: string) => path.join(dir, fs.readdirSync(dir).find((f) => f.startsWith('events.out.tfevents.'))!);
/** A scalar series as [step, value]. */
const series = (acc: Accumulated, tag: string) => acc.scalars[tag]!.map(([step, , value]) => [step, value]);

describeWithPeers('tensorboard', "event files read by TensorBoard's own reader", () => {
  beforeAll(async () => {
    const missing = await ensureTensorboardVenv();
    if (missing !== undefined) throw new Error(missing);
  }, 900_000);

  it("declares the fields with TensorBoard's numbers and types", () => {
    const ours: Record<string, Record<string, [number, string, boolean]>> = {};
    const visit = (ns: protobuf.NamespaceBase) => {
      for (const nested of ns.nestedArray) {
        if (nested instanceof protobuf.Type) {
          nested.resolveAll();
          ours[nested.fullName.slice(1)] = Object.fromEntries(nested.fieldsArray.map((f) => [
            f.name, [f.id, f.resolvedType ? f.resolvedType.fullName.slice(1) : f.type, f.repeated],
          ]));
        }
        if (nested instanceof protobuf.Namespace) visit(nested);
      }
    };
    visit(new protobuf.Root().loadSync(tb.PROTO_FILE, { keepCase: true }));
    const file = path.join(root, 'ours.json');
    fs.writeFileSync(file, JSON.stringify(Object.fromEntries(Object.entries(ours).map(([k, v]) => [k, Object.keys(v)]))));
    expect(Object.keys(ours).sort()).toEqual([
      'tensorboard.Event', 'tensorboard.HistogramProto', 'tensorboard.SessionLog', 'tensorboard.Summary', 'tensorboard.Summary.Value',
      'tensorboard.SummaryMetadata', 'tensorboard.SummaryMetadata.PluginData', 'tensorboard.TensorProto', 'tensorboard.TensorShapeProto', 'tensorboard.TensorShapeProto.Dim',
    ]);
    expect(python('descriptors', file)).toEqual(ours);
  });

  it('computes the masked CRC-32C TensorBoard computes', () => {
    const inputs = [0, 1, 7, 8, 9, 63, 64, 1000].map((length) => Uint8Array.from({ length }, (_, i) => (i * 131 + length) & 255));
    const hex = inputs.map((d) => Buffer.from(d).toString('hex')).join(',');
    expect(python<number[]>('masked_crc', hex)).toEqual(inputs.map((d) => tb.maskedCrc32c(d)));
  });

  it('EventAccumulator reads the scalars, histograms and text a SummaryWriter wrote, equal to them', () => {
    const dir = path.join(root, 'writer');
    const w = new tb.SummaryWriter(dir, { wallTime: 1700000000.5 });
    const scalars = [0, -1.25, Math.PI, 1e30, 3e-9];
    scalars.forEach((v, i) => w.addScalar('loss', v, i, 1700000001 + i / 8));
    const normal = Float32Array.from({ length: 4000 }, (_, i) => Math.sqrt(-2 * Math.log((i + 0.5) / 4000)) * Math.cos(i * 2.399963));
    // Both extremes make sum_squares overflow to Infinity, which TensorBoard reads as inf.
    const edges = [0, -0, 1e-13, -1e-13, 1e-12, 1.1e-12, 1e19, -1e21, 5e-324, Number.MAX_VALUE, -Number.MAX_VALUE, 1, 1, 1];
    w.addHistogram('weights/normal', normal, 3, 1700000002);
    w.addHistogram('weights/edges', edges, 4, 1700000003);
    w.addHistogram('weights/empty', [], 5, 1700000004);
    w.addText('config', '| setting | value |\n| --- | --- |\n| lr | `0.1` |', 0, 1700000005);
    w.close();

    const acc = accumulate(dir);
    expect(acc.file_version).toBe(2); // "brain.Event:2", as EventAccumulator parses it
    expect(acc.scalars['loss']).toEqual(scalars.map((v, i) => [i, 1700000001 + i / 8, Math.fround(v)]));
    const oracle = (values: ArrayLike<number>) => {
      const file = path.join(root, `values-${Math.random().toString(36).slice(2)}.json`);
      fs.writeFileSync(file, JSON.stringify(Array.from(values)));
      const { limits, ...histogram } = python<tb.HistogramProto & { limits: number }>('histogram', file);
      expect(limits).toBe(tb.defaultBucketLimits().length);
      return histogram;
    };
    for (const [tag, values, step] of [['weights/normal', normal, 3], ['weights/edges', edges, 4], ['weights/empty', [], 5]] as const) {
      const read = acc.histograms[tag]!;
      expect(read).toHaveLength(1);
      expect(read[0]![0]).toBe(step);
      expect(read[0]![1], tag).toEqual(tb.histogramOf(values));
      expect(read[0]![1], `${tag} against TensorFlow's algorithm`).toEqual(oracle(values));
    }
    expect(acc.histograms['weights/normal']![0]![1].bucket.reduce((a, b) => a + b, 0)).toBe(4000);
    expect(acc.text['config']).toEqual({ plugin: 'text', values: [[0, ['| setting | value |\n| --- | --- |\n| lr | `0.1` |'], tb.DataType.DT_STRING]] });
    // The server's data path files them under the scalars, histograms and text plugins.
    expect(acc.plugin_tags).toEqual({ scalars: ['loss'], histograms: ['weights/edges', 'weights/empty', 'weights/normal'], text: ['config'] });
  });

  it("passes TensorBoard's CRC checks; a corrupted byte stops its reader where ours reports it", () => {
    const dir = path.join(root, 'crc');
    const w = new tb.SummaryWriter(dir);
    for (let step = 1; step <= 6; step++) w.addSummary([tb.scalarValue('loss', 1 / step), tb.histogramValue('w', [step, -step])], step);
    w.close();
    const file = onlyFile(dir);
    expect(python('records', file)).toEqual({ records: 7, error: null });
    const raw = fs.readFileSync(file);
    const offsets = tb.readRecords(raw).records.map((r) => r.offset);

    // A byte of record 4's data (the step-4 event).
    const data = Buffer.from(raw);
    data[offsets[4]! + 20]! ^= 0x01;
    fs.writeFileSync(file, data);
    expect(python('records', file)).toEqual({ records: 4, error: `${file} failed event crc32 check` });
    expect(() => tb.readEventFile(file)).toThrow(`${file}: record 4 at byte ${offsets[4]}: the data's masked CRC-32C`);
    // EventAccumulator keeps what came before the damage, and nothing after it.
    expect(series(accumulate(dir), 'loss')).toEqual([1, 2, 3].map((s) => [s, Math.fround(1 / s)]));

    // A byte of record 2's length.
    const header = Buffer.from(raw);
    header[offsets[2]! + 1]! ^= 0x40;
    fs.writeFileSync(file, header);
    expect(python('records', file)).toEqual({ records: 2, error: `${file} failed header crc32 check` });
    expect(() => tb.readEventFile(file)).toThrow(`${file}: record 2 at byte ${offsets[2]}: the length's masked CRC-32C`);

    // Cut mid-record (a writer killed, or still writing): both read the complete records.
    fs.writeFileSync(file, raw.subarray(0, offsets[5]! + 10));
    expect(python<{ records: number }>('records', file).records).toBe(5);
    expect(tb.readEventFile(file)).toMatchObject({ truncatedAt: offsets[5] });
    expect(series(accumulate(dir), 'loss')).toEqual([1, 2, 3, 4].map((s) => [s, Math.fround(1 / s)]));
  });

  it("a resumed run's restart marker makes TensorBoard drop the interrupted process's later steps", () => {
    const dir = path.join(root, 'restart');
    const first = new tb.SummaryWriter(dir, { wallTime: 1000 });
    for (let step = 1; step <= 10; step++) first.addScalar('loss', step, step, 1000 + step);
    first.close();
    // The resumed process went back to its checkpoint at step 5.
    const second = new tb.SummaryWriter(dir, { wallTime: 2000 });
    second.addSessionStart(6, 2000);
    for (let step = 6; step <= 8; step++) second.addScalar('loss', 100 + step, step, 2000 + step);
    second.close();
    expect(series(accumulate(dir), 'loss')).toEqual([[1, 1], [2, 2], [3, 3], [4, 4], [5, 5], [6, 106], [7, 107], [8, 108]]);
  });

  it('a Trainer with the TensorBoardLogger: TensorBoard sees every batch, epoch and histogram the run had', async () => {
    const dir = path.join(root, 'trainer');
    const run = await loggedRun(dir, 3, { histograms: 1, config: { model: '6-16-3' } });
    const acc = accumulate(dir);
    expect(series(acc, 'batch/loss')).toEqual(run.batches.map((b, i) => [i + 1, Math.fround(b.loss)]));
    expect(series(acc, 'epoch/val_accuracy')).toEqual(run.epochs.map((r) => [4 * (r.epoch + 1), Math.fround(r.val!['accuracy']!)]));
    expect(acc.histograms['weights/0.weight']).toEqual(run.snapshots.map((s) => [s.step, tb.histogramOf(s.weights['0.weight']!)]));
    expect(acc.histograms['gradients/3.bias']).toEqual(run.snapshots.slice(1).map((s) => [s.step, tb.histogramOf(s.gradients['3.bias']!)]));
    expect(acc.histograms['activations/1 (Tanh)']).toEqual(run.snapshots.map((s) => [s.step, tb.histogramOf(s.activations['1 (Tanh)']!)]));
    expect(acc.text['config']!.values[0]![1][0]).toContain('| model | `"6-16-3"` |');
  });

  it('tensorgrad train --tensorboard: the run directory\'s event files match its metrics.jsonl', async () => {
    const out = path.join(root, 'cli');
    const lines: string[] = [];
    await runTraining(resolveConfig({}, { epochs: 2, out, model: '32', tensorboard: true, threads: 1 }), { out: { write: (t: string) => lines.push(t) } });
    const logdir = path.join(out, 'tensorboard');
    expect(lines.join('')).toContain(`TensorBoard logs: ${logdir} (view with: tensorboard --logdir ${logdir})`);
    const acc = accumulate(logdir);
    const epochs = fs.readFileSync(path.join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { epoch: number; trainLoss: number; valLoss: number });
    const steps = acc.scalars['batch/loss']!.length / 2; // batches per epoch
    expect(steps).toBe(Math.ceil(1258 / 32));
    expect(series(acc, 'epoch/train_loss')).toEqual(epochs.map((e) => [steps * (e.epoch + 1), Math.fround(e.trainLoss)]));
    expect(series(acc, 'epoch/val_loss')).toEqual(epochs.map((e) => [steps * (e.epoch + 1), Math.fround(e.valLoss)]));
    expect(acc.tags['histograms']).toEqual(expect.arrayContaining(['weights/0.weight', 'gradients/2.bias', 'activations/0 (Linear+relu)', 'activations/1 (Dropout)', 'activation_gradients/2 (Linear)']));
    expect(acc.histograms['weights/0.weight']!.map(([s]) => s)).toEqual([0, steps, 2 * steps]);
    expect(acc.text['config']!.values[0]![1][0]).toContain('| config.data | `"digits"` |');
  });
});

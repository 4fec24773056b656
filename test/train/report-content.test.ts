// What report.html shows, read back from the page as headless Chromium parsed it: whole-epoch
// ticks numbered from 1 on every chart, the update-to-weight ratios the LayerStatsLogger wrote
// (checked against ratios computed here from the weights), the test split's confusion matrix
// and per-class accuracy (against counts computed here), and a regressor's predicted-vs-actual.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import '../../lib'; // the Tensor methods (backward, …)
import { DataLoader, TensorDataset, loadCsv } from '../../lib/data';
import { randn } from '../../lib/autograd/create';
import { manualSeed } from '../../lib/autograd/random';
import { noGrad } from '../../lib/autograd/grad-mode';
import type { Tensor } from '../../lib/autograd/tensor';
import { Linear } from '../../lib/nn/layers/linear';
import { ReLU } from '../../lib/nn/layers/activations';
import { Sequential } from '../../lib/nn/sequential';
import { crossEntropy, mseLoss } from '../../lib/nn/functional';
import { Adam } from '../../lib/optim/adam';
import { SGD } from '../../lib/optim/sgd';
import { LayerStatsLogger, readLayerStats } from '../../lib/train/callbacks/layer-stats-logger';
import { tensorStats } from '../../lib/train/diagnostics';
import { renderReport, writeReport } from '../../lib/train/report/report';
import { niceTicks } from '../../lib/train/report/svg';
import { summarizeTest } from '../../lib/train/report/test-summary';
import { type EpochRecord, Trainer } from '../../lib/train/trainer';
import { itWithPeers } from '../peers';
import { renderedDom, screenshot, texts } from './report-browser';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-report-content-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const record = (epoch: number): EpochRecord => ({
  epoch, trainLoss: 1 / (epoch + 1), train: { accuracy: 0.5 }, valLoss: 1.2 / (epoch + 1), val: { accuracy: 0.4 }, lr: 1e-3, seconds: 1, samplesPerSecond: 1,
});

/** The x-axis tick labels of the chart with this aria-label. */
function xTicks(html: string, label: string): string[] {
  const svg = new RegExp(`<svg[^>]*aria-label="${label}"[\\s\\S]*?</svg>`).exec(html);
  expect(svg, `chart ${label}`).not.toBeNull();
  return texts(svg![0], 'text[^>]*class="xtick[^"]*"');
}

describe('epoch axes', () => {
  it('tick whole epochs only, numbered from 1, for 1 to 60 epochs', () => {
    expect(niceTicks(1, 3, 5, true)).toEqual([1, 2, 3]);
    expect(niceTicks(1, 3)).toEqual([1, 1.5, 2, 2.5, 3]); // what the axes showed before
    for (const epochs of [1, 2, 3, 4, 7, 13, 60]) {
      const html = renderReport({ history: Array.from({ length: epochs }, (_, e) => record(e)) });
      for (const chart of ['Loss', 'Accuracy', 'Learning rate']) {
        const ticks = xTicks(html, chart).map(Number);
        expect(ticks.length, `${chart}, ${epochs} epochs`).toBeGreaterThan(0);
        for (const t of ticks) {
          expect(Number.isInteger(t), `${chart} tick ${t} of ${epochs} epochs`).toBe(true);
          expect(t).toBeGreaterThanOrEqual(1);
          expect(t).toBeLessThanOrEqual(epochs);
        }
      }
    }
  });

  it('put log-axis ticks at 1, 2, 5 (or every digit) times a power of ten', () => {
    for (const history of [[0, 1, 2, 3].map(record), Array.from({ length: 30 }, (_, e) => ({ ...record(e), trainLoss: 10 ** -e }))]) {
      const svg = /<svg[^>]*aria-label="Loss"[\s\S]*?<\/svg>/.exec(renderReport({ history }))![0];
      const ticks = texts(svg, 'text[^>]*class="ytick"').map(Number);
      expect(ticks.length).toBeGreaterThanOrEqual(3);
      for (const t of ticks) {
        const mantissa = t / 10 ** Math.floor(Math.log10(t) + 1e-12);
        expect(Math.abs(mantissa - Math.round(mantissa)), `tick ${t}`).toBeLessThan(1e-9);
      }
    }
  });

  it('label histogram columns with the same numbering as the curves', () => {
    const stats = tensorStats([1, 2, 3]);
    const html = renderReport({
      history: [0, 1, 2].map(record),
      diagnostics: [0, 1, 2].map((epoch) => ({ epoch, layers: [{ name: '0', type: 'Linear', activation: stats, gradient: stats, saturated: null, dead: null }] })),
    });
    expect(xTicks(html, '0 \\(Linear\\) activations')).toEqual(['1', '2', '3']);
    expect(xTicks(html, 'Loss')).toEqual(['1', '2', '3']);
    expect(html).not.toMatch(/epoch 0/);
  });
});

/** Three classes from two numbers and a category; some rows deliberately ambiguous. */
function classificationCsv(rows: number): string {
  const lines = ['x1,x2,colour,kind'];
  for (let i = 0; i < rows; i++) {
    const a = ((i * 37) % 101) / 10 - 5;
    const b = ((i * 53) % 97) / 10 - 5;
    const colour = ['red', 'green', 'blue'][i % 3]!;
    const kind = a + (colour === 'red' ? 1 : 0) > 1.5 ? 'ant' : b > 0 ? 'bee' : 'cat';
    lines.push(`${a},${b},${colour},${kind}`);
  }
  return `${lines.join('\n')}\n`;
}

describe('report of a trained classifier', () => {
  const csv = path.join(dir, 'kinds.csv');
  fs.writeFileSync(csv, classificationCsv(400));

  async function trainClassifier() {
    manualSeed(7);
    const tab = loadCsv(csv, { target: 'kind', split: { validation: 0.1, test: 0.25, seed: 3 } });
    const model = new Sequential(new Linear(tab.spec.inputs, 16), new ReLU(), new Linear(16, tab.spec.outputs));
    const logger = new LayerStatsLogger(path.join(dir, 'layers.jsonl'), { x: tab.validation.x, y: tab.validation.y }, { every: 2, updateEvery: 3 });
    const loss = (o: Tensor, t: Tensor) => crossEntropy(o, t);
    const trainer = new Trainer({ model, loss, optimizer: new Adam(model.parameters(), { lr: 1e-2 }), metrics: ['accuracy'], callbacks: [logger] });
    const train = new DataLoader(new TensorDataset(tab.train.x, tab.train.y), { batchSize: 16, shuffle: true, seed: 1 });
    const validation = new DataLoader(new TensorDataset(tab.validation.x, tab.validation.y), { batchSize: 64 });
    await trainer.fit(train, { epochs: 6, validation });
    const test = new DataLoader(new TensorDataset(tab.test.x, tab.test.y), { batchSize: 32 });
    const summary = summarizeTest(model, test, { task: 'classification', classes: tab.spec.classes!, label: 'test split' });
    const file = writeReport(dir, { title: 'kinds', history: trainer.history, diagnostics: readLayerStats(path.join(dir, 'layers.jsonl')), test: summary });
    return { tab, model, file, summary };
  }

  it('writes update ratios to layers.jsonl for the logged epochs', async () => {
    const { tab } = await trainClassifier();
    const lines = readLayerStats(path.join(dir, 'layers.jsonl'));
    expect(lines.map((l) => l.epoch)).toEqual([1, 3, 5]);
    const batches = Math.ceil(tab.train.x.shape[0]! / 16);
    for (const line of lines) {
      expect(line.updates!.map((u) => u.name)).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
      for (const u of line.updates!) {
        expect(u.steps).toBe(Math.ceil(batches / 3)); // batches 0, 3, 6, …
        expect(u.ratio!).toBeGreaterThan(1e-5);
        expect(u.ratio!).toBeLessThan(1);
        expect(u.min!).toBeLessThanOrEqual(u.ratio!);
        expect(u.max!).toBeGreaterThanOrEqual(u.ratio!);
      }
    }
    fs.rmSync(path.join(dir, 'layers.jsonl'));
  });

  itWithPeers('chromium', 'shows the confusion matrix and per-class accuracy of the test split as counted here', async () => {
    const { tab, model, file } = await trainClassifier();
    // The counts, independently: argmax of the model's outputs on the test rows.
    const classes = tab.spec.classes!.length;
    const expected = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
    model.eval();
    const out = noGrad(() => model.forward(tab.test.x));
    for (let r = 0; r < tab.test.x.shape[0]!; r++) {
      const row = Array.from(out.data.subarray(r * classes, (r + 1) * classes));
      expected[tab.test.y.data[r]!]![row.indexOf(Math.max(...row))]!++;
    }
    expect(expected.flat().reduce((a, b) => a + b, 0)).toBe(100);
    const dom = renderedDom(file, dir);
    const cells = [...dom.matchAll(/<td class="cm" data-true="(\d+)" data-pred="(\d+)"[^>]*>(\d+)<\/td>/g)];
    expect(cells).toHaveLength(classes * classes);
    for (const [, t, p, count] of cells) expect(Number(count), `true ${t}, predicted ${p}`).toBe(expected[Number(t)]![Number(p)]);
    const accuracy = [...dom.matchAll(/<td class="num class-acc" data-class="(\d+)">([\d.]+)%<\/td>/g)];
    expect(accuracy).toHaveLength(classes);
    for (const [, c, pct] of accuracy) {
      const row = expected[Number(c)]!;
      expect(Number(pct)).toBeCloseTo((100 * row[Number(c)]!) / row.reduce((a, b) => a + b, 0), 1);
    }
    // Class names in the header, in the spec's order.
    expect(texts(dom, 'th')).toEqual(expect.arrayContaining(['ant', 'bee', 'cat']));
    // The update-ratio chart: one curve per weight matrix and the 1e-3 guide; whole epochs 2, 4, 6.
    const ratios = /<svg[^>]*aria-label="Update \/ weight ratio[^"]*"[\s\S]*?<\/svg>/.exec(dom)![0];
    expect(ratios.match(/<polyline /g)).toHaveLength(2);
    expect(texts(ratios, 'text[^>]*class="guide-label"')).toEqual(['1e-3']);
    expect(texts(ratios, 'text[^>]*class="xtick"').map(Number).every(Number.isInteger)).toBe(true);
    const { png } = screenshot(file, dir, 2600);
    if (process.env['TG_KEEP_SHOT']) fs.writeFileSync(process.env['TG_KEEP_SHOT'], png);
    expect(png.length).toBeGreaterThan(20_000);
  });
});

describe('update ratios against the weights themselves', () => {
  it('equal ‖w_after − w_before‖ / ‖w_before‖ of each step', async () => {
    manualSeed(2);
    const x = new TensorDataset(randn([32, 5]), randn([32, 1]));
    const model = new Sequential(new Linear(5, 4), new ReLU(), new Linear(4, 1));
    const logger = new LayerStatsLogger(null, { x: x.x, y: x.y }, { updateEvery: 1 });
    // One full batch per epoch: each epoch's one step moves the weights from the last epoch's.
    const before = new Map(model.namedParameters().map(([n, p]) => [n, p.data.slice()]));
    const expected: Record<string, number>[] = [];
    const watcher = {
      onEpochEnd: () => {
        const row: Record<string, number> = {};
        for (const [name, p] of model.namedParameters()) {
          const old = before.get(name)!;
          let d = 0;
          let w = 0;
          for (let i = 0; i < p.size; i++) {
            d += (p.data[i]! - old[i]!) ** 2;
            w += old[i]! ** 2;
          }
          row[name] = Math.sqrt(d / w);
          before.set(name, p.data.slice());
        }
        expected.push(row);
      },
    };
    const trainer = new Trainer({ model, loss: (o, t) => mseLoss(o, t), optimizer: new SGD(model.parameters(), { lr: 0.05 }), callbacks: [logger, watcher] });
    await trainer.fit(new DataLoader(x, { batchSize: 32 }), { epochs: 3 });
    expect(logger.records).toHaveLength(3);
    logger.records.forEach((r, e) => {
      for (const u of r.updates!) {
        expect(u.steps).toBe(1);
        expect(u.ratio!).toBeCloseTo(expected[e]![u.name]!, 12);
      }
    });
  });
});

describe('report of a trained regressor', () => {
  itWithPeers('chromium', 'plots the test rows\' predictions against their targets, in the target\'s units', async () => {
    const lines = ['a,b,price'];
    for (let i = 0; i < 200; i++) {
      const a = (i % 17) - 8;
      const b = ((i * 7) % 23) / 4;
      lines.push(`${a},${b},${1000 + 50 * a + 20 * b}`);
    }
    const csv = path.join(dir, 'prices.csv');
    fs.writeFileSync(csv, `${lines.join('\n')}\n`);
    manualSeed(1);
    const tab = loadCsv(csv, { target: 'price', task: 'regression', split: { validation: 0.1, test: 0.2, seed: 9 } });
    const model = new Sequential(new Linear(2, 8), new ReLU(), new Linear(8, 1));
    const trainer = new Trainer({ model, loss: (o, t) => mseLoss(o, t), optimizer: new Adam(model.parameters(), { lr: 1e-2 }) });
    await trainer.fit(new DataLoader(new TensorDataset(tab.train.x, tab.train.y), { batchSize: 16, shuffle: true }), { epochs: 15 });
    const units = tab.spec.targetScaling!;
    const summary = summarizeTest(model, new DataLoader(new TensorDataset(tab.test.x, tab.test.y), { batchSize: 7 }), { task: 'regression', units, targets: ['price'] });
    // MAE independently, in dollars.
    model.eval();
    const predicted = tab.spec.toTargetUnits(noGrad(() => model.forward(tab.test.x)).data);
    const actual = tab.spec.toTargetUnits(tab.test.y.data);
    const mae = predicted.reduce((s, p, i) => s + Math.abs(p - actual[i]!), 0) / 40;
    expect(summary.task === 'regression' && summary.metrics.mae).toBeCloseTo(mae, 6);
    expect(mae).toBeLessThan(60); // it learned: the targets spread over ±450
    const file = writeReport(dir, { history: trainer.history, test: summary });
    const dom = renderedDom(file, dir);
    const scatter = /<svg[^>]*aria-label="price: predicted vs actual"[\s\S]*?<\/svg>/.exec(dom)![0];
    expect(scatter.match(/class="point"/g)).toHaveLength(40);
    expect(dom).toContain(`MAE ${mae.toPrecision(5)}`);
  });
});

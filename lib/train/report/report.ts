/**
 * report.html: one self-contained page per run (no scripts, no network) with the loss and
 * metric curves for training and validation, the learning rate, the test split's confusion
 * matrix and per-class accuracy (a classifier) or predicted against actual values (a
 * regressor), the update-to-weight ratio per layer, the layer diagnostics as histograms over
 * time, the sanity checks and the config. Epochs are numbered from 1 everywhere on the page (the
 * JSONL files count from 0, as the Trainer does).
 */
import * as path from 'node:path';
import { writeFileAtomic } from '../../io/atomic';
import type { UpdateRatioStats } from '../callbacks/layer-stats-logger';
import type { LayerDiagnostics } from '../diagnostics';
import type { SanityCheckResult } from '../sanity-check';
import type { EpochRecord } from '../trainer';
import { PALETTE, escapeXml, histogramHeatmap, lineChart, scatterChart } from './svg';
import type { ClassificationSummary, RegressionSummary, TestSummary } from './test-summary';

// Made by sanityCheck; exported here too, where the report has always exported it.
export type { SanityCheckResult };

export interface ReportData {
  title?: string;
  config?: unknown;
  history: EpochRecord[];
  /** Layer diagnostics taken at some epochs (and the update-to-weight ratios of those epochs). */
  diagnostics?: { epoch: number; layers: LayerDiagnostics[]; updates?: UpdateRatioStats[] }[];
  /** The test split scored after training (summarizeTest). */
  test?: TestSummary;
  sanity?: SanityCheckResult[];
  /** Free-form lines (the reason training stopped, timings). */
  notes?: string[];
}

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1180px;color:#1d2330}
h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd}
.charts{display:flex;flex-wrap:wrap;gap:12px}.chart{background:#fff;border:1px solid #e3e6ec}
.chart text{font-size:11px;fill:#333}.chart .title{font-size:13px;font-weight:600}
.frame{fill:none;stroke:#c9ced8}.grid{stroke:#eef0f4}
table{border-collapse:collapse}td,th{padding:3px 10px;border-bottom:1px solid #eee;text-align:left}
.pass{color:#18794e}.fail{color:#c0392b;font-weight:600}pre{background:#f6f7f9;padding:10px;overflow:auto}
table.confusion td,table.confusion th{text-align:right;border:1px solid #e3e6ec;min-width:34px}
table.confusion th.corner{text-align:left;font-weight:400;color:#555}.num{text-align:right}`;

const COLORS = { train: '#3563c9', val: '#e07a1f', lr: '#6b4bc4' };

/** How metrics are titled on the page. */
const METRIC_TITLES: Record<string, string> = { accuracy: 'Accuracy', mae: 'MAE', rmse: 'RMSE', r2: 'R²' };

/** The page's epoch number of a record (the Trainer's epochs count from 0). */
const shown = (epoch: number) => epoch + 1;

function curves(history: EpochRecord[]): string {
  const x = (r: EpochRecord) => shown(r.epoch);
  const charts = [
    lineChart({
      title: 'Loss', xLabel: 'epoch', yLabel: 'loss', integerX: true, logY: history.every((r) => r.trainLoss > 0),
      series: [
        { name: 'train', color: COLORS.train, points: history.map((r) => [x(r), r.trainLoss]) },
        { name: 'validation', color: COLORS.val, points: history.filter((r) => r.valLoss !== undefined).map((r) => [x(r), r.valLoss!]) },
      ],
    }),
  ];
  const metrics = [...new Set(history.flatMap((r) => [...Object.keys(r.train), ...Object.keys(r.val ?? {})]))];
  for (const m of metrics) {
    charts.push(lineChart({
      title: METRIC_TITLES[m] ?? m, xLabel: 'epoch', yLabel: METRIC_TITLES[m] ?? m, integerX: true,
      series: [
        { name: 'train', color: COLORS.train, points: history.filter((r) => r.train[m] !== undefined).map((r) => [x(r), r.train[m]!]) },
        { name: 'validation', color: COLORS.val, points: history.filter((r) => r.val?.[m] !== undefined).map((r) => [x(r), r.val![m]!]) },
      ],
    }));
  }
  charts.push(lineChart({
    title: 'Learning rate', xLabel: 'epoch', yLabel: 'lr', integerX: true, logY: history.every((r) => r.lr > 0),
    series: [{ name: 'lr', color: COLORS.lr, points: history.map((r) => [x(r), r.lr]) }],
  }));
  return `<div class="charts">${charts.join('')}</div>`;
}

function diagnosticsSection(snapshots: NonNullable<ReportData['diagnostics']>): string {
  if (snapshots.length === 0) return '';
  const names = [...new Set(snapshots.flatMap((s) => s.layers.map((l) => l.name)))];
  const charts: string[] = [];
  const rows: string[] = [];
  for (const name of names) {
    const layers = snapshots.map((s) => ({ epoch: s.epoch, layer: s.layers.find((l) => l.name === name) })).filter((e) => e.layer);
    const last = layers.at(-1)!.layer!;
    charts.push(histogramHeatmap(`${name} (${last.type}) activations`, layers.map((e) => ({ t: shown(e.epoch), ...e.layer!.activation.histogram }))));
    if (layers.some((e) => e.layer!.gradient)) {
      charts.push(histogramHeatmap(`${name} (${last.type}) gradients`, layers.filter((e) => e.layer!.gradient).map((e) => ({ t: shown(e.epoch), ...e.layer!.gradient!.histogram }))));
    }
    rows.push(`<tr><td>${escapeXml(name)}</td><td>${escapeXml(last.type)}</td><td>${last.activation.mean.toFixed(6)}</td><td>${last.activation.std.toFixed(6)}</td>` +
      `<td>${last.gradient ? last.gradient.std.toExponential(3) : '–'}</td><td>${last.saturated !== null ? `${(100 * last.saturated).toFixed(1)}%` : '–'}</td>` +
      `<td>${last.dead !== null ? `${(100 * last.dead).toFixed(1)}%` : '–'}</td></tr>`);
  }
  return `<h2>Layer diagnostics</h2><p>On a fixed batch of validation rows; table: epoch ${shown(snapshots.at(-1)!.epoch)}.</p><table><tr><th>layer</th><th>type</th><th>mean</th><th>std</th><th>grad std</th><th>saturated</th><th>dead</th></tr>${rows.join('')}</table>` +
    `<div class="charts">${charts.join('')}</div>`;
}

/** The notes' rule of thumb: an update about a thousandth of the weights' size. */
const RATIO_TARGET = 1e-3;

function ratioVerdict(ratio: number | null): string {
  if (ratio === null) return '–';
  if (ratio > 10 * RATIO_TARGET) return 'high: the learning rate may be too high';
  if (ratio < RATIO_TARGET / 10) return 'low: the learning rate may be too low';
  return 'near 1e-3';
}

function updateRatioSection(snapshots: NonNullable<ReportData['diagnostics']>): string {
  const withRatios = snapshots.filter((s) => s.updates && s.updates.length > 0);
  if (withRatios.length === 0) return '';
  const names = [...new Set(withRatios.flatMap((s) => s.updates!.map((u) => u.name)))];
  // The weights (matrices and norm scales) are charted; biases start near 0, where the ratio says little.
  const charted = names.filter((n) => /(^|\.)weight$/.test(n));
  const series = (charted.length > 0 ? charted : names).map((name, i) => ({
    name, color: PALETTE[i % PALETTE.length]!,
    points: withRatios.flatMap((s) => {
      const u = s.updates!.find((v) => v.name === name);
      return u && u.ratio !== null ? [[shown(s.epoch), u.ratio] as [number, number]] : [];
    }),
  }));
  const chart = lineChart({
    title: 'Update / weight ratio ‖Δw‖ / ‖w‖', xLabel: 'epoch', yLabel: 'ratio', logY: true, integerX: true, height: 320,
    series, guides: [{ y: RATIO_TARGET, label: '1e-3' }],
  });
  const last = withRatios.at(-1)!;
  const fmt = (v: number | null) => (v === null ? '–' : v.toExponential(2));
  const rows = last.updates!.map((u) => `<tr><td>${escapeXml(u.name)}</td><td class="num">${fmt(u.ratio)}</td><td class="num">${fmt(u.min)}</td><td class="num">${fmt(u.max)}</td><td class="num">${u.steps}</td><td>${ratioVerdict(u.ratio)}</td></tr>`);
  return `<h2>Update / weight ratio</h2><p>The size of each optimizer step relative to the weights, ‖Δw‖ / ‖w‖, averaged over the steps measured in each logged epoch; ` +
    `the notes' rule of thumb is about 1e-3 (dashed line). Table: epoch ${shown(last.epoch)}.</p>` +
    `<div class="charts">${chart}</div><table class="update-ratios"><tr><th>parameter</th><th>mean</th><th>min</th><th>max</th><th>steps</th><th></th></tr>${rows.join('')}</table>`;
}

function confusionSection(test: ClassificationSummary): string {
  const { classes, counts } = test;
  const totals = counts.map((row) => row.reduce((a, b) => a + b, 0));
  const all = totals.reduce((a, b) => a + b, 0);
  const correct = counts.reduce((sum, row, c) => sum + row[c]!, 0);
  const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
  const accuracy = (c: number) => (totals[c]! > 0 ? pct(counts[c]![c]! / totals[c]!) : '–');
  const perClass = `<table class="per-class"><tr><th>class</th><th>test rows</th><th>correct</th><th>accuracy</th></tr>${classes.map((name, c) =>
    `<tr><td>${escapeXml(name)}</td><td class="num">${totals[c]}</td><td class="num">${counts[c]![c]}</td><td class="num class-acc" data-class="${c}">${accuracy(c)}</td></tr>`).join('')}</table>`;
  // A matrix of more than 40 classes would not read as one; the per-class table still does.
  const matrix = classes.length > 40
    ? `<p>The confusion matrix of ${classes.length} classes is left out; the table gives each class's accuracy.</p>`
    : `<table class="confusion"><tr><th class="corner">true ↓ predicted →</th>${classes.map((n) => `<th>${escapeXml(n)}</th>`).join('')}</tr>${counts.map((row, t) =>
      `<tr><th>${escapeXml(classes[t]!)}</th>${row.map((count, p) => {
        const share = totals[t]! > 0 ? count / totals[t]! : 0;
        const colour = t === p ? '24,121,78' : '192,57,43';
        return `<td class="cm" data-true="${t}" data-pred="${p}" style="background:rgba(${colour},${(0.75 * share).toFixed(3)})">${count}</td>`;
      }).join('')}</tr>`).join('')}</table>`;
  return `<h2>Test split: confusion matrix</h2><p>${escapeXml(test.label)}: ${correct} of ${all} rows right (${all > 0 ? pct(correct / all) : '–'}). ` +
    'Rows are the true classes, columns the predicted ones.</p>' + `<div class="charts">${matrix}${perClass}</div>`;
}

function regressionSection(test: RegressionSummary): string {
  const charts = test.targets.slice(0, 4).map((t) => scatterChart({
    title: `${t.name}: predicted vs actual`, xLabel: `actual ${t.name}`, yLabel: `predicted ${t.name}`, diagonal: true,
    points: t.actual.map((a, i) => [a, t.predicted[i]!]),
  }));
  const m = test.metrics;
  const plotted = test.targets[0]?.actual.length ?? 0;
  return `<h2>Test split: predicted vs actual</h2><p>${escapeXml(test.label)}: MAE ${m.mae.toPrecision(5)}, RMSE ${m.rmse.toPrecision(5)}, R² ${m.r2.toFixed(4)} over ${test.rows} rows` +
    `${plotted < test.rows ? ` (${plotted} plotted)` : ''}; points on the dashed line are predicted exactly.</p><div class="charts">${charts.join('')}</div>`;
}

export function renderReport(data: ReportData): string {
  const title = data.title ?? 'tensorgrad run';
  const last = data.history.at(-1);
  const summary = last
    ? `<p>${data.history.length} epochs; last train loss ${last.trainLoss.toFixed(6)}${last.valLoss !== undefined ? `, validation loss ${last.valLoss.toFixed(6)}` : ''}${Object.entries(last.val ?? {}).map(([k, v]) => `, validation ${escapeXml(METRIC_TITLES[k] ?? k)} ${v.toFixed(4)}`).join('')}.</p>`
    : '<p>No epoch finished.</p>';
  const sanity = data.sanity?.length
    ? `<h2>Sanity checks</h2><table>${data.sanity.map((s) => `<tr><td class="${s.passed ? 'pass' : 'fail'}">${s.passed ? 'pass' : 'FAIL'}</td><td>${escapeXml(s.name)}</td><td>${escapeXml(s.detail)}</td></tr>`).join('')}</table>`
    : '';
  const notes = data.notes?.length ? `<ul>${data.notes.map((n) => `<li>${escapeXml(n)}</li>`).join('')}</ul>` : '';
  const config = data.config !== undefined ? `<h2>Config</h2><pre>${escapeXml(JSON.stringify(data.config, null, 2))}</pre>` : '';
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${escapeXml(title)}</title><style>${STYLE}</style></head><body>` +
    `<h1>${escapeXml(title)}</h1>${summary}${notes}<h2>Curves</h2>${curves(data.history)}${testSection(data.test)}${sanity}${updateRatioSection(data.diagnostics ?? [])}${diagnosticsSection(data.diagnostics ?? [])}${config}</body></html>\n`;
}

function testSection(test: TestSummary | undefined): string {
  if (!test) return '';
  return test.task === 'classification' ? confusionSection(test) : regressionSection(test);
}

/** Writes runDir/report.html atomically and returns its path. */
export function writeReport(runDir: string, data: ReportData): string {
  const file = path.join(runDir, 'report.html');
  writeFileAtomic(file, new TextEncoder().encode(renderReport(data)));
  return file;
}

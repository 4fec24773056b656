/**
 * report.html: one self-contained page per run (no scripts, no network) with the loss and
 * accuracy curves for training and validation, the learning rate, the layer diagnostics as
 * histograms over time, the sanity checks and the config.
 */
import * as path from 'node:path';
import { writeFileAtomic } from '../../io/atomic';
import type { LayerDiagnostics } from '../diagnostics';
import type { SanityCheckResult } from '../sanity-check';
import type { EpochRecord } from '../trainer';
import { escapeXml, histogramHeatmap, lineChart } from './svg';

// Made by sanityCheck; exported here too, where the report has always exported it.
export type { SanityCheckResult };

export interface ReportData {
  title?: string;
  config?: unknown;
  history: EpochRecord[];
  /** Layer diagnostics taken at some epochs. */
  diagnostics?: { epoch: number; layers: LayerDiagnostics[] }[];
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
.pass{color:#18794e}.fail{color:#c0392b;font-weight:600}pre{background:#f6f7f9;padding:10px;overflow:auto}`;

const COLORS = { train: '#3563c9', val: '#e07a1f', lr: '#6b4bc4' };

function curves(history: EpochRecord[]): string {
  const x = (r: EpochRecord) => r.epoch + 1;
  const charts = [
    lineChart({
      title: 'Loss', xLabel: 'epoch', yLabel: 'loss', logY: history.every((r) => r.trainLoss > 0),
      series: [
        { name: 'train', color: COLORS.train, points: history.map((r) => [x(r), r.trainLoss]) },
        { name: 'validation', color: COLORS.val, points: history.filter((r) => r.valLoss !== undefined).map((r) => [x(r), r.valLoss!]) },
      ],
    }),
  ];
  const metrics = [...new Set(history.flatMap((r) => [...Object.keys(r.train), ...Object.keys(r.val ?? {})]))];
  for (const m of metrics) {
    charts.push(lineChart({
      title: m, xLabel: 'epoch', yLabel: m,
      series: [
        { name: 'train', color: COLORS.train, points: history.filter((r) => r.train[m] !== undefined).map((r) => [x(r), r.train[m]!]) },
        { name: 'validation', color: COLORS.val, points: history.filter((r) => r.val?.[m] !== undefined).map((r) => [x(r), r.val![m]!]) },
      ],
    }));
  }
  charts.push(lineChart({
    title: 'Learning rate', xLabel: 'epoch', yLabel: 'lr', logY: history.every((r) => r.lr > 0),
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
    charts.push(histogramHeatmap(`${name} (${last.type}) activations`, layers.map((e) => ({ t: e.epoch, ...e.layer!.activation.histogram }))));
    if (layers.some((e) => e.layer!.gradient)) {
      charts.push(histogramHeatmap(`${name} (${last.type}) gradients`, layers.filter((e) => e.layer!.gradient).map((e) => ({ t: e.epoch, ...e.layer!.gradient!.histogram }))));
    }
    rows.push(`<tr><td>${escapeXml(name)}</td><td>${escapeXml(last.type)}</td><td>${last.activation.mean.toFixed(6)}</td><td>${last.activation.std.toFixed(6)}</td>` +
      `<td>${last.gradient ? last.gradient.std.toExponential(3) : '–'}</td><td>${last.saturated !== null ? `${(100 * last.saturated).toFixed(1)}%` : '–'}</td>` +
      `<td>${last.dead !== null ? `${(100 * last.dead).toFixed(1)}%` : '–'}</td></tr>`);
  }
  return `<h2>Layer diagnostics</h2><table><tr><th>layer</th><th>type</th><th>mean</th><th>std</th><th>grad std</th><th>saturated</th><th>dead</th></tr>${rows.join('')}</table>` +
    `<div class="charts">${charts.join('')}</div>`;
}

export function renderReport(data: ReportData): string {
  const title = data.title ?? 'tensorgrad run';
  const last = data.history.at(-1);
  const summary = last
    ? `<p>${data.history.length} epochs; last train loss ${last.trainLoss.toFixed(6)}${last.valLoss !== undefined ? `, validation loss ${last.valLoss.toFixed(6)}` : ''}${Object.entries(last.val ?? {}).map(([k, v]) => `, validation ${escapeXml(k)} ${v.toFixed(4)}`).join('')}.</p>`
    : '<p>No epoch finished.</p>';
  const sanity = data.sanity?.length
    ? `<h2>Sanity checks</h2><table>${data.sanity.map((s) => `<tr><td class="${s.passed ? 'pass' : 'fail'}">${s.passed ? 'pass' : 'FAIL'}</td><td>${escapeXml(s.name)}</td><td>${escapeXml(s.detail)}</td></tr>`).join('')}</table>`
    : '';
  const notes = data.notes?.length ? `<ul>${data.notes.map((n) => `<li>${escapeXml(n)}</li>`).join('')}</ul>` : '';
  const config = data.config !== undefined ? `<h2>Config</h2><pre>${escapeXml(JSON.stringify(data.config, null, 2))}</pre>` : '';
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${escapeXml(title)}</title><style>${STYLE}</style></head><body>` +
    `<h1>${escapeXml(title)}</h1>${summary}${notes}<h2>Curves</h2>${curves(data.history)}${sanity}${diagnosticsSection(data.diagnostics ?? [])}${config}</body></html>\n`;
}

/** Writes runDir/report.html atomically and returns its path. */
export function writeReport(runDir: string, data: ReportData): string {
  const file = path.join(runDir, 'report.html');
  writeFileAtomic(file, new TextEncoder().encode(renderReport(data)));
  return file;
}

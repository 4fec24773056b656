// report.html: the curves, diagnostics, sanity checks and config in one file with no scripts or
// network; rendered by headless Chromium (Debian's chromium, when installed) into a screenshot.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderReport, tensorStats, writeReport } from '../../lib';
import type { EpochRecord, ReportData } from '../../lib';
import { itWithPeers } from '../peers';
import { screenshot } from './report-browser';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-report-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const history: EpochRecord[] = Array.from({ length: 8 }, (_, e) => ({
  epoch: e, trainLoss: 2.3 * 0.7 ** e, train: { accuracy: 1 - 0.9 * 0.7 ** e }, valLoss: 2.3 * 0.75 ** e,
  val: { accuracy: 1 - 0.9 * 0.75 ** e }, lr: 1e-3 * 0.9 ** e, seconds: 1, samplesPerSecond: 5e4,
}));

const data: ReportData = {
  title: 'digits <mlp> & friends',
  config: { model: '64-128-10', lr: 1e-3, note: '<script>alert(1)</script>' },
  history,
  diagnostics: [0, 4, 7].map((epoch) => ({
    epoch,
    layers: [{ name: '1', type: 'Tanh', activation: tensorStats(Array.from({ length: 500 }, (_, i) => Math.tanh((i - 250) / (60 + epoch * 10)))), gradient: tensorStats([0.1, -0.2, 0.05]), saturated: 0.02, dead: null }],
  })),
  sanity: [
    { name: 'initial loss ≈ ln C', passed: true, detail: 'initial loss 2.3031 vs ln 10 = 2.3026' },
    { name: 'overfits 20 examples', passed: false, detail: 'train accuracy 0.85 after 200 steps' },
  ],
  notes: ['stopped: early stopping'],
};

describe('report.html', () => {
  it('holds the curves, diagnostics, sanity checks and config, escaped, without scripts', () => {
    const html = renderReport(data);
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/(src|href)=|url\(/); // nothing fetched: the SVG namespace is the only URL
    expect(html).toContain('digits &lt;mlp&gt; &amp; friends');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html.match(/<svg /g)).toHaveLength(5); // loss, accuracy, lr, activation and gradient histograms
    expect(html.match(/<polyline /g)!.length).toBe(5); // train+val loss, train+val accuracy, lr
    expect(html).toContain('<td class="fail">FAIL</td><td>overfits 20 examples</td>');
    expect(html).toContain('8 epochs; last train loss');
  });

  it('draws empty charts for an empty history', () => {
    expect(renderReport({ history: [] })).toMatch(/No epoch finished/);
  });

  itWithPeers('chromium', 'renders in headless Chromium without errors into a non-blank screenshot', () => {
    const file = writeReport(dir, data);
    const { png, log: out } = screenshot(file, dir);
    expect(out).not.toMatch(/CONSOLE.*(Uncaught|Error)/);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.length).toBeGreaterThan(20_000); // charts, not a blank page
    fs.mkdirSync(path.join(__dirname, '..', '..', 'test-artifacts'), { recursive: true });
    fs.writeFileSync(path.join(__dirname, '..', '..', 'test-artifacts', 'report.png'), png);
  });
});

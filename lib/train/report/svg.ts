/**
 * Inline SVG charts for report.html: a few dozen lines instead of a charting library, so the
 * report is one small self-contained file that opens anywhere without network or scripts.
 * Axis labels carry the classes "xtick" and "ytick" (and heatmap columns "epoch"), so tests and
 * tools can read them back from the page.
 */

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * Round tick values covering [min, max] (about `count` of them: 1, 2 or 5 times a power of 10).
 * With integer, the step is a whole number, so the ticks are integers (epochs).
 */
export function niceTicks(min: number, max: number, count = 5, integer = false): number[] {
  if (!(max > min)) return integer ? [Math.round(min)] : [min];
  const raw = (max - min) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  let step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw)!;
  if (integer) step = Math.max(1, Math.round(step));
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step - 1e-9) * step; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/**
 * Ticks of a log axis, as log10 values: whole decades when the range spans two or more, else
 * 1, 2 and 5 times powers of ten (or every digit when those are too few), never 10^0.3981.
 */
export function logTicks(lo: number, hi: number): number[] {
  if (hi - lo >= 2) return niceTicks(lo, hi, 5, true);
  for (const mantissas of [[1, 2, 5], [1, 2, 3, 4, 5, 6, 7, 8, 9]]) {
    const ticks: number[] = [];
    for (let k = Math.floor(lo); k <= Math.ceil(hi); k++) {
      for (const m of mantissas) {
        const t = Math.log10(m) + k;
        if (t >= lo - 1e-9 && t <= hi + 1e-9) ticks.push(t);
      }
    }
    if (ticks.length >= 3) return ticks;
  }
  return niceTicks(lo, hi);
}

export function formatTick(v: number): string {
  if (v === 0) return '0';
  return Math.abs(v) >= 1e4 || Math.abs(v) < 1e-3 ? v.toExponential(0) : String(Number(v.toPrecision(4)));
}

export interface Series {
  name: string;
  points: [number, number][];
  color: string;
}

/** A horizontal reference line at y (drawn dashed, labelled at the right end). */
export interface GuideLine {
  y: number;
  label: string;
}

export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  /** Plot log10(y) (for learning rates and losses spanning decades). */
  logY?: boolean;
  /** Whole-number x ticks (epochs): never 1.5. */
  integerX?: boolean;
  guides?: GuideLine[];
  width?: number;
  height?: number;
}

const PAD = { left: 64, right: 16, top: 40, bottom: 44 };
const LEGEND_ITEM = 96;

/** Cycled through for charts with many series (one per layer). */
export const PALETTE = ['#3563c9', '#e07a1f', '#18794e', '#c0392b', '#6b4bc4', '#8a6d3b', '#d6449b', '#5f6b7a'];

function svgHead(title: string, width: number, height: number): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(title)}">` +
    `<text x="${width / 2}" y="18" text-anchor="middle" class="title">${escapeXml(title)}</text>`;
}

function noData(head: string, width: number, height: number): string {
  return `${head}<text x="${width / 2}" y="${height / 2}" text-anchor="middle">no data</text></svg>`;
}

/** Legend rows in the top margin (as many as the series need); returns the plot's top edge. */
function legend(parts: string[], series: readonly { name: string; color: string }[], plotW: number): number {
  const perRow = Math.max(1, Math.floor(plotW / LEGEND_ITEM));
  const rows = Math.ceil(series.length / perRow);
  const top = PAD.top + Math.max(0, rows - 1) * 14;
  series.forEach((s, i) => {
    const row = Math.floor(i / perRow);
    const inRow = Math.min(perRow, series.length - row * perRow);
    const lx = PAD.left + plotW - LEGEND_ITEM * (inRow - (i % perRow));
    const ly = 27 + row * 14;
    parts.push(`<rect x="${lx}" y="${ly}" width="10" height="10" fill="${s.color}"/>`, `<text x="${lx + 14}" y="${ly + 9}">${escapeXml(s.name)}</text>`);
  });
  return top;
}

export function lineChart(options: LineChartOptions): string {
  const { title, xLabel, yLabel, series, logY = false, integerX = false, guides = [], width = 560, height = 300 } = options;
  const transform = (y: number) => (logY ? Math.log10(y) : y);
  const finite = series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(transform(y)));
  const head = svgHead(title, width, height);
  if (finite.length === 0) return noData(head, width, height);
  const xs = finite.map(([x]) => x);
  const ys = [...finite.map(([, y]) => transform(y)), ...guides.map((g) => transform(g.y)).filter(Number.isFinite)];
  let [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (x0 === x1) [x0, x1] = integerX ? [x0 - 0.5, x1 + 0.5] : [x0 - 1, x1 + 1];
  if (y0 === y1) [y0, y1] = [y0 - 1, y1 + 1];
  const parts = [head];
  const plotW = width - PAD.left - PAD.right;
  const top = legend(parts, series, plotW);
  const plotH = height - top - PAD.bottom;
  const px = (x: number) => PAD.left + ((x - x0) / (x1 - x0)) * plotW;
  const py = (y: number) => top + plotH - ((y - y0) / (y1 - y0)) * plotH;
  parts.push(`<rect x="${PAD.left}" y="${top}" width="${plotW}" height="${plotH}" class="frame"/>`);
  for (const t of logY ? logTicks(y0, y1) : niceTicks(y0, y1)) {
    parts.push(`<line x1="${PAD.left}" x2="${PAD.left + plotW}" y1="${py(t).toFixed(1)}" y2="${py(t).toFixed(1)}" class="grid"/>`,
      `<text x="${PAD.left - 6}" y="${(py(t) + 4).toFixed(1)}" text-anchor="end" class="ytick">${escapeXml(logY ? formatTick(Number((10 ** t).toPrecision(6))) : formatTick(t))}</text>`);
  }
  for (const t of niceTicks(x0, x1, 5, integerX)) {
    if (t < x0 - 1e-9 || t > x1 + 1e-9) continue;
    parts.push(`<text x="${px(t).toFixed(1)}" y="${top + plotH + 16}" text-anchor="middle" class="xtick">${escapeXml(formatTick(t))}</text>`);
  }
  parts.push(`<text x="${PAD.left + plotW / 2}" y="${height - 8}" text-anchor="middle">${escapeXml(xLabel)}</text>`,
    `<text transform="translate(14 ${top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(yLabel)}${logY ? ' (log)' : ''}</text>`);
  for (const g of guides) {
    const y = transform(g.y);
    if (!Number.isFinite(y)) continue;
    parts.push(`<line x1="${PAD.left}" x2="${PAD.left + plotW}" y1="${py(y).toFixed(1)}" y2="${py(y).toFixed(1)}" stroke="#555" stroke-dasharray="5 4" class="guide"><title>${escapeXml(g.label)}</title></line>`,
      `<text x="${PAD.left + plotW - 4}" y="${(py(y) - 4).toFixed(1)}" text-anchor="end" class="guide-label">${escapeXml(g.label)}</text>`);
  }
  for (const s of series) {
    const points = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(transform(y)));
    if (points.length === 0) continue;
    const d = points.map(([x, y]) => `${px(x).toFixed(1)},${py(transform(y)).toFixed(1)}`).join(' ');
    parts.push(`<polyline points="${d}" fill="none" stroke="${s.color}" stroke-width="2" class="series"><title>${escapeXml(s.name)}</title></polyline>`);
    if (points.length === 1) parts.push(`<circle cx="${px(points[0]![0]).toFixed(1)}" cy="${py(transform(points[0]![1])).toFixed(1)}" r="3" fill="${s.color}"/>`);
  }
  parts.push('</svg>');
  return parts.join('');
}

export interface ScatterOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  points: [number, number][];
  /** Draw the line y = x (predicted equals actual). */
  diagonal?: boolean;
  width?: number;
  height?: number;
}

/** Points on shared axes (the same range for x and y when the diagonal is drawn). */
export function scatterChart(options: ScatterOptions): string {
  const { title, xLabel, yLabel, diagonal = false, width = 420, height = 420 } = options;
  const points = options.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const head = svgHead(title, width, height);
  if (points.length === 0) return noData(head, width, height);
  let [x0, x1] = [Math.min(...points.map((p) => p[0])), Math.max(...points.map((p) => p[0]))];
  let [y0, y1] = [Math.min(...points.map((p) => p[1])), Math.max(...points.map((p) => p[1]))];
  if (diagonal) [x0, x1, y0, y1] = [Math.min(x0, y0), Math.max(x1, y1), Math.min(x0, y0), Math.max(x1, y1)];
  if (x0 === x1) [x0, x1] = [x0 - 1, x1 + 1];
  if (y0 === y1) [y0, y1] = [y0 - 1, y1 + 1];
  const plotW = width - PAD.left - PAD.right;
  const plotH = height - PAD.top - PAD.bottom;
  const px = (x: number) => PAD.left + ((x - x0) / (x1 - x0)) * plotW;
  const py = (y: number) => PAD.top + plotH - ((y - y0) / (y1 - y0)) * plotH;
  const parts = [head, `<rect x="${PAD.left}" y="${PAD.top}" width="${plotW}" height="${plotH}" class="frame"/>`];
  for (const t of niceTicks(y0, y1)) parts.push(`<text x="${PAD.left - 6}" y="${(py(t) + 4).toFixed(1)}" text-anchor="end" class="ytick">${escapeXml(formatTick(t))}</text>`);
  for (const t of niceTicks(x0, x1)) parts.push(`<text x="${px(t).toFixed(1)}" y="${PAD.top + plotH + 16}" text-anchor="middle" class="xtick">${escapeXml(formatTick(t))}</text>`);
  if (diagonal) {
    parts.push(`<line x1="${px(x0).toFixed(1)}" y1="${py(x0).toFixed(1)}" x2="${px(x1).toFixed(1)}" y2="${py(x1).toFixed(1)}" stroke="#555" stroke-dasharray="5 4" class="guide"><title>predicted = actual</title></line>`);
  }
  for (const [x, y] of points) parts.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="2.2" fill="#3563c9" fill-opacity="0.55" class="point"/>`);
  parts.push(`<text x="${PAD.left + plotW / 2}" y="${height - 8}" text-anchor="middle">${escapeXml(xLabel)}</text>`,
    `<text transform="translate(14 ${PAD.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(yLabel)}</text>`, '</svg>');
  return parts.join('');
}

export interface HistogramSnapshot {
  /** The time of the snapshot (the epoch, as the report numbers them: from 1). */
  t: number;
  edges: number[];
  counts: number[];
}

/**
 * Histograms over time: one column per snapshot, labelled with its epoch beneath, the value
 * axis shared, each bin shaded by its share of the column's largest bin.
 */
export function histogramHeatmap(title: string, snapshots: HistogramSnapshot[], width = 560, height = 220): string {
  const head = svgHead(title, width, height);
  const usable = snapshots.filter((s) => s.edges.every(Number.isFinite) && s.counts.length > 0);
  if (usable.length === 0) return noData(head, width, height);
  let lo = Math.min(...usable.map((s) => s.edges[0]!));
  let hi = Math.max(...usable.map((s) => s.edges.at(-1)!));
  if (lo === hi) [lo, hi] = [lo - 1, hi + 1];
  const plotW = width - PAD.left - PAD.right;
  const plotH = height - PAD.top - PAD.bottom;
  const py = (v: number) => PAD.top + plotH - ((v - lo) / (hi - lo)) * plotH;
  const column = plotW / usable.length;
  const parts = [head, `<rect x="${PAD.left}" y="${PAD.top}" width="${plotW}" height="${plotH}" class="frame"/>`];
  usable.forEach((s, c) => {
    const peak = Math.max(...s.counts, 1);
    s.counts.forEach((count, b) => {
      if (count === 0) return;
      const top = py(s.edges[b + 1]!);
      const h = Math.max(1, py(s.edges[b]!) - top);
      parts.push(`<rect x="${(PAD.left + c * column).toFixed(1)}" y="${top.toFixed(1)}" width="${Math.max(1, column - 1).toFixed(1)}" height="${h.toFixed(1)}" fill="#3563c9" fill-opacity="${(0.1 + 0.9 * (count / peak)).toFixed(3)}"/>`);
    });
  });
  for (const t of niceTicks(lo, hi, 4)) parts.push(`<text x="${PAD.left - 6}" y="${(py(t) + 4).toFixed(1)}" text-anchor="end" class="ytick">${escapeXml(formatTick(t))}</text>`);
  // Every column's epoch when they fit (about 28 px each), else every k-th counted back from the last.
  const every = Math.max(1, Math.ceil((28 * usable.length) / plotW));
  usable.forEach((s, c) => {
    if ((usable.length - 1 - c) % every !== 0) return;
    parts.push(`<text x="${(PAD.left + (c + 0.5) * column).toFixed(1)}" y="${PAD.top + plotH + 16}" text-anchor="middle" class="xtick epoch">${escapeXml(String(s.t))}</text>`);
  });
  parts.push(`<text x="${PAD.left + plotW / 2}" y="${height - 8}" text-anchor="middle">epoch</text>`, '</svg>');
  return parts.join('');
}

/**
 * Inline SVG charts for report.html: a few dozen lines instead of a charting library, so the
 * report is one small self-contained file that opens anywhere without network or scripts.
 */

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Round tick values covering [min, max] (about `count` of them: 1, 2 or 5 times a power of 10). */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

function formatTick(v: number): string {
  if (v === 0) return '0';
  return Math.abs(v) >= 1e4 || Math.abs(v) < 1e-3 ? v.toExponential(0) : String(Number(v.toPrecision(4)));
}

export interface Series {
  name: string;
  points: [number, number][];
  color: string;
}

export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  /** Plot log10(y) (for learning rates and losses spanning decades). */
  logY?: boolean;
  width?: number;
  height?: number;
}

const PAD = { left: 64, right: 16, top: 40, bottom: 44 };

export function lineChart(options: LineChartOptions): string {
  const { title, xLabel, yLabel, series, logY = false, width = 560, height = 300 } = options;
  const transform = (y: number) => (logY ? Math.log10(y) : y);
  const finite = series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(transform(y)));
  const head = `<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(title)}">` +
    `<text x="${width / 2}" y="18" text-anchor="middle" class="title">${escapeXml(title)}</text>`;
  if (finite.length === 0) return `${head}<text x="${width / 2}" y="${height / 2}" text-anchor="middle">no data</text></svg>`;
  const xs = finite.map(([x]) => x);
  const ys = finite.map(([, y]) => transform(y));
  let [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (x0 === x1) [x0, x1] = [x0 - 1, x1 + 1];
  if (y0 === y1) [y0, y1] = [y0 - 1, y1 + 1];
  const plotW = width - PAD.left - PAD.right;
  const plotH = height - PAD.top - PAD.bottom;
  const px = (x: number) => PAD.left + ((x - x0) / (x1 - x0)) * plotW;
  const py = (y: number) => PAD.top + plotH - ((y - y0) / (y1 - y0)) * plotH;
  const parts = [head, `<rect x="${PAD.left}" y="${PAD.top}" width="${plotW}" height="${plotH}" class="frame"/>`];
  for (const t of niceTicks(y0, y1)) {
    parts.push(`<line x1="${PAD.left}" x2="${PAD.left + plotW}" y1="${py(t).toFixed(1)}" y2="${py(t).toFixed(1)}" class="grid"/>`,
      `<text x="${PAD.left - 6}" y="${(py(t) + 4).toFixed(1)}" text-anchor="end">${escapeXml(logY ? formatTick(10 ** t) : formatTick(t))}</text>`);
  }
  for (const t of niceTicks(x0, x1)) {
    parts.push(`<text x="${px(t).toFixed(1)}" y="${PAD.top + plotH + 16}" text-anchor="middle">${escapeXml(formatTick(t))}</text>`);
  }
  parts.push(`<text x="${PAD.left + plotW / 2}" y="${height - 8}" text-anchor="middle">${escapeXml(xLabel)}</text>`,
    `<text transform="translate(14 ${PAD.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(yLabel)}${logY ? ' (log)' : ''}</text>`);
  series.forEach((s, i) => {
    const points = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(transform(y)));
    if (points.length > 0) {
      const d = points.map(([x, y]) => `${px(x).toFixed(1)},${py(transform(y)).toFixed(1)}`).join(' ');
      parts.push(`<polyline points="${d}" fill="none" stroke="${s.color}" stroke-width="2" class="series"><title>${escapeXml(s.name)}</title></polyline>`);
      if (points.length === 1) parts.push(`<circle cx="${px(points[0]![0]).toFixed(1)}" cy="${py(transform(points[0]![1])).toFixed(1)}" r="3" fill="${s.color}"/>`);
    }
    // The legend sits in the top margin, right-aligned, clear of the curves.
    const lx = PAD.left + plotW - 90 * (series.length - i);
    parts.push(`<rect x="${lx}" y="${PAD.top - 13}" width="10" height="10" fill="${s.color}"/>`,
      `<text x="${lx + 14}" y="${PAD.top - 4}">${escapeXml(s.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

export interface HistogramSnapshot {
  /** The time of the snapshot (epoch). */
  t: number;
  edges: number[];
  counts: number[];
}

/**
 * Histograms over time: one column per snapshot, the value axis shared, each bin shaded by its
 * share of the column's largest bin.
 */
export function histogramHeatmap(title: string, snapshots: HistogramSnapshot[], width = 560, height = 220): string {
  const head = `<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(title)}">` +
    `<text x="${width / 2}" y="18" text-anchor="middle" class="title">${escapeXml(title)}</text>`;
  const usable = snapshots.filter((s) => s.edges.every(Number.isFinite) && s.counts.length > 0);
  if (usable.length === 0) return `${head}<text x="${width / 2}" y="${height / 2}" text-anchor="middle">no data</text></svg>`;
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
  for (const t of niceTicks(lo, hi, 4)) parts.push(`<text x="${PAD.left - 6}" y="${(py(t) + 4).toFixed(1)}" text-anchor="end">${escapeXml(formatTick(t))}</text>`);
  parts.push(`<text x="${PAD.left + plotW / 2}" y="${height - 8}" text-anchor="middle">epoch ${usable[0]!.t} … ${usable.at(-1)!.t}</text>`, '</svg>');
  return parts.join('');
}

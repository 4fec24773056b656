/** A run directory: the config used, metrics.jsonl, the models, checkpoints and the log. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../io/atomic';

/** Where a run prints: process.stdout, or anything with write() (a test's sink). */
export interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export const RUN_FILES = {
  config: 'config.json',
  metrics: 'metrics.jsonl',
  log: 'train.log',
  finalModel: 'model.safetensors',
  bestModel: 'best.safetensors',
  summary: 'summary.json',
  layers: 'layers.jsonl',
  report: 'report.html',
  checkpoints: 'checkpoints',
  tensorboard: 'tensorboard',
} as const;

export function defaultRunDir(data: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  const name = path.basename(data).replace(/[^A-Za-z0-9_.-]/g, '_');
  return path.join('runs', `${name}-${stamp}`);
}

export function writeJson(file: string, value: unknown): void {
  writeFileAtomic(file, new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`));
}

/**
 * Keeps the lines of a JSON-lines log whose epoch is below `epochs` (rewritten atomically): a
 * resumed run repeats the epochs after its checkpoint, and logs them again.
 */
export function keepEpochsBefore(file: string, epochs: number): void {
  if (!fs.existsSync(file)) return;
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter((line) => line.trim() !== '');
  const kept = lines.filter((line) => {
    try {
      const epoch = (JSON.parse(line) as { epoch?: unknown }).epoch;
      return typeof epoch !== 'number' || epoch < epochs;
    } catch {
      return false; // a line cut short when the process was killed
    }
  });
  if (kept.length !== lines.length) writeFileAtomic(file, new TextEncoder().encode(kept.map((l) => `${l}\n`).join('')));
}

export function readJson(file: string, what: string): unknown {
  if (!fs.existsSync(file)) throw new Error(`${what}: ${file} not found`);
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/** Writes each line to the terminal (or whatever out is) and appends it to the run's log. */
export class Tee {
  readonly isTTY: boolean;
  readonly columns: number | undefined;
  constructor(private readonly out: Output, private readonly logFile: string) {
    this.isTTY = Boolean(out.isTTY);
    this.columns = out.columns;
  }
  write(text: string): boolean {
    this.out.write(text);
    // The log keeps whole lines, not the bar's carriage-return redraws.
    const lines = text.split('\n').filter((line, i, all) => !line.includes('\r') && (line !== '' || i < all.length - 1));
    if (lines.length > 0) fs.appendFileSync(this.logFile, lines.map((l) => `${l}\n`).join(''));
    return true;
  }
}

/**
 * Random hyper-parameter search, as the notes practise it: sample in log space, train each
 * trial briefly, then narrow the space around the best trials and search again (coarse to fine).
 * Sampling is seeded (Philox, independent of the model's generator); trials that explode are
 * kept in the results, marked, and ranked last; trials can run in worker threads.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { philox4x32 } from '../backend/random';

export type Distribution =
  | { kind: 'logUniform'; low: number; high: number }
  | { kind: 'uniform'; low: number; high: number }
  | { kind: 'choice'; values: readonly (string | number | boolean)[] };

/** 10^uniform(log10 low, log10 high): for learning rates and regularization strengths. */
export function logUniform(low: number, high: number): Distribution {
  if (!(low > 0 && high > low && Number.isFinite(high))) {
    throw new RangeError(`logUniform: Expected 0 < low < high but received ${low}, ${high}`);
  }
  return { kind: 'logUniform', low, high };
}

export function uniform(low: number, high: number): Distribution {
  if (!(Number.isFinite(low) && Number.isFinite(high) && high > low)) {
    throw new RangeError(`uniform: Expected finite low < high but received ${low}, ${high}`);
  }
  return { kind: 'uniform', low, high };
}

export function choice(values: readonly (string | number | boolean)[]): Distribution {
  if (!Array.isArray(values) || values.length === 0) throw new RangeError('choice: Expected a non-empty array of values');
  return { kind: 'choice', values: [...values] };
}

export type Space = Record<string, Distribution>;
export type Params = Record<string, string | number | boolean>;

export interface TrialResult {
  /** The value ranked by (val accuracy, say); NaN or ±Inf counts as exploded. */
  score: number;
  /** Set when the trial was stopped for exploding (the score is then ignored). */
  exploded?: boolean;
  [extra: string]: unknown;
}

export interface Trial {
  round: number;
  index: number;
  params: Params;
  result: TrialResult | null;
  /** The error a failed trial threw. */
  error?: string;
  seconds: number;
}

export type Objective = (params: Params, trial: { round: number; index: number }) => TrialResult | Promise<TrialResult>;

export interface SearchOptions {
  space: Space;
  /** Trials per round. */
  trials: number;
  /** Rounds of coarse-to-fine narrowing (default 1: a plain random search). */
  rounds?: number;
  /** How many of the best trials bound the next round's space (default a quarter, at least 2). */
  keepTop?: number;
  mode?: 'max' | 'min';
  seed?: number;
  /** The objective, run in this thread. */
  objective?: Objective;
  /** Or run in `workers` worker threads: a module (file path) exporting `exportName` (default "objective"). */
  objectiveModule?: string;
  exportName?: string;
  workers?: number;
  /** A JSONL file: one line per finished trial. */
  jsonl?: string;
}

export interface SearchResult {
  /** Every trial, best first; exploded and failed trials last. */
  trials: Trial[];
  best: Trial | null;
  /** The space each round sampled from. */
  spaces: Space[];
}

/** Uniform numbers in [0, 1) from (seed, round, index, dimension). */
function unit(seed: number, round: number, index: number, dim: number): number {
  const out = new Uint32Array(4);
  philox4x32([index, round, dim, 0x5ea4c4], [seed >>> 0, Math.floor(seed / 2 ** 32) >>> 0], out);
  return (out[0]! * 2 ** 21 + (out[1]! >>> 11)) / 2 ** 53;
}

export function sample(space: Space, seed: number, round: number, index: number): Params {
  const params: Params = {};
  Object.entries(space).forEach(([name, d], dim) => {
    const u = unit(seed, round, index, dim);
    if (d.kind === 'logUniform') params[name] = 10 ** (Math.log10(d.low) + u * (Math.log10(d.high) - Math.log10(d.low)));
    else if (d.kind === 'uniform') params[name] = d.low + u * (d.high - d.low);
    else params[name] = d.values[Math.min(d.values.length - 1, Math.floor(u * d.values.length))]!;
  });
  return params;
}

function usable(t: Trial): boolean {
  return !!t.result && !t.result.exploded && Number.isFinite(t.result.score);
}

export function rank(trials: Trial[], mode: 'max' | 'min'): Trial[] {
  return [...trials].sort((a, b) => {
    const ua = usable(a);
    const ub = usable(b);
    if (ua !== ub) return ua ? -1 : 1;
    if (!ua) return a.round - b.round || a.index - b.index;
    return mode === 'max' ? b.result!.score - a.result!.score : a.result!.score - b.result!.score;
  });
}

/**
 * The next round's space: each numeric range shrunk to the span of the best trials' values,
 * widened by a quarter of that span on each side (in log space for logUniform) and kept inside
 * the old range; choices reduced to the values the best trials used.
 */
export function narrow(space: Space, best: Trial[]): Space {
  const next: Space = {};
  for (const [name, d] of Object.entries(space)) {
    const values = best.map((t) => t.params[name]!);
    if (d.kind === 'choice') {
      next[name] = { kind: 'choice', values: d.values.filter((v) => values.includes(v)) };
      continue;
    }
    const toAxis = d.kind === 'logUniform' ? Math.log10 : (v: number) => v;
    const fromAxis = d.kind === 'logUniform' ? (v: number) => 10 ** v : (v: number) => v;
    const axis = (values as number[]).map(toAxis);
    const [lo, hi] = [Math.min(...axis), Math.max(...axis)];
    const oldLo = toAxis(d.low);
    const oldHi = toAxis(d.high);
    const margin = Math.max((hi - lo) / 4, (oldHi - oldLo) / 100);
    const low = fromAxis(Math.max(oldLo, lo - margin));
    const high = fromAxis(Math.min(oldHi, hi + margin));
    next[name] = { kind: d.kind, low, high };
  }
  return next;
}

async function runHere(objective: Objective, jobs: Trial[], onDone: (t: Trial) => void): Promise<void> {
  for (const trial of jobs) {
    const started = performance.now();
    try {
      trial.result = await objective(trial.params, { round: trial.round, index: trial.index });
    } catch (e) {
      trial.error = (e as Error)?.message ?? String(e);
    }
    trial.seconds = (performance.now() - started) / 1000;
    onDone(trial);
  }
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { pathToFileURL } = require('node:url');
const ready = import(pathToFileURL(workerData.module).href).then((m) => {
  const fn = m[workerData.exportName] ?? m.default?.[workerData.exportName];
  if (typeof fn !== 'function') throw new Error(workerData.module + ' exports no function ' + workerData.exportName);
  return fn;
});
parentPort.on('message', async (trial) => {
  const started = performance.now();
  try {
    const result = await (await ready)(trial.params, { round: trial.round, index: trial.index });
    parentPort.postMessage({ key: trial.key, result, seconds: (performance.now() - started) / 1000 });
  } catch (e) {
    parentPort.postMessage({ key: trial.key, error: String(e && e.message || e), seconds: (performance.now() - started) / 1000 });
  }
});
`;

async function runInWorkers(module: string, exportName: string, count: number, jobs: Trial[], onDone: (t: Trial) => void): Promise<void> {
  const queue = [...jobs];
  const workers = Array.from({ length: Math.min(count, jobs.length) }, () =>
    new Worker(WORKER_SOURCE, { eval: true, workerData: { module: path.resolve(module), exportName } }));
  try {
    await Promise.all(workers.map((worker) => new Promise<void>((resolve, reject) => {
      let current: Trial | undefined;
      const next = () => {
        current = queue.shift();
        if (!current) return resolve();
        worker.postMessage({ key: 0, params: current.params, round: current.round, index: current.index });
      };
      worker.on('message', (msg: { result?: TrialResult; error?: string; seconds: number }) => {
        const trial = current!;
        if (msg.error !== undefined) trial.error = msg.error;
        else trial.result = msg.result!;
        trial.seconds = msg.seconds;
        onDone(trial);
        next();
      });
      worker.on('error', reject);
      next();
    })));
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

export async function search(options: SearchOptions): Promise<SearchResult> {
  const { trials: perRound, rounds = 1, mode = 'max', seed = 0, workers = 0 } = options;
  if (!Number.isInteger(perRound) || perRound < 1) throw new RangeError(`search: Expected a positive integer trials but received ${perRound}`);
  if (!Number.isInteger(rounds) || rounds < 1) throw new RangeError(`search: Expected a positive integer rounds but received ${rounds}`);
  if (!options.space || Object.keys(options.space).length === 0) throw new RangeError('search: Expected a space with at least one dimension');
  if (!options.objective && !options.objectiveModule) throw new TypeError('search: Expected an objective function or an objectiveModule');
  if (workers > 0 && !options.objectiveModule) throw new TypeError('search: worker threads need objectiveModule (a function cannot be sent to a worker)');
  const keepTop = options.keepTop ?? Math.max(2, Math.ceil(perRound / 4));
  const all: Trial[] = [];
  const spaces: Space[] = [];
  let space = options.space;
  const record = (t: Trial) => {
    if (options.jsonl) {
      fs.mkdirSync(path.dirname(path.resolve(options.jsonl)), { recursive: true });
      fs.appendFileSync(options.jsonl, `${JSON.stringify(t)}\n`);
    }
  };
  for (let round = 0; round < rounds; round++) {
    spaces.push(space);
    const jobs: Trial[] = Array.from({ length: perRound }, (_, index) => ({ round, index, params: sample(space, seed, round, index), result: null, seconds: 0 }));
    if (workers > 0) await runInWorkers(options.objectiveModule!, options.exportName ?? 'objective', workers, jobs, record);
    else {
      const objective = options.objective ?? (await import(path.resolve(options.objectiveModule!)))[options.exportName ?? 'objective'];
      await runHere(objective, jobs, record);
    }
    all.push(...jobs);
    const best = rank(jobs, mode).filter(usable).slice(0, keepTop);
    if (best.length >= 2) space = narrow(space, best);
  }
  const ranked = rank(all, mode);
  return { trials: ranked, best: ranked.find(usable) ?? null, spaces };
}

/** The results as a text table, best first: rank, score, each parameter, status. */
export function resultsTable(result: SearchResult): string {
  const names = Object.keys(result.spaces[0] ?? {});
  const format = (v: unknown) => (typeof v === 'number' ? (Math.abs(v) < 1e-2 || Math.abs(v) >= 1e4 ? v.toExponential(6) : v.toFixed(6)) : String(v));
  const header = ['#', 'round', 'score', ...names, 'status'];
  const rows = result.trials.map((t, i) => [
    String(i + 1), String(t.round), t.result && usable(t) ? format(t.result.score) : '-', ...names.map((n) => format(t.params[n])),
    t.error ? `failed: ${t.error}` : t.result?.exploded || (t.result && !usable(t)) ? 'exploded' : 'ok',
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]) => cells.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/**
 * `tensorgrad search`: random search over learning rate, weight decay and dropout (log-uniform,
 * log-uniform, uniform), coarse then fine, each trial a short training run scored by its best
 * validation accuracy; a sorted table on stdout and one JSON line per trial.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type SearchResult, resultsTable, search } from '../train/search';
import { logUniform, uniform } from '../train/search-space';
import type { RunConfig } from '../train/run-config';
import type { Output } from '../train/run-dir';
import { SEARCH_BASE_ENV, scoreName, trial } from './search-objective';

export interface SearchCommandOptions {
  trials: number;
  rounds: number;
  workers: number;
  lr: [number, number];
  weightDecay: [number, number];
  dropout: [number, number];
  out?: Output;
}

/** "low,high" → [low, high], both finite with low < high. */
export function parseRange(flag: string, text: string, positive: boolean): [number, number] {
  const parts = text.split(',').map((p) => Number(p.trim()));
  if (parts.length !== 2 || !parts.every(Number.isFinite) || !(parts[0]! < parts[1]!) || (positive && !(parts[0]! > 0))) {
    throw new RangeError(`${flag}: Expected "low,high" with low < high${positive ? ' and low > 0' : ''} but received "${text}"`);
  }
  return parts as [number, number];
}

export async function runSearch(base: RunConfig, options: SearchCommandOptions): Promise<SearchResult> {
  const out = options.out ?? process.stdout;
  const runDir = base.out || path.join('runs', `search-${path.basename(base.data)}-${Date.now()}`);
  fs.mkdirSync(runDir, { recursive: true });
  const space = {
    lr: logUniform(...options.lr),
    weightDecay: logUniform(...options.weightDecay),
    dropout: uniform(...options.dropout),
  };
  const jsonl = path.join(runDir, 'search.jsonl');
  fs.rmSync(jsonl, { force: true });
  out.write(`Searching lr, weightDecay and dropout: ${options.trials} trials × ${options.rounds} rounds of ${base.epochs} epochs on ${base.data}${options.workers ? ` in ${options.workers} workers` : ''} -> ${jsonl}\n`);
  const common = { space, trials: options.trials, rounds: options.rounds, seed: base.seed, mode: 'max' as const, jsonl };
  let result: SearchResult;
  if (options.workers > 0) {
    process.env[SEARCH_BASE_ENV] = JSON.stringify(base);
    result = await search({ ...common, workers: options.workers, objectiveModule: path.join(__dirname, 'search-objective.js') });
  } else {
    result = await search({ ...common, objective: (params) => trial(base, params) });
  }
  out.write(`${resultsTable(result)}\n`);
  const best = result.best;
  if (best) {
    const p = best.params as { lr: number; weightDecay: number; dropout: number };
    const score = scoreName(base.task) === 'r2' ? `R² ${best.result!.score.toFixed(4)}` : `accuracy ${(best.result!.score * 100).toFixed(2)}%`;
    out.write(`Best: validation ${score} with --lr ${p.lr.toExponential(3)} --weight-decay ${p.weightDecay.toExponential(3)} --dropout ${p.dropout.toFixed(3)}\n`);
  }
  return result;
}

// Random search: log-space sampling, seeded; coarse-to-fine narrowing that finds better trials;
// exploded trials ranked last; JSONL; worker threads giving the same results as one thread.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { narrow, resultsTable, sample, search, searchSpace } from '../../lib';
import type { Params, TrialResult } from '../../lib';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-search-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const space = { lr: searchSpace.logUniform(1e-6, 1e-1), reg: searchSpace.uniform(0, 1), act: searchSpace.choice(['relu', 'tanh']) };

/** Best at lr = 1e-3, reg = 0.5, relu; NaN (an explosion) for lr above 3e-2. */
function objective(p: Params): TrialResult {
  const lr = p['lr'] as number;
  if (lr > 3e-2) return { score: Number.NaN, exploded: true };
  return { score: -((Math.log10(lr) + 3) ** 2) - ((p['reg'] as number) - 0.5) ** 2 - (p['act'] === 'relu' ? 0 : 0.5) };
}

describe('search', () => {
  it('samples log-uniformly: each decade gets its share', () => {
    const counts = new Array<number>(5).fill(0);
    for (let i = 0; i < 5000; i++) counts[Math.floor(-Math.log10(sample(space, 1, 0, i)['lr'] as number)) - 1]!++;
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(150);
    expect(sample(space, 1, 0, 7)).toEqual(sample(space, 1, 0, 7));
    expect(sample(space, 2, 0, 7)).not.toEqual(sample(space, 1, 0, 7));
  });

  it('refuses reversed or empty ranges (the notes write uniform(-3, -6))', () => {
    expect(() => searchSpace.uniform(-3, -6)).toThrow('uniform: Expected finite low < high but received -3, -6');
    expect(() => searchSpace.logUniform(0, 1)).toThrow(/0 < low < high/);
    expect(() => searchSpace.choice([])).toThrow(/non-empty/);
  });

  it('narrows to the best trials, inside the old range', () => {
    const best = [{ lr: 1e-4, reg: 0.4, act: 'relu' }, { lr: 1e-3, reg: 0.6, act: 'relu' }].map((params, index) => ({ round: 0, index, params, result: { score: 0 }, seconds: 0 }));
    const next = narrow(space, best);
    expect(next['act']).toEqual({ kind: 'choice', values: ['relu'] });
    const lr = next['lr'] as { low: number; high: number };
    expect(lr.low).toBeCloseTo(10 ** -4.25, 12);
    expect(lr.high).toBeCloseTo(10 ** -2.75, 12);
    const reg = next['reg'] as { low: number; high: number };
    expect(reg.low).toBeCloseTo(0.35, 12);
    expect(reg.high).toBeCloseTo(0.65, 12);
  });

  it('finds better trials in a fine round than in the coarse one, and ranks explosions last', async () => {
    const jsonl = path.join(dir, 'trials.jsonl');
    const result = await search({ space, trials: 20, rounds: 2, seed: 3, objective, jsonl });
    expect(result.trials).toHaveLength(40);
    const coarse = result.trials.filter((t) => t.round === 0 && t.result && !t.result.exploded).map((t) => t.result!.score);
    const fine = result.trials.filter((t) => t.round === 1 && t.result && !t.result.exploded).map((t) => t.result!.score);
    const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
    expect(median(fine)).toBeGreaterThan(median(coarse));
    expect(result.best!.result!.score).toBeGreaterThan(median(coarse));
    expect(result.best!.result!.score).toBeGreaterThan(-0.1);
    expect(result.trials.at(-1)!.result!.exploded).toBe(true);
    expect(fs.readFileSync(jsonl, 'utf8').trim().split('\n')).toHaveLength(40);
    const table = resultsTable(result).split('\n');
    expect(table[0]).toMatch(/^#\s+round\s+score\s+lr\s+reg\s+act\s+status$/);
    expect(table[1]).toMatch(/^1\s/);
    expect(table.at(-1)).toMatch(/exploded$/);
  });

  it('runs trials in worker threads with the same results', async () => {
    const module = path.join(dir, 'objective.mjs');
    fs.writeFileSync(module, `export function objective(p) {
      if (p.lr > 3e-2) return { score: NaN, exploded: true };
      return { score: -((Math.log10(p.lr) + 3) ** 2) - (p.reg - 0.5) ** 2 - (p.act === 'relu' ? 0 : 0.5) };
    }\n`);
    const here = await search({ space, trials: 6, seed: 9, objective });
    const threaded = await search({ space, trials: 6, seed: 9, objectiveModule: module, workers: 2 });
    expect(threaded.trials.map((t) => [t.params, t.result])).toEqual(here.trials.map((t) => [t.params, t.result]));
  });

  it('records trials that throw as failed', async () => {
    const result = await search({ space, trials: 3, objective: () => { throw new Error('out of memory'); } });
    expect(result.best).toBeNull();
    expect(result.trials.every((t) => t.error === 'out of memory')).toBe(true);
    expect(resultsTable(result)).toMatch(/failed: out of memory/);
    await expect(search({ space, trials: 0, objective })).rejects.toThrow(/positive integer trials/);
    await expect(search({ space, trials: 2, workers: 2, objective })).rejects.toThrow(/objectiveModule/);
  });
});

// tensorgrad lr-find and search on the shipped digits: the sweep suggests a usable rate, the
// search writes one JSON line per trial and its best trial beats the median.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../lib/cli/config';
import { runCheck } from '../../lib/cli/check-command';
import { runLrFind } from '../../lib/cli/lr-find-command';
import { parseRange, runSearch } from '../../lib/cli/search-command';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tensorgrad-babysit-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
const quiet = { write: () => true };

describe('tensorgrad check', () => {
  it("runs the notes' three sanity checks on the default model and prints each verdict", () => {
    const lines: string[] = [];
    const results = runCheck(resolveConfig({}, {}), { out: { write: (t: string) => lines.push(t) } });
    expect(results.map((r) => [r.name, r.passed])).toEqual([
      ['initial loss ≈ ln C', true], ['regularization raises the loss', true], ['overfits 20 examples', true],
    ]);
    expect(lines.join('')).toMatch(/^Sanity checks of 64-512-256-10 \(relu\) on digits\nPASS initial loss ≈ ln C: initial loss [\d.]+ on 1000 rows vs ln 10 = 2.302585/);
  });
});

describe('tensorgrad lr-find', () => {
  it('suggests a learning rate inside the range where Adam trains the digits MLP', () => {
    const out = path.join(root, 'lr');
    const result = runLrFind(resolveConfig({}, { out }), { startLr: 1e-6, endLr: 10, steps: 120, out: quiet });
    expect(result.diverged).toBe(true);
    expect(result.suggestion).toBeGreaterThan(1e-4);
    expect(result.suggestion).toBeLessThan(1e-1);
    const saved = JSON.parse(fs.readFileSync(path.join(out, 'lr-find.json'), 'utf8'));
    expect(saved.suggestion).toBe(result.suggestion);
    expect(saved.lrs).toHaveLength(result.lrs.length);
  });

  it('says the rates are too low, instead of suggesting one, when the loss barely moves over the sweep', () => {
    const lines: string[] = [];
    const result = runLrFind(resolveConfig({}, {}), { startLr: 1e-9, endLr: 1e-6, steps: 60, out: { write: (t: string) => lines.push(t) } });
    expect(result.flat).toBe(true);
    expect(lines.join('')).toMatch(/\nAdvice: the loss barely moved over the whole sweep .* up to lr 1\.0e-6: every rate tried is too low; sweep to a higher endLr/);
    expect(lines.join('')).not.toContain('Suggested learning rate');
  });
});

describe('tensorgrad search', () => {
  it('runs a coarse and a fine round and ranks the trials', async () => {
    const out = path.join(root, 'search');
    const lines: string[] = [];
    const result = await runSearch(resolveConfig({}, { out, epochs: 2 }), {
      trials: 5, rounds: 2, workers: 0, lr: [1e-4, 1e-1], weightDecay: [1e-7, 1e-2], dropout: [0, 0.5], out: { write: (t: string) => lines.push(t) },
    });
    expect(result.trials).toHaveLength(10);
    const jsonl = fs.readFileSync(path.join(out, 'search.jsonl'), 'utf8').trim().split('\n');
    expect(jsonl).toHaveLength(10);
    const scores = result.trials.map((t) => t.result?.score ?? -Infinity).filter(Number.isFinite).sort((a, b) => a - b);
    const median = scores[Math.floor(scores.length / 2)]!;
    expect(result.best!.result!.score).toBeGreaterThan(median);
    expect(lines.join('')).toMatch(/Best: validation accuracy [\d.]+% with --lr [\d.e+-]+ --weight-decay/);
  });

  it('reads ranges as "low,high"', () => {
    expect(parseRange('--lr-range', '1e-4, 0.1', true)).toEqual([1e-4, 0.1]);
    expect(() => parseRange('--lr-range', '0,1', true)).toThrow('--lr-range: Expected "low,high" with low < high and low > 0 but received "0,1"');
    expect(() => parseRange('--dropout-range', '0.5', false)).toThrow(/Expected "low,high"/);
  });
});

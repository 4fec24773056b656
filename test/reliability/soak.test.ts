// The shortened soak: scripts/soak.js with 100 000 kernel calls (every area) and 1 000 training
// steps, in its own process with --expose-gc. It passes on the memory bound only (resident
// memory after warm-up grows by less than 5%); the throughput it reports is not judged here.
// The full run (1 000 000 calls, 20 000 steps) is `npm run soak`.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { referenceOnly } from '../backend/backends';

const SCRIPT = path.join(__dirname, '..', '..', 'scripts', 'soak.js');

describe.skipIf(referenceOnly)('soak (shortened)', () => {
  it('keeps resident memory within 5% after warm-up over 100 000 kernel calls and 1 000 training steps', () => {
    const run = spawnSync(process.execPath, ['--expose-gc', SCRIPT, '--calls', '100000', '--steps', '1000', '--json'], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(run.stderr).toBe('');
    const result = JSON.parse(run.stdout.trim().split('\n').pop()!) as {
      calls: number; steps: number; growth: number; rssWarmMB: number; rssEndMB: number; finalLoss: number;
    };
    expect(result.calls).toBeGreaterThanOrEqual(100_000);
    expect(result.steps).toBeGreaterThanOrEqual(1_000);
    expect(Number.isFinite(result.finalLoss)).toBe(true);
    expect(result.growth, `RSS ${result.rssWarmMB.toFixed(1)} MB after warm-up, ${result.rssEndMB.toFixed(1)} MB at the end`).toBeLessThan(0.05);
    expect(run.status).toBe(0);
  });
});

// Faults end a job on every rank with an error naming the rank, within a bound, never a hang.
// Rank 1 of a DDP training loop fails at step 5; measured from the fault to mpirun's exit.
// Bounds (docs/distributed.md): a rank that throws or is killed: the launcher ends the job at
// once (here about 2-3 s, most of it the failing rank's 1.2 s of notices and mpirun's kill); a
// rank that is stuck or left early: the collective timeout (3 s here) plus the 2 s grace. The
// assertions allow 15 s over that for a loaded machine: they tell a bounded end from a hang.
import { beforeAll, expect, it } from 'vitest';
import { describeWithPeers } from '../peers';
import { type MpiRun, byRank, mpirun } from './mpirun';

const SLACK = 15;

function faultToEnd(run: MpiRun & { startedAt: number }): number {
  const at = byRank(run, 1)['fault']?.['at'];
  expect(typeof at, `rank 1 reached the fault\n${run.stdout}\n${run.stderr}`).toBe('number');
  // mpirun's end, as seen by this process: started + seconds.
  return run.seconds - ((at as number) - run.startedAt) / 1000;
}

describeWithPeers('mpi', 'a failing rank ends the job on every rank', () => {
  const runs: Record<string, MpiRun & { startedAt: number }> = {};
  beforeAll(async () => {
    const timed = async (mode: string, env: Record<string, string> = {}) => {
      const startedAt = Date.now();
      return { ...(await mpirun(2, 'faults.cjs', [mode], { env, timeoutMs: 90_000 })), startedAt };
    };
    const short = { TENSORGRAD_DIST_TIMEOUT: '3' };
    // One at a time: the timings should not wait on each other's CPU.
    for (const [mode, env] of [['throw', {}], ['kill', {}], ['stop', short], ['exit', short]] as const) runs[mode] = await timed(mode, env);
  }, 360_000);

  it('a rank that throws: every rank exits non-zero, the others told which rank failed and why', () => {
    const run = runs['throw']!;
    expect(run.status).not.toBe(0);
    expect(run.signal).toBeNull();
    expect(run.stderr).toMatch(/tensorgrad distributed: rank 1 of 2 failed: exited with code 1: Error: injected failure at step 5; ending the job/);
    expect(run.stderr).toMatch(/tensorgrad distributed: rank 0 of 2: rank 1 failed: exited with code 1: Error: injected failure at step 5/);
    expect(faultToEnd(run)).toBeLessThan(2 + SLACK);
  });

  it('a rank killed mid-epoch: the other exits non-zero, mpirun naming the rank', () => {
    const run = runs['kill']!;
    expect(run.status).not.toBe(0);
    expect(run.stderr + run.stdout).toMatch(/process rank 1 .* exited on signal 9/);
    expect(byRank(run, 0)['step']).toBeDefined();
    expect(faultToEnd(run)).toBeLessThan(2 + SLACK);
  });

  it('a rank stuck (stopped) ends the job after the collective timeout, naming the collective', () => {
    const run = runs['stop']!;
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/tensorgrad distributed: rank 0 of 2: allreduce #\d+ of \d+ float32 did not complete within the timeout of 3 s: a rank is stuck outside the collectives or has died; ending the job/);
    expect(faultToEnd(run)).toBeGreaterThan(3);
    expect(faultToEnd(run)).toBeLessThan(3 + 2 + SLACK);
  });

  it('a rank that exits early with code 0 while others still train: the job still ends, bounded by the timeout', () => {
    const run = runs['exit']!;
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/rank 1 of 2 failed: MPI_Finalize did not complete within the timeout: another rank has not finished/);
    expect(faultToEnd(run)).toBeLessThan(3 + 2 + SLACK);
  });
});

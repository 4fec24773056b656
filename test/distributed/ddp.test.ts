// DistributedDataParallel on 2 ranks: 20 Adam steps at 2 ranks × batch 64 against 1 process ×
// batch 128 (within float32 summation error) and against 1 process averaging the two halves'
// gradients in rank order (bit for bit, in MPI's order and in the fixed order, with one bucket
// or several); and the contract case by case (ranks/ddp-behaviour.cjs).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { io } from '../../lib';
import { describeWithPeers } from '../peers';
import { type MpiRun, RANKS_DIR, byRank, mpirun } from './mpirun';

let dir = '';
afterAll(() => {
  if (dir !== '') fs.rmSync(dir, { recursive: true, force: true });
});

function weights(name: string): Record<string, Float32Array> {
  return Object.fromEntries(Object.entries(io.load(path.join(dir, `${name}.safetensors`)).tensors).map(([k, t]) => [k, t.data as Float32Array]));
}

/** Elements that differ in bits, per tensor. */
function bitDifferences(a: Record<string, Float32Array>, b: Record<string, Float32Array>): Record<string, number> {
  return Object.fromEntries(Object.keys(a).map((k) => [k, a[k]!.filter((v, i) => !Object.is(v, b[k]![i])).length]));
}

describeWithPeers('mpi', 'DistributedDataParallel on 2 ranks', () => {
  const runs: Record<string, MpiRun> = {};
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tensorgrad-ddp-'));
    const single = (mode: string) => spawnSync(process.execPath, [path.join(RANKS_DIR, 'ddp-steps.cjs'), mode, path.join(dir, `${mode}.safetensors`)], { encoding: 'utf8' });
    for (const mode of ['single', 'halves']) expect(single(mode).status).toBe(0);
    const [any, fixed, buckets, after, behaviour] = await Promise.all([
      mpirun(2, 'ddp-steps.cjs', ['ddp', path.join(dir, 'ddp.safetensors')]),
      mpirun(2, 'ddp-steps.cjs', ['ddp-fixed', path.join(dir, 'ddp-fixed.safetensors')]),
      mpirun(2, 'ddp-steps.cjs', ['ddp', path.join(dir, 'ddp-buckets.safetensors'), '0.001']),
      mpirun(2, 'ddp-steps.cjs', ['ddp', path.join(dir, 'ddp-after.safetensors'), '0.001', 'no-overlap']),
      mpirun(2, 'ddp-behaviour.cjs'),
    ]);
    Object.assign(runs, { any: any!, fixed: fixed!, buckets: buckets!, after: after!, behaviour: behaviour! });
  }, 240_000);

  it('2 ranks × batch 64 give the same weights as 1 process × batch 128 after 20 Adam steps, within float32 summation error', () => {
    for (const run of [runs['any']!, runs['fixed']!]) expect(run.status, run.stderr).toBe(0);
    // The runs differ only in how the gradient sums over 128 samples are rounded (two sums of 64
    // and a mean, against one GEMM over 128): about 2^-24 relative per step. After 20 steps at
    // lr 3e-3 the weights (|w| < 1) agree to 1e-6; measured: 3.7e-8.
    const ddp = weights('ddp');
    const single = weights('single');
    let worst = 0;
    for (const k of Object.keys(single)) for (let i = 0; i < single[k]!.length; i++) worst = Math.max(worst, Math.abs(ddp[k]![i]! - single[k]![i]!));
    expect(worst).toBeLessThanOrEqual(1e-6);
    expect(worst, 'the runs are not identical: the comparison has something to measure').toBeGreaterThan(0);
  });

  it('bit for bit with one process averaging the halves\' gradients in rank order, in either order, any bucketing, overlapped or not', () => {
    const halves = weights('halves');
    const none = Object.fromEntries(Object.keys(halves).map((k) => [k, 0]));
    expect(bitDifferences(weights('ddp-fixed'), halves)).toEqual(none);
    // With 2 ranks every order of adding is rank order.
    expect(bitDifferences(weights('ddp'), halves)).toEqual(none);
    expect(runs['buckets']!.status, runs['buckets']!.stderr).toBe(0);
    expect(bitDifferences(weights('ddp-buckets'), halves)).toEqual(none);
    expect(runs['after']!.status, runs['after']!.stderr).toBe(0);
    expect(bitDifferences(weights('ddp-after'), halves)).toEqual(none);
    // 3 buckets a step for 20 steps: with overlap the first two start during backward (the last
    // holds the first layer's weight, whose gradient backward computes last); without, none.
    for (const [name, buckets, overlapped] of [['any', 1, 20], ['fixed', 1, 20], ['buckets', 3, 60], ['after', 3, 0]] as const) {
      for (const r of [0, 1]) expect(byRank(runs[name]!, r)['replicas'], `${name} rank ${r}`).toMatchObject({ differ: 0, buckets, overlapped });
    }
    expect(byRank(runs['any']!, 1)['replicas']!['stateKeys']).toEqual(['0.weight', '0.bias', '2.weight', '2.bias', '4.weight', '4.bias']);
  });

  it('refuses a model that differs across ranks, on every rank, naming the rank', () => {
    const run = runs['behaviour']!;
    expect(run.status, run.stderr).toBe(0);
    for (const r of [0, 1]) {
      expect(byRank(run, r)['mismatch']!['error']).toMatch(
        new RegExp(`DistributedDataParallel: Expected the same model .* on every rank but rank 1 differs from rank 0 \\(this is rank ${r}: weight:float32\\[${r === 0 ? 3 : 5},4\\]`),
      );
    }
  });

  it('starts every rank from rank 0\'s parameters and buffers; BatchNorm statistics stay per rank unless broadcastBuffers', () => {
    const run = runs['behaviour']!;
    for (const r of [0, 1]) {
      const got = byRank(run, r);
      expect(got['start']).toMatchObject({ differedBefore: true, agreeAfter: true, runningMean: [0.5, 0.5, 0.5] });
      expect(got['start']!['keys']).toEqual(['0.weight', '0.bias', '1.weight', '1.bias', '1.runningMean', '1.runningVar']);
      // Buckets in reverse registration order: the last layer's gradients are ready first.
      expect(got['start']!['names']).toEqual(['1.bias', '1.weight', '0.bias', '0.weight']);
      expect(got['bn-per-rank']!['runningMeanAgrees']).toBe(false);
      expect(got['bn-broadcast']!['broadcast'] as number).toBeLessThan(1e-6);
      expect(got['bn-broadcast']!['perRank'] as number).toBeGreaterThan(0.5);
    }
  });

  it('counts an unused parameter as zeros, averages sums accumulated under noSync (two backward passes without it: an error with overlap), and makes row-sparse gradients dense', () => {
    const run = runs['behaviour']!;
    const own = byRank(run, 0)['unused']!['ownB'] as number[];
    for (const r of [0, 1]) {
      const got = byRank(run, r);
      expect(got['unused']!['b']).toEqual(own.map((v) => Math.fround(v / 2)));
      // Capacity 10 bytes: [b.bias, b.weight], [a.bias, a.weight], [trunk.bias] (16 bytes), [trunk.weight].
      expect(got['unused']).toMatchObject({ aIsMean: true, buckets: 4 });
      expect(got['nosync']).toMatchObject({ trunkIsMeanOfSums: true, localDiffered: true });
      expect(got['twice-after']!['meansOk'], 'two backward passes, overlap false').toBe(true);
      expect(got['twice-overlap']!['error']).toMatch(/DistributedDataParallel: (weight|bias) got a gradient from a second backward before syncGradients\(\).*inside ddp.noSync\(\), or construct with overlap: false/);
      // Rank 0 touched rows 0 and 2, rank 1 rows 1 and 2 (gradient 1 each): the mean is 1/2, 1/2, 1.
      expect(got['sparse']).toMatchObject({ rowsBefore: [r, 2], rowsAfter: null, grad: [0.5, 0.5, 0.5, 0.5, 1, 1, 0, 0, 0, 0], stats: 1 });
    }
    expect(byRank(run, 1)['unused']!['ownB']).toBeNull();
  });
});

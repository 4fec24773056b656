// SyncBatchNorm on 2 ranks against BatchNorm1d on the concatenated batch in one process: the
// output rows, dx (the gradient of the ranks' summed loss, which DDP's mean turns into that of
// the mean), dγ and dβ summed over the ranks, and the running statistics; float64 to 1e-12,
// float32 to 1e-5. And a distributed numerical gradient check of every input, γ and β.
import { beforeAll, expect, it } from 'vitest';
import { nn, tensor } from '../../lib';
import { describeWithPeers } from '../peers';
import { type MpiRun, byRank, mpirun } from './mpirun';

const fixtures = require('./fixtures.cjs') as {
  BN_CASES: Record<string, { rows: number[]; c: number; hw: number }>;
  bnInput(name: string, rank: number): Float64Array;
  bnUpstream(name: string, rank: number): Float64Array;
};

function concat(parts: Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** BatchNorm1d on the whole batch in float64, with the loss Σ dy·y over every rank's rows. */
function singleProcess(name: string) {
  const { rows, c, hw } = fixtures.BN_CASES[name]!;
  const n = rows.reduce((a, b) => a + b, 0);
  const shape = hw === 1 ? [n, c] : [n, c, hw];
  const layer = new nn.BatchNorm1d(c, { dtype: 'float64' });
  for (let j = 0; j < c; j++) {
    layer.weight!.data[j] = 0.5 + 0.25 * j;
    layer.bias!.data[j] = 0.1 * j - 0.05;
  }
  const x = tensor(concat(rows.map((_, r) => fixtures.bnInput(name, r))), shape, { requiresGrad: true, dtype: 'float64' });
  const dy = tensor(concat(rows.map((_, r) => fixtures.bnUpstream(name, r))), shape, { dtype: 'float64' });
  const y = layer.call(x);
  y.mul(dy).sum().backward();
  return { y: y.data, dx: x.grad!.data, dgamma: layer.weight!.grad!.data, dbeta: layer.bias!.grad!.data, runningMean: layer.runningMean!.data, runningVar: layer.runningVar!.data };
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  let worst = 0;
  let where = -1;
  for (let i = 0; i < expected.length; i++) {
    const error = Math.abs(actual[i]! - expected[i]!) / Math.max(1, Math.abs(expected[i]!));
    if (error > worst) [worst, where] = [error, i];
  }
  expect(worst, `${what}: worst relative error at ${where}`).toBeLessThanOrEqual(tolerance);
}

describeWithPeers('mpi', 'SyncBatchNorm on 2 ranks', () => {
  let run: MpiRun;
  beforeAll(async () => {
    run = await mpirun(2, 'sync-bn.cjs');
  }, 120_000);

  for (const [dtype, tolerance] of [['float64', 1e-12], ['float32', 1e-5]] as const) {
    it(`equals BatchNorm1d on the concatenated batch (${dtype}): outputs, gradients, running statistics`, () => {
      expect(run.status, run.stderr).toBe(0);
      for (const name of Object.keys(fixtures.BN_CASES)) {
        const { rows, c, hw } = fixtures.BN_CASES[name]!;
        const want = singleProcess(name);
        const per = rows.map((_, r) => byRank(run, r)[`${name}-${dtype}`]! as unknown as Record<string, number[]>);
        let offset = 0;
        rows.forEach((count, r) => {
          const size = count * c * hw;
          expectClose(per[r]!['y']!, want.y.subarray(offset, offset + size), tolerance, `${name} ${dtype} y of rank ${r}`);
          expectClose(per[r]!['dx']!, want.dx.subarray(offset, offset + size), tolerance, `${name} ${dtype} dx of rank ${r}`);
          expectClose(per[r]!['runningMean']!, want.runningMean, tolerance, `${name} ${dtype} running mean of rank ${r}`);
          expectClose(per[r]!['runningVar']!, want.runningVar, tolerance, `${name} ${dtype} running variance of rank ${r}`);
          offset += size;
        });
        const sum = (key: string) => Array.from({ length: c }, (_, j) => per.reduce((s, p) => s + p[key]![j]!, 0));
        expectClose(sum('dgamma'), want.dgamma, tolerance, `${name} ${dtype} dγ summed over the ranks`);
        expectClose(sum('dbeta'), want.dbeta, tolerance, `${name} ${dtype} dβ summed over the ranks`);
      }
    });
  }

  it('passes a distributed numerical gradient check (float64, centred differences, h = 1e-6)', () => {
    for (const name of Object.keys(fixtures.BN_CASES)) {
      for (const r of [0, 1]) {
        const check = byRank(run, r)[`gradcheck-${name}`]!;
        expect(check['worstX'] as number, `${name} inputs of rank ${r}`).toBeLessThan(1e-6);
        expect(check['worstParams'] as number, `${name} γ and β`).toBeLessThan(1e-6);
      }
    }
  });

  it('evaluates with the running statistics alone, and convert() swaps BatchNorm1d in place', () => {
    const layer = new nn.BatchNorm1d(3);
    for (let j = 0; j < 3; j++) {
      layer.weight!.data[j] = 0.5 + 0.25 * j;
      layer.bias!.data[j] = 0.1 * j - 0.05;
    }
    layer.eval();
    expect(byRank(run, 1)['eval']!['y']).toEqual(Array.from(layer.call(tensor([[1, 2, 3], [4, 5, 6]])).data));
    for (const r of [0, 1]) expect(byRank(run, r)['convert']).toMatchObject({ same: true, kind: 'SyncBatchNorm', keepsWeight: true });
  });
});

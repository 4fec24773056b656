// The collectives under mpirun against the single-process answer (fixtures.cjs computes it
// here, in this process): sizes 0, 1, 7 and 10^6, float32 and float64, on 2 ranks (where every
// order of adding two numbers gives the same bits) and on 3 (where MPI's order may differ from
// rank order: within the float32 bound of adding 3 terms, and bit for bit with order "fixed").
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeWithPeers } from '../peers';
import { type MpiRun, RANKS_DIR, byRank, mpirun } from './mpirun';

const fixtures = require('./fixtures.cjs') as {
  contribution(rank: number, n: number, Type?: Float32ArrayConstructor | Float64ArrayConstructor): Float32Array | Float64Array;
  digest(a: Float32Array | Float64Array): string;
  expected(op: string, size: number, n: number, Type?: Float32ArrayConstructor | Float64ArrayConstructor): Float32Array | Float64Array;
  SIZES: number[];
};
const { contribution, digest, expected, SIZES } = fixtures;
const TYPES = [['float32', Float32Array], ['float64', Float64Array]] as const;

function concatenated(size: number, n: number, Type: Float32ArrayConstructor | Float64ArrayConstructor): Float32Array | Float64Array {
  const out = new Type(n * size);
  for (let r = 0; r < size; r++) out.set(contribution(r, n, Type), r * n);
  return out;
}

function checkWorld(run: MpiRun, size: number): void {
  expect(run.status, run.stderr).toBe(0);
  for (let rank = 0; rank < size; rank++) {
    const got = byRank(run, rank);
    expect(got['world']?.['size']).toBe(size);
    expect(got['done']?.['pending'], 'collectives left in flight').toBe(0);
    for (const [dtype, Type] of TYPES) {
      for (const n of SIZES) {
        for (const op of ['sum', 'mean', 'max', 'min']) {
          const fixed = got[`allreduce-${op}-fixed-${dtype}-${n}`]!;
          expect(fixed['digest'], `allreduce ${op} fixed ${dtype} ${n} on rank ${rank}`).toBe(digest(expected(op, size, n, Type)));
          expect(fixed['same']).toBe(true);
          const any = got[`allreduce-${op}-any-${dtype}-${n}`]!;
          // Two terms, max and min: any order is rank order.
          if (size === 2 || op === 'max' || op === 'min') {
            expect(any['digest'], `allreduce ${op} any ${dtype} ${n} on rank ${rank}`).toBe(digest(expected(op, size, n, Type)));
          }
          // Every rank holds the same bits whatever the order.
          expect(any['digest']).toBe(byRank(run, 0)[`allreduce-${op}-any-${dtype}-${n}`]!['digest']);
          if (op === 'sum' && dtype === 'float32' && n > 0) {
            // Adding `size` float32 terms in any order: |error| ≤ (size − 1)·u·Σ|x_r|, u = 2^-24.
            expect(any['relativeError'] as number).toBeLessThanOrEqual((size - 1) * 2 ** -24 * 1.0001);
          }
        }
        expect(got[`broadcast-${dtype}-${n}`]!['digest'], `broadcast ${dtype} ${n}`).toBe(digest(contribution(size - 1, n, Type)));
        expect(got[`allgather-${dtype}-${n}`]!['digest'], `allgather ${dtype} ${n}`).toBe(digest(concatenated(size, n, Type)));
        expect(got[`allgather-${dtype}-${n}`]!['type']).toBe(Type.name);
        const sums = [0, 1, 2].map((k) => {
          const out = new Type(n);
          for (let r = 0; r < size; r++) {
            const part = contribution(r + k, n, Type);
            for (let i = 0; i < n; i++) out[i]! += part[i]!;
          }
          return out;
        });
        if (size === 2) expect(got[`async-${dtype}-${n}`]!['digests']).toEqual(sums.map(digest));
      }
    }
  }
}

describeWithPeers('mpi', 'collectives under mpirun', () => {
  let two: MpiRun;
  let three: MpiRun;
  beforeAll(async () => {
    [two, three] = await Promise.all([mpirun(2, 'collectives.cjs'), mpirun(3, 'collectives.cjs')]);
  }, 240_000);

  it('2 ranks: every collective equals the single-process answer bit for bit, sizes 0, 1, 7, 10^6', () => {
    checkWorld(two, 2);
  });

  it('3 ranks: order "fixed" bit for bit, MPI\'s order within the float32 bound of adding 3 terms', () => {
    checkWorld(three, 3);
  });

  it('a process started without a launcher is a world of 1 whose collectives copy', () => {
    const run = spawnSync(process.execPath, [path.join(RANKS_DIR, 'collectives.cjs')], { encoding: 'utf8', timeout: 120_000 });
    const records = run.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as MpiRun['records'][number]);
    checkWorld({ ...run, signal: null, seconds: 0, records } as MpiRun, 1);
  }, 120_000);
});

describeWithPeers('mpi', 'collectives the ranks call differently', () => {
  let run: MpiRun;
  beforeAll(async () => {
    run = await mpirun(2, 'mismatch.cjs');
  }, 120_000);

  it('throw on every rank, naming what differs, and leave the group working', () => {
    expect(run.status, run.stderr).toBe(0);
    const expectations: Record<string, RegExp> = {
      lengths: /allreduce: Expected buffers of the same length on every rank but the lengths range from 5 to 6 \(rank \d of 2 passed [56]\)/,
      'lengths-large': /lengths range from 999999 to 1000000/,
      'zero-and-one': /lengths range from 0 to 1/,
      dtypes: /Expected the same dtype on every rank but the ranks passed both float32 and float64/,
      ops: /Expected the same op and order on every rank/,
      roots: /broadcast: Expected the same root on every rank but the roots range from 0 to 1/,
      kinds: /the ranks called different collectives at once/,
      'allgather-lengths': /allgather: Expected buffers of the same length on every rank but the lengths range from 2 to 3/,
      'broadcast-lengths': /broadcast: Expected buffers of the same length .* from 10 to 11/,
    };
    for (let rank = 0; rank < 2; rank++) {
      const got = byRank(run, rank);
      for (const [what, message] of Object.entries(expectations)) {
        expect(got[what]?.['error'], `${what} on rank ${rank}`).toMatch(message);
        expect(got[`${what}-after`]?.['value'], `the allreduce after ${what} on rank ${rank}`).toBe(3);
      }
      expect(got['done']).toBeDefined();
    }
  });

  it('reject bad arguments before sending anything, as TypeError or RangeError', () => {
    const got = byRank(run, 1);
    const cases: Record<string, [string, RegExp]> = {
      'arg-array': ['TypeError', /distributed.allreduce: Expected a Float32Array, Float64Array or Tensor for buffer but received an Array/],
      'arg-int32': ['TypeError', /received a Int32Array of length 3/],
      'arg-op': ['RangeError', /Expected op sum, mean, max, min but received a string/],
      'arg-order': ['RangeError', /Expected order any or fixed/],
      'arg-root': ['RangeError', /Expected a root rank from 0 to 1 but received 2/],
      'arg-out-length': ['RangeError', /Expected out of length send.length × world size = 3 × 2 = 6 but received a Float32Array of length 7/],
      'arg-out-type': ['TypeError', /Expected out to be a Float32Array like send/],
      'arg-in-flight': ['Error', /the buffer is in use by a collective still in flight \(allreduce #\d+\); wait for it first/],
    };
    for (const [what, [type, message]] of Object.entries(cases)) {
      expect(got[what]?.['type'], what).toBe(type);
      expect(got[what]?.['error'], what).toMatch(message);
    }
    expect(got['arg-wait-twice']?.['error']).toBeNull();
    expect(got['tensor']?.['value']).toEqual([1, 2]);
  });
});

describe('the distributed API without the MPI binding', () => {
  it('throws an error that says what to install', () => {
    const dist = path.join(__dirname, '..', '..', 'dist');
    const run = spawnSync(process.execPath, ['-e', `
      const { distributed } = require(${JSON.stringify(dist)});
      try { distributed.init(); } catch (e) { console.log(e.message); process.exit(0); }
      process.exit(1);`], { encoding: 'utf8', env: { ...process.env, TENSORGRAD_MPI_ADDON: '/nonexistent/tensorgrad_mpi.node' } });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/distributed.init: the MPI binding is not available: \/nonexistent\/tensorgrad_mpi.node does not exist/);
    expect(run.stdout).toMatch(/apt-get install openmpi-bin libopenmpi-dev/);
    expect(run.stdout).toMatch(/npm rebuild tensorgrad/);
  });
});

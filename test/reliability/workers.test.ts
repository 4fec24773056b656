// The addon in worker_threads: loaded by several at once, used by two at the same time without
// either seeing the other's work (the shared kernel pool serializes their parallel calls), and a
// worker terminated in the middle of training leaves the process working. The workers run the
// compiled library (dist/), as users' workers would.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { referenceOnly } from '../backend/backends';

const JOB = path.join(__dirname, 'worker-job.cjs');
// The compiled library and the fixture the workers run, so the main thread runs the same code.
interface TrainModule {
  tg: typeof import('../../lib');
  trainMlp(options: { seed?: number; steps?: number }): { weights: Float32Array; losses: number[] };
}
const { tg, trainMlp } = createRequire(__filename)('./train-mlp.cjs') as TrainModule;

interface Result {
  backend: string;
  path?: string;
  available: boolean;
  gemm?: number[];
  weights?: Float32Array;
  losses?: number[];
}

function run(workerData: object): Promise<Result> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(JOB, { workerData });
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`worker exited with ${code} before answering`)));
  });
}

function sameBits(a: Float32Array, b: Float32Array): boolean {
  return Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;
}

describe.skipIf(referenceOnly)('worker_threads', () => {
  // The pool is process-wide: with 4 threads the workers' large products go parallel even on a
  // machine with fewer cores.
  let threads = 1;
  beforeAll(() => {
    threads = tg.getNumThreads();
    tg.setNumThreads(4);
  });
  afterAll(() => {
    tg.setNumThreads(threads);
  });

  it('loads the addon in 4 workers at once, each computing with it', async () => {
    const results = await Promise.all([0, 1, 2, 3].map(() => run({ job: 'load' })));
    for (const r of results) {
      expect(r).toMatchObject({ backend: 'native', available: true, path: tg.nativeInfo().path });
      expect(r.gemm).toEqual([19, 22, 43, 50]);
    }
  });

  it('gives workers training at the same time the weights of a run alone', async () => {
    const steps = 40;
    const alone = trainMlp({ seed: 7, steps });
    expect(alone.losses[steps - 1]!).toBeLessThan(alone.losses[0]! / 2); // it does learn
    const aloneOther = await run({ job: 'train', seed: 11, steps });
    // Two models, each trained twice, all four at once: every parallel product of one worker
    // meets another's in the shared pool.
    const together = await Promise.all([7, 11, 7, 11].map((seed) => run({ job: 'train', seed, steps })));
    for (const r of together) expect(r.backend).toBe('native');
    expect(sameBits(together[0]!.weights!, alone.weights)).toBe(true);
    expect(sameBits(together[2]!.weights!, alone.weights)).toBe(true);
    expect(sameBits(together[1]!.weights!, aloneOther.weights!)).toBe(true);
    expect(sameBits(together[3]!.weights!, aloneOther.weights!)).toBe(true);
    expect(sameBits(alone.weights, aloneOther.weights!)).toBe(false); // different seeds, different models
  });

  it('keeps the main thread working after workers are terminated mid-training', async () => {
    const before = trainMlp({ seed: 7, steps: 40 });
    for (const stopAt of [1, 5, 12]) {
      const worker = new Worker(JOB, { workerData: { job: 'train-forever', seed: 3 } });
      const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
      await new Promise<void>((resolve, reject) => {
        worker.on('message', (m: { step: number }) => {
          if (m.step === stopAt) resolve();
        });
        worker.once('error', reject);
      });
      // Terminated while it keeps calling kernels (it never waits between steps).
      await worker.terminate();
      expect(await exited).toBe(1);
    }
    const c = new Float32Array(4);
    tg.getBackend().gemm(false, false, 2, 2, 2, 1, new Float32Array([1, 2, 3, 4]), new Float32Array([5, 6, 7, 8]), 0, c);
    expect(Array.from(c)).toEqual([19, 22, 43, 50]);
    const after = trainMlp({ seed: 7, steps: 40 });
    expect(sameBits(after.weights, before.weights)).toBe(true);
    expect(after.losses[39]!).toBeLessThan(after.losses[0]! / 2);
  });

  it.skipIf(process.platform !== 'linux')('joins the pool threads when the last environment using the addon is gone', () => {
    // Its own process, whose main thread never loads the addon (here this one holds a lease).
    const run = spawnSync(process.execPath, [path.join(__dirname, 'worker-lease.cjs')], { encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).toBe('');
    const rounds = JSON.parse(run.stdout) as { before: number; during: number; after: number; backend: string }[];
    for (const r of rounds) {
      expect(r.backend).toBe('native');
      // The worker's thread and 3 pool threads (4 with the caller) while it lives; none after.
      expect(r.during).toBeGreaterThanOrEqual(r.before + 4);
      expect(r.after).toBe(r.before);
    }
  });
});

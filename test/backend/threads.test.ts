// The native thread pool: setNumThreads/getNumThreads and their checks (TypeScript and addon),
// the same bits after any sequence of resizes, two worker_threads calling at once, and a process
// that exits with live workers.
import { spawnSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getNumThreads, nativeBackend, nativeInfo, referenceBackend, setNumThreads } from '../../lib/backend';
import { loadAddon } from '../../lib/backend/addon';
import { planOf } from '../../lib/backend/registry';
import { bits } from './native-paths';
import { makeRandom, randomArray } from './random-inputs';

type Fn = (...args: unknown[]) => unknown;
const addon = loadAddon().addon as unknown as Record<string, Fn> | undefined;
const targets: [string, Record<string, Fn> | undefined][] = [
  ['the TypeScript API', { setNumThreads, getNumThreads } as unknown as Record<string, Fn>],
  ['the native addon', addon],
];

describe.each(targets)('thread count through %s', (label, target) => {
  const skip = !target;
  let before = 1;
  beforeAll(() => {
    before = getNumThreads();
  });
  afterAll(() => {
    setNumThreads(before);
  });

  it.skipIf(skip)('starts at an integer from 1 to 256 and reads back what was set', () => {
    const start = target!['getNumThreads']!() as number;
    expect(Number.isInteger(start) && start >= 1 && start <= 256).toBe(true);
    expect(target!['setNumThreads']!(3)).toBe(3);
    expect(target!['getNumThreads']!()).toBe(3);
    expect(getNumThreads()).toBe(3);
    expect(target!['setNumThreads']!(256)).toBe(256);
    expect(target!['setNumThreads']!(1)).toBe(1);
  });

  it.skipIf(skip)('refuses counts that are not integers from 1 to 256, naming the function', () => {
    const set = target!['setNumThreads']!;
    for (const n of [0, -1, 257, 1.5, NaN, Infinity, -Infinity, 2 ** 53]) {
      expect(() => set(n), `${label} ${n}`).toThrow(new RangeError(`setNumThreads: Expected an integer from 1 to 256 for n but received ${n}`));
    }
    for (const n of ['2', true, null, undefined, {}, 2n, new Float32Array(1)]) {
      let error: unknown;
      try {
        set(n);
      } catch (e) {
        error = e;
      }
      expect(error instanceof TypeError, `${label} ${String(n)}`).toBe(true);
      expect((error as Error).message.startsWith('setNumThreads: Expected an integer from 1 to 256 for n but received')).toBe(true);
    }
    expect(() => set()).toThrow(new TypeError('setNumThreads: Expected 1 arguments but received 0'));
    expect(() => set(2, 3)).toThrow(new TypeError('setNumThreads: Expected 1 arguments but received 2'));
    expect(() => target!['getNumThreads']!(1)).toThrow(new TypeError('getNumThreads: Expected 0 arguments but received 1'));
  });
});

const hasNative = nativeInfo().available;

describe.skipIf(!hasNative)('the native thread pool', () => {
  let before = 1;
  beforeAll(() => {
    before = getNumThreads();
  });
  afterAll(() => {
    setNumThreads(before);
  });

  it('gives the same bits through any sequence of resizes', () => {
    const [m, n, k] = [220, 230, 240]; // above the size that runs on the calling thread
    const random = makeRandom(9);
    const a = randomArray(m * k, random);
    const b = randomArray(k * n, random);
    setNumThreads(1);
    const expected = new Float32Array(m * n);
    nativeBackend().gemm(false, false, m, n, k, 1, a, b, 0, expected);
    for (let round = 0; round < 40; round++) {
      setNumThreads(1 + ((round * 7) % 5));
      const c = new Float32Array(m * n);
      nativeBackend().gemm(false, false, m, n, k, 1, a, b, 0, c);
      expect(bits(c)).toEqual(bits(expected));
    }
  });

  it('splits a big parameter\'s optimizer update over the pool with the same bits, close to the reference', () => {
    // 100 003 floats: four chunks of 32 Ki and an odd tail, so chunks end inside the vector loop's range.
    const n = 100_003;
    const random = makeRandom(11);
    const p0 = randomArray(n, random);
    const g = randomArray(n, random);
    const run = (threads: number, backend = nativeBackend()) => {
      if (backend === nativeBackend()) setNumThreads(threads);
      const [p, m, v, buffer] = [p0.slice(), new Float32Array(n), new Float32Array(n), new Float32Array(n)];
      for (let step = 1; step <= 2; step++) {
        backend.adamStep(p, g, m, v, new Float32Array(0), 1e-2, 0.9, 0.999, 1e-8, 0.01, false, true, step);
        backend.sgdStep(p, g, buffer, 1e-2, 0.9, 0, 0, true, step);
      }
      return [p, m, v, buffer];
    };
    const one = run(1);
    for (const threads of [2, 3]) {
      run(threads).forEach((array, i) => expect(bits(array), `array ${i} on ${threads} threads`).toEqual(bits(one[i]!)));
    }
    const reference = run(1, referenceBackend);
    // Relative to the value, or to the step (lr 1e-2) where a parameter passes near zero.
    one.forEach((array, i) => {
      let worst = 0;
      for (let j = 0; j < n; j++) worst = Math.max(worst, Math.abs(array[j]! - reference[i]![j]!) / (Math.abs(reference[i]![j]!) + 1e-2));
      expect(worst, `array ${i}: largest difference from the reference`).toBeLessThan(1e-5);
    });
  });

  it('serves two worker_threads calling at once, with the same bits as one thread', async () => {
    const [m, n, k] = [200, 210, 220];
    const random = makeRandom(10);
    const a = randomArray(m * k, random);
    const b = randomArray(k * n, random);
    setNumThreads(1);
    const expected = new Float32Array(m * n);
    nativeBackend().gemm(false, true, m, n, k, 1, a, b, 0, expected);
    setNumThreads(2);
    const code = `
      const { parentPort, workerData: d } = require('node:worker_threads');
      const module = { exports: {} };
      process.dlopen(module, d.path);
      const gemm = module.exports.bindKernel('gemm:float32', d.plan);
      const c = new Float32Array(d.m * d.n);
      let same = true;
      for (let i = 0; i < 30; i++) {
        gemm(false, true, d.m, d.n, d.k, 1, d.a, d.b, 0, c);
        const u = new Uint32Array(c.buffer), e = new Uint32Array(d.expected.buffer);
        for (let j = 0; j < u.length; j++) if (u[j] !== e[j]) same = false;
      }
      parentPort.postMessage(same);`;
    const run = () => new Promise<boolean>((resolve, reject) => {
      const worker = new Worker(code, { eval: true, workerData: { path: nativeInfo().path, plan: planOf('gemm', 'float32'), m, n, k, a, b, expected } });
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    const results = await Promise.all([run(), run()]);
    expect(results).toEqual([true, true]);
  });

  it('lets a process exit while its workers sleep or after a resize', () => {
    const script = (exit: string) => `
      const module = { exports: {} };
      process.dlopen(module, ${JSON.stringify(nativeInfo().path)});
      const t = module.exports;
      const gemm = t.bindKernel('gemm:float32', ${JSON.stringify(planOf('gemm', 'float32'))});
      t.setNumThreads(3);
      const a = new Float32Array(256 * 256).fill(1), c = new Float32Array(256 * 256);
      gemm(false, false, 256, 256, 256, 1, a, a, 0, c);
      t.setNumThreads(2);
      gemm(false, false, 256, 256, 256, 1, a, a, 0, c);
      if (c[0] !== 256) throw new Error('wrong result');
      ${exit}`;
    for (const exit of ['', 'process.exit(0);']) {
      const result = spawnSync(process.execPath, ['-e', script(exit)], { timeout: 20_000, encoding: 'utf8' });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
    }
  });
});

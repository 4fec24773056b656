// setFlushDenormal: off by default (subnormals survive the kernels, as in the reference); on,
// the native kernels read and write them as zero, on the calling thread and on the pool's
// workers, while JavaScript's own arithmetic keeps them; bad arguments are TypeErrors.
import { afterEach, describe, expect, it } from 'vitest';
import { getFlushDenormal, getNumThreads, nativeBackend, nativeInfo, setFlushDenormal, setNumThreads } from '../../lib/backend';

const TINY = 1e-40; // subnormal in float32 (below 2^-126 ≈ 1.18e-38)

describe('setFlushDenormal', () => {
  afterEach(() => {
    setFlushDenormal(false);
  });

  it('refuses what is not a boolean, naming the function', () => {
    expect(() => setFlushDenormal('yes' as unknown as boolean)).toThrow(new TypeError('setFlushDenormal: Expected true or false for on but received a string'));
    expect(() => (setFlushDenormal as (...a: unknown[]) => boolean)()).toThrow(new TypeError('setFlushDenormal: Expected 1 arguments but received 0'));
    expect(getFlushDenormal()).toBe(false);
  });

  it('reads back what was set', () => {
    expect(setFlushDenormal(true)).toBe(true);
    expect(getFlushDenormal()).toBe(true);
    expect(setFlushDenormal(false)).toBe(false);
    expect(getFlushDenormal()).toBe(false);
  });

  describe.skipIf(!nativeInfo().available)('in the native kernels', () => {
    it('keeps subnormals when off and flushes them inside kernels when on, never in JavaScript', () => {
      const a = Float32Array.of(TINY, 1, -TINY);
      const zero = new Float32Array(3);
      const out = new Float32Array(3);
      nativeBackend().add(a, zero, out);
      expect(Array.from(out)).toEqual([Math.fround(TINY), 1, -Math.fround(TINY)]);
      setFlushDenormal(true);
      nativeBackend().add(a, zero, out);
      expect(Array.from(out).map((v) => Math.abs(v))).toEqual([0, 1, 0]);
      // The mode lasted only as long as the call: this thread's double arithmetic is IEEE.
      const smallest = Number.MIN_VALUE; // a subnormal double
      expect(smallest > 0).toBe(true);
      expect((smallest + smallest) / 2).toBe(smallest);
    });

    it('flushes on the pool\'s workers too: Adam over a parameter split across threads', () => {
      const before = getNumThreads();
      try {
        setNumThreads(2);
        const n = 100_003; // four 32 Ki chunks and a tail, spread over the pool
        const run = () => {
          const [p, g, m, v] = [new Float32Array(n).fill(1), new Float32Array(n), new Float32Array(n).fill(TINY), new Float32Array(n).fill(TINY)];
          nativeBackend().adamStep(p, g, m, v, new Float32Array(0), 1e-3, 0.9, 0.999, 1e-8, 0, false, true, 3);
          return [m, v];
        };
        // Off: 0.9·m stays subnormal (and nonzero) everywhere, as in PyTorch.
        for (const state of run()) expect(state.every((x) => x !== 0 && Math.abs(x) < 1.2e-38)).toBe(true);
        setFlushDenormal(true);
        for (const state of run()) expect(state.every((x) => x === 0)).toBe(true);
      } finally {
        setNumThreads(before);
      }
    });
  });
});

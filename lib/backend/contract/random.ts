import type { KernelCheck } from './check';

export interface RandomKernels {
  /**
   * Words offset … offset + out.length − 1 of the Philox-4x32-10 stream keyed by seed: word p is
   * lane p mod 4 of the block at counter ⌊p / 4⌋. The same bits on every backend.
   */
  randomBits(out: Uint32Array, seed: number, offset: number): void;
  /** low + (high − low)·u with u = (word >>> 8)·2^−24 ∈ [0, 1), one rounding to float32. */
  fillUniform(out: Float32Array, seed: number, offset: number, low: number, high: number): void;
  /** mean + std·z, z standard normal by Box–Muller over the stream's words, in double. */
  fillNormal(out: Float32Array, seed: number, offset: number, mean: number, std: number): void;
}

/** Counter-based streams: the same bits on every backend. */
export const RANDOM_CHECKS: Record<keyof RandomKernels, KernelCheck> = {
  randomBits: { outputs: [[0, 'out']] },
  fillUniform: { outputs: [[0, 'out']] },
  fillNormal: { outputs: [[0, 'out']] },
};

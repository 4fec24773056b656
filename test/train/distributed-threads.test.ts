// The GEMM threads a rank of a distributed run takes when not told: the host's cores shared
// among the ranks on it, at least 1.
import { describe, expect, it } from 'vitest';
import { defaultThreadsPerRank } from '../../lib/train/distributed-run';

describe('defaultThreadsPerRank', () => {
  it('divides the cores among the ranks on the host, rounding down, at least 1', () => {
    expect(defaultThreadsPerRank(2, 2)).toBe(1);
    expect(defaultThreadsPerRank(4, 16)).toBe(4);
    expect(defaultThreadsPerRank(3, 8)).toBe(2);
    expect(defaultThreadsPerRank(8, 2)).toBe(1);
    expect(defaultThreadsPerRank(1, 6)).toBe(6);
  });
});

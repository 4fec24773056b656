// The kernel threads a rank takes when not told: the host's cores shared among the ranks the
// launcher put on it, at least 1.
import * as os from 'node:os';
import { describe, expect, it } from 'vitest';
import { distributed } from '../../lib';

describe('distributed.threadsPerRank', () => {
  it('divides the cores among the ranks on the host, rounding down, at least 1', () => {
    expect(distributed.threadsPerRank(2, 2)).toBe(1);
    expect(distributed.threadsPerRank(4, 16)).toBe(4);
    expect(distributed.threadsPerRank(3, 8)).toBe(2);
    expect(distributed.threadsPerRank(8, 2)).toBe(1);
    expect(distributed.threadsPerRank(1, 6)).toBe(6);
  });

  it('reads the ranks on this host from the launcher, and every core without one', () => {
    const saved = { ...process.env };
    try {
      for (const k of Object.keys(process.env)) if (/^(OMPI_COMM_WORLD_|PMI_|MPI_LOCAL|SLURM_)/.test(k)) delete process.env[k];
      expect(distributed.threadsPerRank()).toBe(os.availableParallelism());
      Object.assign(process.env, { OMPI_COMM_WORLD_RANK: '1', OMPI_COMM_WORLD_SIZE: '4', OMPI_COMM_WORLD_LOCAL_RANK: '1', OMPI_COMM_WORLD_LOCAL_SIZE: '2' });
      expect(distributed.threadsPerRank()).toBe(Math.max(1, Math.floor(os.availableParallelism() / 2)));
    } finally {
      process.env = saved;
    }
  });
});

import * as os from 'node:os';

/**
 * Who started this process, from the environment the launchers set: Open MPI's mpirun
 * (OMPI_COMM_WORLD_*), MPICH and Intel MPI (PMI_*), PMIx launchers (PMIX_RANK) and Slurm's srun
 * (SLURM_PROCID, SLURM_NTASKS). Readable before MPI starts, for deciding whether to start it.
 */
export interface LaunchEnvironment {
  /** Which variables told: "mpirun" (Open MPI), "pmi" (MPICH, Intel MPI), "srun" (Slurm). */
  launcher: 'mpirun' | 'pmi' | 'srun';
  rank: number;
  size: number;
  /** The rank among the processes on this host, and how many there are (when the launcher says). */
  localRank: number | undefined;
  localSize: number | undefined;
}

function integer(name: string): number | undefined {
  const value = process.env[name];
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`${name}: Expected a non-negative integer but received "${value}"`);
  return n;
}

/** The local counts are informative only: Slurm writes some as "2(x3)". */
function lenient(name: string): number | undefined {
  const n = Number(process.env[name]);
  return process.env[name] !== undefined && Number.isInteger(n) && n >= 0 ? n : undefined;
}

/** The launch environment of this process, or null when no launcher started it. */
export function launchEnvironment(): LaunchEnvironment | null {
  const read = (launcher: LaunchEnvironment['launcher'], rank: string, size: string, localRank: string, localSize: string) => {
    const r = integer(rank);
    const s = integer(size);
    if (r === undefined || s === undefined) return null;
    if (s < 1 || r >= s) throw new RangeError(`${rank}/${size}: Expected a rank below the world size but received ${r} of ${s}`);
    return { launcher, rank: r, size: s, localRank: lenient(localRank), localSize: lenient(localSize) };
  };
  return (
    read('mpirun', 'OMPI_COMM_WORLD_RANK', 'OMPI_COMM_WORLD_SIZE', 'OMPI_COMM_WORLD_LOCAL_RANK', 'OMPI_COMM_WORLD_LOCAL_SIZE') ??
    read('pmi', 'PMI_RANK', 'PMI_SIZE', 'MPI_LOCALRANKID', 'MPI_LOCALNRANKS') ??
    read('srun', 'SLURM_PROCID', 'SLURM_NTASKS', 'SLURM_LOCALID', 'SLURM_NTASKS_PER_NODE')
  );
}

/**
 * Kernel threads for one rank: the host's cores shared among the ranks the launcher put on it
 * (as torchrun sets OMP_NUM_THREADS), at least 1, so that ranks on one host do not oversubscribe
 * it. For setNumThreads(), when no thread count was asked for.
 */
export function threadsPerRank(ranksOnHost = launchEnvironment()?.localSize ?? 1, cores = os.availableParallelism()): number {
  return Math.max(1, Math.floor(cores / Math.max(1, ranksOnHost)));
}

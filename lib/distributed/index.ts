/**
 * Data-parallel training on MPI: the process group and its collectives. Needs the optional MPI
 * binding (built where Open MPI was found at install time); docs/distributed.md.
 */
export { init, isInitialized, isLaunchedDistributed, processGroup, rank, worldSize, ProcessGroup, Work } from './process-group';
export type { AllreduceOptions, CollectiveBuffer, InitOptions, ReduceOp } from './process-group';
export { abort, allgather, allreduce, allreduceAsync, barrier, broadcast, finalize } from './collectives';
export { launchEnvironment, threadsPerRank } from './launcher';
export type { LaunchEnvironment } from './launcher';
export { MPI_INSTALL_HINT, loadMpiBinding } from './binding';
export { DistributedSampler } from './sampler';
export type { DistributedSamplerOptions, DistributedSamplerState } from './sampler';
export { DistributedDataParallel } from './ddp';
export type { BucketInfo, DistributedDataParallelOptions } from './ddp';
export { SyncBatchNorm } from './sync-batch-norm';
export type { SyncBatchNormOptions } from './sync-batch-norm';
export { AgreeOnStopping, GlobalEpochRecord, SyncGradients } from './trainer-callbacks';

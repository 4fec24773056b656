/**
 * What a distributed run (RunConfig.distributed, `tensorgrad train --distributed` under mpirun or
 * srun) changes in runTraining: the process group is started, the model wrapped in
 * DistributedDataParallel (every rank starts from rank 0's weights), the training loader deals
 * each rank its DistributedSampler shard of every epoch at batchSize samples per rank, and three
 * callbacks join the Trainer's through its hooks: the gradient mean (onGradients), the epoch's
 * loss, metrics and samples/s over all ranks, and the agreement on stopping. Rank 0 alone writes
 * the run directory and prints. Without a thread count, the ranks on a host share its cores.
 */
import { setNumThreads } from '../backend/threads';
import { DataLoader } from '../data/loader';
import { DistributedDataParallel } from '../distributed/ddp';
import { threadsPerRank } from '../distributed/launcher';
import { type ProcessGroup, init } from '../distributed/process-group';
import { DistributedSampler } from '../distributed/sampler';
import { AgreeOnStopping, GlobalEpochRecord, SyncGradients } from '../distributed/trainer-callbacks';
import type { Module } from '../nn/module';
import type { Callback } from './trainer';

export interface DistributedRun {
  group: ProcessGroup;
  model: DistributedDataParallel;
  train: DataLoader;
  /** Callbacks that go before the run's own (the gradient mean, the global epoch record) … */
  first: Callback[];
  /** … and after them (the agreement on stopping, which must see every other decision). */
  last: Callback[];
}

export function distributedRun(model: Module, train: DataLoader, seed: number, options: { threads?: number; signal?: AbortSignal } = {}): DistributedRun {
  const { threads = 0, signal } = options;
  const group = init();
  const ranksOnHost = group.launch?.localSize;
  if (threads === 0 && !process.env['TENSORGRAD_NUM_THREADS'] && ranksOnHost !== undefined && ranksOnHost > 1) setNumThreads(threadsPerRank(ranksOnHost));
  const ddp = new DistributedDataParallel(model, { group });
  const sampler = new DistributedSampler(train.dataset, { numReplicas: group.size, rank: group.rank, seed });
  return {
    group,
    model: ddp,
    train: new DataLoader(train.dataset, { batchSize: train.batchSize, sampler }),
    first: [new SyncGradients(ddp), new GlobalEpochRecord(group)],
    last: [new AgreeOnStopping(group, signal)],
  };
}

/**
 * Trainer callbacks for data-parallel training (lib/train's Trainer takes them as any other;
 * typed here by the few members they touch, since lib/distributed sits below lib/train):
 *
 * - SyncGradients (onGradients): DistributedDataParallel's gradient mean, between backward and
 *   the optimizer's step. Put it first, so clipping and the other hooks see the mean.
 * - GlobalEpochRecord (onEpochEnd, put it first): the epoch's training loss and metrics become
 *   their means over the ranks (every rank has as many examples with a DistributedSampler) and
 *   samples/s their sum, so the progress line, the metrics file and every decision made on
 *   them see the whole job.
 * - AgreeOnStopping (onBatchEnd and onEpochEnd, put it last): a rank that decided to stop (its
 *   explosion guard, its early stopping, its cancelled signal) makes every rank stop at the same
 *   batch; otherwise the others would wait for it in the next step's reduction.
 */
import type { DistributedDataParallel } from './ddp';
import { type ProcessGroup, startAllreduce } from './process-group';

/** The part of a Trainer the callbacks use. */
interface Stoppable {
  readonly stopping: boolean;
  readonly stopReason: string | undefined;
  stop(reason: string): void;
}

/** The part of an epoch record GlobalEpochRecord rewrites. */
interface EpochTotals {
  trainLoss: number;
  train: Record<string, number>;
  samplesPerSecond: number;
}

export class SyncGradients {
  constructor(readonly ddp: DistributedDataParallel) {}

  onGradients(): void {
    this.ddp.syncGradients();
  }
}

export class GlobalEpochRecord {
  constructor(readonly group: ProcessGroup) {}

  onEpochEnd(record: EpochTotals): void {
    const names = Object.keys(record.train).sort();
    const means = Float64Array.from([record.trainLoss, ...names.map((n) => record.train[n]!)]);
    startAllreduce(this.group, means, 'mean', true, true).wait();
    const rate = Float64Array.from([record.samplesPerSecond]);
    startAllreduce(this.group, rate, 'sum', true, true).wait();
    record.trainLoss = means[0]!;
    names.forEach((n, i) => (record.train[n] = means[1 + i]!));
    record.samplesPerSecond = rate[0]!;
  }
}

export class AgreeOnStopping {
  constructor(readonly group: ProcessGroup, readonly signal?: AbortSignal) {}

  onBatchEnd(_record: unknown, trainer: Stoppable): void {
    this.#agree(trainer);
  }

  onEpochEnd(_record: unknown, trainer: Stoppable): void {
    this.#agree(trainer);
  }

  // Every rank contributes rank + 1 when it stops (0 otherwise); the maximum names a stopping rank.
  #agree(trainer: Stoppable): void {
    if (this.signal?.aborted && !trainer.stopping) trainer.stop(`cancelled: ${String(this.signal.reason ?? 'aborted')}`);
    const flag = Float64Array.from([trainer.stopping ? this.group.rank + 1 : 0]);
    startAllreduce(this.group, flag, 'max', false, false).wait();
    if (flag[0]! > 0 && !trainer.stopping) trainer.stop(`rank ${flag[0]! - 1} stopped training (its reason is in its own output)`);
  }
}

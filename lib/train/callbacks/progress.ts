/**
 * Progress: on a terminal, a live bar per epoch with the running loss, a metric, samples/s and
 * the time left; elsewhere (logs, CI), one plain line per epoch in the notes' words:
 * "Finished epoch 3 / 10: cost 0.412345, train: 0.881, val 0.864, lr 1.0e-3".
 */
import type { BatchRecord, Callback, EpochRecord, Trainer } from '../trainer';

export interface ProgressOptions {
  stream?: NodeJS.WriteStream | { write(text: string): unknown; isTTY?: boolean; columns?: number };
  /** Batches per epoch (for the bar and the time left), when the loader knows it. */
  batchesPerEpoch?: number;
  epochs?: number;
  /** Processes training one model, each on as many samples (distributed): the bar shows their total rate. */
  ranks?: number;
}

export function epochLine(record: EpochRecord, epochs: number): string {
  const train = record.train['accuracy'];
  const val = record.val?.['accuracy'];
  const parts = [`Finished epoch ${record.epoch + 1} / ${epochs}: cost ${record.trainLoss.toFixed(6)}`];
  if (train !== undefined) parts.push(`train: ${train.toFixed(3)}`);
  if (val !== undefined) parts.push(`val ${val.toFixed(3)}`);
  else if (record.valLoss !== undefined) parts.push(`val cost ${record.valLoss.toFixed(6)}`);
  parts.push(`lr ${record.lr.toExponential(1)}`, `${Math.round(record.samplesPerSecond)} samples/s`);
  return parts.join(', ');
}

export class Progress implements Callback {
  private readonly stream: NonNullable<ProgressOptions['stream']>;
  private readonly batchesPerEpoch: number | undefined;
  private epochs: number;
  private readonly ranks: number;
  private started = 0;
  private lossSum = 0;
  private seen = 0;

  constructor(options: ProgressOptions = {}) {
    this.stream = options.stream ?? process.stdout;
    this.batchesPerEpoch = options.batchesPerEpoch;
    this.epochs = options.epochs ?? 0;
    this.ranks = options.ranks ?? 1;
  }

  private get tty(): boolean {
    return Boolean(this.stream.isTTY);
  }

  onEpochBegin(): void {
    this.started = performance.now();
    this.lossSum = 0;
    this.seen = 0;
  }

  onBatchEnd(record: BatchRecord): void {
    this.lossSum += record.loss * record.size;
    this.seen += record.size;
    if (!this.tty) return;
    const elapsed = (performance.now() - this.started) / 1000;
    const rate = (this.ranks * this.seen) / Math.max(elapsed, 1e-9);
    const total = this.batchesPerEpoch;
    const done = record.batch + 1;
    const width = 24;
    const bar = total ? `[${'='.repeat(Math.round((width * done) / total)).padEnd(width)}] ${done}/${total}` : `${done} batches`;
    const eta = total ? `, ETA ${Math.max(0, ((total - done) * elapsed) / done).toFixed(1)}s` : '';
    this.stream.write(`\r\x1b[2Kepoch ${record.epoch + 1}${this.epochs ? `/${this.epochs}` : ''} ${bar} loss ${(this.lossSum / this.seen).toFixed(4)}, ${Math.round(rate)} samples/s${eta}`);
  }

  onEpochEnd(record: EpochRecord, trainer: Trainer): void {
    const epochs = this.epochs || trainer.plannedEpochs;
    this.stream.write(`${this.tty ? '\r\x1b[2K' : ''}${epochLine(record, epochs)}\n`);
  }

  onTrainBegin(trainer: Trainer): void {
    this.epochs ||= trainer.plannedEpochs;
  }

  onTrainEnd(trainer: Trainer): void {
    if (trainer.stopReason) this.stream.write(`${this.tty ? '\r\x1b[2K' : ''}Stopped: ${trainer.stopReason}\n`);
  }
}

/**
 * TensorBoardLogger: a run as TensorBoard shows it, in event files under one log directory.
 * Every batch: its loss, the learning rate and the epoch's running metrics (batch/…); every epoch:
 * the epoch record's losses, metrics, learning rate and throughput (epoch/…); every N epochs
 * (and before the first): histograms of each parameter's weights and last gradient and, given a
 * fixed probe batch, of each layer's activations and of the loss's gradient at them (the layer
 * diagnostics' captureLayers, in evaluation mode, so the run trains exactly as without it); the
 * run's config as text. Every event's step is the global step: batches trained so far.
 */
import type { Tensor } from '../../autograd/tensor';
import { countNonFinite } from '../../interop/tensorboard/histogram';
import type { SummaryValue } from '../../interop/tensorboard/proto';
import { SummaryWriter, histogramValue, scalarValue } from '../../interop/tensorboard/summary-writer';
import type { BatchRecord, Callback } from '../trainer';
import { captureLayers } from '../diagnostics';
import type { EpochRecord, Trainer } from '../trainer';

export interface TensorBoardLoggerOptions {
  /** Histograms every N epochs and before training starts (default 1; 0: none). */
  histograms?: number;
  /** A fixed batch for the activation and activation-gradient histograms (without it: weights and gradients only). */
  probe?: { x: Tensor; y: Tensor };
  /** The run's configuration, shown in TensorBoard's Text tab as a table (tag "config"). */
  config?: unknown;
  /**
   * Batches per epoch: a fit() that continues a history (a resumed run) then starts at the step
   * where its first epoch began, and TensorBoard drops what the interrupted process logged after it.
   */
  batchesPerEpoch?: number;
}

/** The config's leaves as a Markdown table: dotted key, JSON value. */
export function configMarkdown(config: unknown): string {
  const rows: [string, string][] = [];
  const walk = (value: unknown, key: string) => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0) {
      for (const [k, v] of Object.entries(value)) walk(v, key ? `${key}.${k}` : k);
    } else {
      rows.push([key || '(value)', JSON.stringify(value) ?? String(value)]);
    }
  };
  walk(config, '');
  const cell = (s: string) => s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\n/g, ' ');
  return ['| setting | value |', '| --- | --- |', ...rows.map(([k, v]) => `| ${cell(k)} | \`${cell(v)}\` |`)].join('\n');
}

export class TensorBoardLogger implements Callback {
  /** The event files written, one per fit() call. */
  readonly files: string[] = [];
  readonly histogramsEvery: number;
  #writer: SummaryWriter | null = null;
  #step = 0;

  constructor(readonly dir: string, readonly options: TensorBoardLoggerOptions = {}) {
    if (typeof dir !== 'string' || dir === '') throw new TypeError(`TensorBoardLogger: Expected a log directory but received ${String(dir)}`);
    this.histogramsEvery = options.histograms ?? 1;
    if (!Number.isInteger(this.histogramsEvery) || this.histogramsEvery < 0) {
      throw new RangeError(`TensorBoardLogger: Expected histograms (every N epochs) to be an integer >= 0 but received ${String(options.histograms)}`);
    }
    const perEpoch = options.batchesPerEpoch;
    if (perEpoch !== undefined && (!Number.isInteger(perEpoch) || perEpoch < 1)) {
      throw new RangeError(`TensorBoardLogger: Expected batchesPerEpoch to be an integer >= 1 but received ${String(perEpoch)}`);
    }
    const probe = options.probe;
    if (probe !== undefined && (typeof probe?.x?.shape !== 'object' || typeof probe?.y?.shape !== 'object')) {
      throw new TypeError('TensorBoardLogger: Expected probe to be { x: Tensor, y: Tensor }');
    }
  }

  /** The global step: batches trained so far. */
  get step(): number {
    return this.#step;
  }

  private get writer(): SummaryWriter {
    if (!this.#writer) throw new Error('TensorBoardLogger: not training (the writer opens in onTrainBegin)');
    return this.#writer;
  }

  onTrainBegin(trainer: Trainer): void {
    if (this.options.batchesPerEpoch !== undefined) this.#step = trainer.history.length * this.options.batchesPerEpoch;
    this.#writer?.close();
    this.#writer = new SummaryWriter(this.dir);
    // A restart marker, unless this continues a history at a step nobody told us.
    const stepKnown = trainer.history.length === 0 || this.options.batchesPerEpoch !== undefined || this.files.length > 0;
    this.files.push(this.#writer.file);
    if (stepKnown) this.writer.addSessionStart(this.#step);
    if (this.options.config !== undefined) this.writer.addText('config', configMarkdown(this.options.config), this.#step);
    // The untrained model's distributions: where initialisation put them.
    if (this.histogramsEvery > 0 && trainer.history.length === 0) this.writeHistograms(trainer);
    this.writer.flush();
  }

  onBatchEnd(record: BatchRecord, trainer: Trainer): void {
    this.#step++;
    this.writer.addSummary([
      scalarValue('batch/loss', record.loss),
      scalarValue('batch/lr', trainer.optimizer.paramGroups[0]!.lr),
      // The metrics so far this epoch, as a progress bar shows them.
      ...trainer.metrics.map((m) => scalarValue(`batch/${m.name}`, m.compute())),
    ], this.#step);
  }

  onEpochEnd(record: EpochRecord, trainer: Trainer): void {
    const values = [
      scalarValue('epoch/completed', record.epoch + 1),
      scalarValue('epoch/train_loss', record.trainLoss),
      ...Object.entries(record.train).map(([name, v]) => scalarValue(`epoch/train_${name}`, v)),
      ...(record.valLoss !== undefined ? [scalarValue('epoch/val_loss', record.valLoss)] : []),
      ...Object.entries(record.val ?? {}).map(([name, v]) => scalarValue(`epoch/val_${name}`, v)),
      scalarValue('epoch/lr', record.lr),
      scalarValue('epoch/samples_per_second', record.samplesPerSecond),
    ];
    this.writer.addSummary(values, this.#step);
    if (this.histogramsEvery > 0 && (record.epoch + 1) % this.histogramsEvery === 0) this.writeHistograms(trainer);
    this.writer.flush();
  }

  onTrainEnd(): void {
    this.close();
  }

  /** Closes the event file (fsync); the next fit() opens a new one. */
  close(): void {
    this.#writer?.close();
    this.#writer = null;
  }

  private writeHistograms(trainer: Trainer): void {
    const values: SummaryValue[] = [];
    // NaN or ±Infinity fit in no bucket: their count is logged instead, and training goes on.
    const add = (tag: string, data: ArrayLike<number>) => {
      const bad = countNonFinite(data);
      values.push(bad > 0 ? scalarValue(`nonfinite/${tag}`, bad) : histogramValue(tag, data));
    };
    for (const [name, p] of trainer.model.namedParameters()) {
      add(`weights/${name}`, p.data);
      if (p.grad) add(`gradients/${name}`, p.grad.data);
    }
    const probe = this.options.probe;
    if (probe) {
      const wasTraining = trainer.model.training;
      trainer.model.eval();
      try {
        for (const layer of captureLayers(trainer.model, probe.x, { loss: trainer.loss, target: probe.y })) {
          const label = `${layer.name || 'model'} (${layer.type})`;
          add(`activations/${label}`, layer.output.data);
          if (layer.grad) add(`activation_gradients/${label}`, layer.grad.data);
        }
      } finally {
        trainer.model.train(wasTraining);
      }
    }
    this.writer.addSummary(values, this.#step);
  }
}

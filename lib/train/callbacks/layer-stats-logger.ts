/**
 * LayerStatsLogger: after every N epochs, the layer diagnostics (activation and gradient
 * statistics per layer) on a fixed probe batch, and the update-to-weight ratio ‖Δw‖/‖w‖ of each
 * parameter over steps of that epoch, appended to a JSONL file and kept for the report. The
 * statistics run in evaluation mode, so they draw no dropout masks and leave batch-norm
 * statistics alone, and the ratios only copy the parameters before a step: a run with the
 * logger trains exactly as one without.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Tensor } from '../../autograd/tensor';
import type { BatchRecord } from '../records';
import type { Callback } from '../trainer';
import { type LayerDiagnostics, UpdateRatioMonitor, layerStats } from '../diagnostics';
import type { EpochRecord, Trainer } from '../trainer';

/** A parameter's ‖Δw‖/‖w‖ over the steps measured in one epoch (null where undefined: ‖w‖ = 0). */
export interface UpdateRatioStats {
  /** The parameter's dotted name ("0.weight"). */
  name: string;
  /** The mean over the measured steps. */
  ratio: number | null;
  min: number | null;
  max: number | null;
  /** How many steps were measured. */
  steps: number;
}

export interface LayerStatsRecord {
  epoch: number;
  layers: LayerDiagnostics[];
  /** Absent when no step of the epoch was measured (updateEvery 0, or a run resumed mid-way). */
  updates?: UpdateRatioStats[];
}

export interface LayerStatsLoggerOptions {
  /** Log every this many epochs (default 1). */
  every?: number;
  bins?: number;
  /** In a logged epoch, measure the update ratio at every this many batches, from the first (default 10; 0: never). */
  updateEvery?: number;
}

function summarize(records: UpdateRatioMonitor['records']): UpdateRatioStats[] {
  const names = records[0]?.updates.map((u) => u.name) ?? [];
  return names.map((name) => {
    const values = records.map((r) => r.updates.find((u) => u.name === name)?.ratio ?? Number.NaN).filter(Number.isFinite);
    if (values.length === 0) return { name, ratio: null, min: null, max: null, steps: 0 };
    return { name, ratio: values.reduce((a, b) => a + b, 0) / values.length, min: Math.min(...values), max: Math.max(...values), steps: values.length };
  });
}

export class LayerStatsLogger implements Callback {
  readonly records: LayerStatsRecord[] = [];
  readonly #every: number;
  readonly #ratios: UpdateRatioMonitor | null;

  constructor(
    readonly file: string | null,
    private readonly probe: { x: Tensor; y: Tensor },
    readonly options: LayerStatsLoggerOptions = {},
  ) {
    this.#every = options.every ?? 1;
    if (!Number.isInteger(this.#every) || this.#every < 1) throw new RangeError(`LayerStatsLogger: Expected every >= 1 but received ${this.#every}`);
    const updateEvery = options.updateEvery ?? 10;
    if (!Number.isInteger(updateEvery) || updateEvery < 0) throw new RangeError(`LayerStatsLogger: Expected updateEvery >= 0 but received ${updateEvery}`);
    this.#ratios = updateEvery > 0 ? new UpdateRatioMonitor({ every: updateEvery }) : null;
  }

  #logged(epoch: number): boolean {
    return (epoch + 1) % this.#every === 0;
  }

  onEpochBegin(): void {
    // Each logged epoch measures from its first batch.
    this.#ratios?.reset();
  }

  onBatchBegin(epoch: number, batch: number, trainer: Trainer): void {
    if (this.#ratios && this.#logged(epoch)) this.#ratios.onBatchBegin(epoch, batch, trainer);
  }

  onBatchEnd(record: BatchRecord, trainer: Trainer): void {
    if (this.#ratios && this.#logged(record.epoch)) this.#ratios.onBatchEnd(record, trainer);
  }

  onEpochEnd(record: EpochRecord, trainer: Trainer): void {
    if (!this.#logged(record.epoch)) return;
    const wasTraining = trainer.model.training;
    trainer.model.eval();
    try {
      const layers = layerStats(trainer.model, this.probe.x, { loss: trainer.loss, target: this.probe.y, bins: this.options.bins ?? 20 });
      const entry: LayerStatsRecord = { epoch: record.epoch, layers };
      if (this.#ratios && this.#ratios.records.length > 0) entry.updates = summarize(this.#ratios.records);
      this.records.push(entry);
      if (this.file) {
        fs.mkdirSync(path.dirname(path.resolve(this.file)), { recursive: true });
        fs.appendFileSync(this.file, `${JSON.stringify(entry)}\n`);
      }
    } finally {
      trainer.model.train(wasTraining);
    }
  }
}

/** Reads the records a LayerStatsLogger appended (one per line). */
export function readLayerStats(file: string): LayerStatsRecord[] {
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as LayerStatsRecord);
}

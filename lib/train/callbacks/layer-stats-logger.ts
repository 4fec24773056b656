/**
 * LayerStatsLogger: after every N epochs, the layer diagnostics (activation and gradient
 * statistics per layer) on a fixed probe batch, appended to a JSONL file and kept for the
 * report. Runs in evaluation mode, so it draws no dropout masks and leaves batch-norm
 * statistics alone: a run with it trains exactly as one without.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Tensor } from '../../autograd/tensor';
import type { Callback } from '../trainer';
import { type LayerDiagnostics, layerStats } from '../diagnostics';
import type { EpochRecord, Trainer } from '../trainer';

export interface LayerStatsRecord {
  epoch: number;
  layers: LayerDiagnostics[];
}

export class LayerStatsLogger implements Callback {
  readonly records: LayerStatsRecord[] = [];

  constructor(
    readonly file: string | null,
    private readonly probe: { x: Tensor; y: Tensor },
    readonly options: { every?: number; bins?: number } = {},
  ) {
    const every = options.every ?? 1;
    if (!Number.isInteger(every) || every < 1) throw new RangeError(`LayerStatsLogger: Expected every >= 1 but received ${every}`);
  }

  onEpochEnd(record: EpochRecord, trainer: Trainer): void {
    if ((record.epoch + 1) % (this.options.every ?? 1) !== 0) return;
    const wasTraining = trainer.model.training;
    trainer.model.eval();
    try {
      const layers = layerStats(trainer.model, this.probe.x, { loss: trainer.loss, target: this.probe.y, bins: this.options.bins ?? 20 });
      const entry = { epoch: record.epoch, layers };
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

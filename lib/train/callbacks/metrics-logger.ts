/** MetricsLogger: one JSON line per epoch (and optionally per batch) appended to a file. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BatchRecord, Callback, EpochRecord } from '../trainer';

export class MetricsLogger implements Callback {
  readonly file: string;
  readonly batches: boolean;

  constructor(file: string, options: { batches?: boolean } = {}) {
    this.file = file;
    this.batches = options.batches ?? false;
  }

  private write(line: object): void {
    fs.mkdirSync(path.dirname(path.resolve(this.file)), { recursive: true });
    fs.appendFileSync(this.file, `${JSON.stringify(line)}\n`);
  }

  onEpochEnd(record: EpochRecord): void {
    this.write({ type: 'epoch', time: new Date().toISOString(), ...record });
  }

  onBatchEnd(record: BatchRecord): void {
    if (this.batches) this.write({ type: 'batch', ...record });
  }
}

/**
 * Numeric CSV (plain or gzipped): an optional header row, a label column chosen by name or
 * index, every other field a finite number. Parsing (quotes, delimiters, line endings) is
 * csv-parse's; this file checks the shape and the numbers and says where a bad field is.
 */
import * as fs from 'node:fs';
import { parse } from 'csv-parse/sync';
import { maybeGunzip } from './gzip';

export interface CsvOptions {
  /** Whether the first row names the columns (default true). */
  header?: boolean;
  /** The label column, by name (needs a header) or by index; negative counts from the end. */
  labelColumn?: string | number;
  delimiter?: string;
  /** Cap on the inflated size of gzipped input. */
  maxBytes?: number;
}

export interface CsvTable {
  /** The feature columns' names (generated as "0", "1", … without a header). */
  columns: string[];
  rows: number;
  /** rows × columns.length, row-major. */
  features: Float32Array;
  /** The label column's values, when one was chosen. */
  labels?: Float32Array;
  labelName?: string;
}

function labelIndex(fn: string, label: string | number, names: string[], header: boolean): number {
  if (typeof label === 'string') {
    if (!header) throw new TypeError(`${fn}: a label column by name ("${label}") needs a header row`);
    const i = names.indexOf(label);
    if (i < 0) throw new RangeError(`${fn}: Expected a label column named one of ${names.join(', ')} but received "${label}"`);
    return i;
  }
  const i = label < 0 ? names.length + label : label;
  if (!Number.isInteger(label) || i < 0 || i >= names.length) {
    throw new RangeError(`${fn}: Expected a label column index in [${-names.length}, ${names.length - 1}] but received ${label}`);
  }
  return i;
}

export function parseCsv(input: string | Uint8Array, options: CsvOptions = {}): CsvTable {
  const fn = 'parseCsv';
  const text = typeof input === 'string' ? input : Buffer.from(maybeGunzip(fn, input, options.maxBytes)).toString('utf8');
  const header = options.header ?? true;
  let records: string[][];
  try {
    records = parse(text, { delimiter: options.delimiter ?? ',', skip_empty_lines: true, trim: true, relax_column_count: false });
  } catch (e) {
    throw new RangeError(`${fn}: ${(e as Error).message}`);
  }
  if (records.length === 0) throw new RangeError(`${fn}: Expected at least one row but the data is empty`);
  const width = records[0]!.length;
  const names = header ? records[0]! : Array.from({ length: width }, (_, i) => String(i));
  const body = header ? records.slice(1) : records;
  const label = options.labelColumn === undefined ? -1 : labelIndex(fn, options.labelColumn, names, header);
  const featureCount = label >= 0 ? width - 1 : width;
  const features = new Float32Array(body.length * featureCount);
  const labels = label >= 0 ? new Float32Array(body.length) : undefined;
  body.forEach((record, r) => {
    let column = 0;
    record.forEach((field, c) => {
      const value = field === '' ? Number.NaN : Number(field);
      if (!Number.isFinite(value)) {
        const line = r + (header ? 2 : 1);
        throw new RangeError(`${fn}: Expected a finite number in row ${line}, column ${c + 1} ("${names[c]}") but it reads ${JSON.stringify(field)}`);
      }
      if (c === label) labels![r] = value;
      else features[r * featureCount + column++] = value;
    });
  });
  const table: CsvTable = { columns: names.filter((_, i) => i !== label), rows: body.length, features };
  if (labels) {
    table.labels = labels;
    table.labelName = names[label]!;
  }
  return table;
}

export function readCsv(path: string, options: CsvOptions = {}): CsvTable {
  try {
    return parseCsv(fs.readFileSync(path), options);
  } catch (e) {
    if (e instanceof Error && e.message.startsWith('parseCsv: ')) e.message = `readCsv: ${path}: ${e.message.slice(10)}`;
    throw e;
  }
}

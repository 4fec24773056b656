/**
 * A CSV file as strings: its header and its rows, each with the line it starts on. Quoting,
 * embedded commas and newlines and the byte-order mark are csv-parse's; this file checks the
 * shape (a header, names that are unique and non-empty, every row as wide as the header) and
 * says where a bad row is. Blank lines are skipped.
 */
import * as fs from 'node:fs';
import { parse } from 'csv-parse/sync';
import { maybeGunzip } from '../readers/gzip';

export interface CsvRecordsOptions {
  /** The field separator (default ","). */
  delimiter?: string;
  /** Cap on the inflated size of gzipped input. */
  maxBytes?: number;
}

export interface CsvRecords {
  /** The header's column names. */
  columns: string[];
  /** The data rows' fields, as written (trimmed of surrounding spaces). */
  rows: string[][];
  /** The line of the file each row starts on (1 is the header's). */
  lines: number[];
  /** Where the rows came from, for error messages ("data.csv"). */
  source: string;
}


/** The number of line breaks in a raw record (its own, and those inside quoted fields). */
function lineBreaks(raw: string): number {
  let count = 0;
  for (let i = 0; i < raw.length; i++) if (raw.charCodeAt(i) === 10) count++;
  return count;
}

export function parseCsvRecords(input: string | Uint8Array, options: CsvRecordsOptions = {}, source = 'the CSV data'): CsvRecords {
  const fn = 'parseCsvRecords';
  const bytes = typeof input === 'string' ? null : maybeGunzip(fn, input, options.maxBytes);
  // Lines are counted on "\n" alone: "\r\n" and lone "\r" line ends become "\n" first.
  const text = (bytes ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8') : input as string).replace(/\r\n?/g, '\n');
  let parsed: { record: string[]; raw: string }[];
  try {
    // With raw, each record comes with its source text (csv-parse's typings miss that form).
    parsed = parse(text, {
      delimiter: options.delimiter ?? ',', bom: true, raw: true, trim: true, relax_column_count: true, relax_quotes: true, record_delimiter: '\n',
    }) as unknown as { record: string[]; raw: string }[];
  } catch (e) {
    throw new RangeError(`${fn}: ${source} is not valid CSV: ${(e as Error).message}`);
  }
  let line = 1;
  const located: { record: string[]; line: number }[] = [];
  for (const { record, raw } of parsed) {
    // A blank line parses as one empty field.
    if (!(record.length === 1 && record[0] === '')) located.push({ record, line });
    line += lineBreaks(raw);
  }
  if (located.length === 0) throw new RangeError(`${fn}: ${source} is empty: Expected a header row and at least one data row`);
  const columns = located[0]!.record;
  const seen = new Map<string, number>();
  columns.forEach((name, i) => {
    if (name === '') throw new RangeError(`${fn}: ${source}: column ${i + 1} of the header has no name`);
    const first = seen.get(name);
    if (first !== undefined) throw new RangeError(`${fn}: ${source}: the header names column "${name}" twice (columns ${first + 1} and ${i + 1})`);
    seen.set(name, i);
  });
  if (located.length === 1) throw new RangeError(`${fn}: ${source} has a header row but no data rows`);
  const rows: string[][] = [];
  const lines: number[] = [];
  for (let r = 1; r < located.length; r++) {
    const { record, line: at } = located[r]!;
    if (record.length !== columns.length) {
      throw new RangeError(`${fn}: ${source}: line ${at} has ${record.length} field${record.length === 1 ? '' : 's'} but the header has ${columns.length}`);
    }
    rows.push(record);
    lines.push(at);
  }
  return { columns, rows, lines, source };
}

export function readCsvRecords(file: string, options: CsvRecordsOptions = {}): CsvRecords {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw new Error(`readCsvRecords: cannot read ${file}: ${(e as Error).message}`);
  }
  try {
    return parseCsvRecords(bytes, { ...(/\.tsv(\.gz)?$/i.test(file) ? { delimiter: '\t' } : {}), ...options }, file);
  } catch (e) {
    if (e instanceof Error && e.message.startsWith('parseCsvRecords: ')) e.message = `readCsvRecords: ${e.message.slice('parseCsvRecords: '.length)}`;
    throw e;
  }
}

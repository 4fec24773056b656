/**
 * Reads an event file back: every complete record, both CRCs checked, decoded into Events. For
 * tools and tests; TensorBoard has its own reader, which these files are also tested against.
 */
import * as fs from 'node:fs';
import { type Event, decodeEvent } from './proto';
import { readRecords } from './record';

export interface EventFileContents {
  events: Event[];
  /** Byte offset of an incomplete last record (a writer still at work, or killed), if any. */
  truncatedAt?: number;
}

/**
 * The events of a file (or of its bytes). A CRC mismatch or an undecodable record is a
 * RangeError naming the record and its offset; an incomplete last record is reported in
 * truncatedAt, as TensorBoard's reader stops quietly there.
 */
export function readEventFile(source: string | Uint8Array): EventFileContents {
  const name = typeof source === 'string' ? source : 'event file';
  const bytes = typeof source === 'string' ? fs.readFileSync(source) : source;
  const scan = readRecords(bytes, name);
  const events = scan.records.map(({ offset, data }, i) => decodeEvent(data, `${name}: record ${i} at byte ${offset}`));
  return scan.truncatedAt === undefined ? { events } : { events, truncatedAt: scan.truncatedAt };
}

/**
 * TFRecord framing, the container of TensorBoard event files. Each record is
 *   uint64 length (little-endian) · uint32 masked CRC-32C of those 8 bytes ·
 *   data · uint32 masked CRC-32C of the data
 * (tensorflow/core/lib/io/record_writer.cc). A writer killed mid-record leaves a truncated last
 * record, which readers treat as the end of the file so far; a CRC mismatch is corruption.
 */
import { maskedCrc32c } from './crc32c';

export const RECORD_HEADER_BYTES = 12;
export const RECORD_FOOTER_BYTES = 4;

/** One record's bytes: header, data and footer. */
export function frameRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(RECORD_HEADER_BYTES + data.length + RECORD_FOOTER_BYTES);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(data.length), true);
  view.setUint32(8, maskedCrc32c(out.subarray(0, 8)), true);
  out.set(data, RECORD_HEADER_BYTES);
  view.setUint32(RECORD_HEADER_BYTES + data.length, maskedCrc32c(data), true);
  return out;
}

export interface RecordScan {
  /** Each complete record's data (views into the input) and its byte offset. */
  records: { offset: number; data: Uint8Array }[];
  /** Where an incomplete last record starts (a writer still at work, or killed), if there is one. */
  truncatedAt?: number;
}

const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;

/**
 * Splits `bytes` into records, checking both CRCs of each. A CRC mismatch throws a RangeError
 * naming the record and its offset; an incomplete tail is reported, not thrown.
 */
export function readRecords(bytes: Uint8Array, source = 'TFRecord'): RecordScan {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`${source}: Expected a Uint8Array but received ${typeof bytes}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: RecordScan['records'] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const where = `${source}: record ${records.length} at byte ${offset}`;
    if (bytes.length - offset < RECORD_HEADER_BYTES) return { records, truncatedAt: offset };
    const expectedHeader = view.getUint32(offset + 8, true);
    const actualHeader = maskedCrc32c(bytes.subarray(offset, offset + 8));
    if (actualHeader !== expectedHeader) {
      throw new RangeError(`${where}: the length's masked CRC-32C is ${hex(actualHeader)} but the record says ${hex(expectedHeader)} (the file is corrupt)`);
    }
    const length = view.getBigUint64(offset, true);
    const end = BigInt(offset + RECORD_HEADER_BYTES) + length + BigInt(RECORD_FOOTER_BYTES);
    if (end > BigInt(bytes.length)) return { records, truncatedAt: offset };
    const start = offset + RECORD_HEADER_BYTES;
    const data = bytes.subarray(start, start + Number(length));
    const expectedData = view.getUint32(start + data.length, true);
    const actualData = maskedCrc32c(data);
    if (actualData !== expectedData) {
      throw new RangeError(`${where}: the data's masked CRC-32C is ${hex(actualData)} but the record says ${hex(expectedData)} (the file is corrupt)`);
    }
    records.push({ offset, data });
    offset = Number(end);
  }
  return { records };
}

/** TensorBoard event files: writing what TensorBoard shows, and reading the files back. */
export { SummaryWriter, histogramValue, scalarValue, textValue } from './summary-writer';
export { EventFileWriter, eventFileName } from './event-file-writer';
export type { EventFileWriterOptions } from './event-file-writer';
export { readEventFile } from './event-file-reader';
export type { EventFileContents } from './event-file-reader';
export { countNonFinite, defaultBucketLimits, histogramOf } from './histogram';
export { frameRecord, readRecords } from './record';
export type { RecordScan } from './record';
export { crc32c, maskCrc, maskedCrc32c, unmaskCrc } from './crc32c';
export { FILE_VERSION, PROTO_FILE, DataClass, DataType, SessionStatus } from './proto';
export type { Event, HistogramProto, SessionLog, SummaryMetadata, SummaryValue, TensorProto } from './proto';

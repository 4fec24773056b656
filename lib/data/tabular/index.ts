/** Tables from files: CSV records, their encoding spec, and splits fitted on the training rows. */
export { parseCsvRecords, readCsvRecords } from './csv-records';
export type { CsvRecords, CsvRecordsOptions } from './csv-records';
export { MISSING_TOKENS } from './cells';
export { inferSchema, DEFAULT_MAX_CATEGORIES } from './schema';
export type { ColumnSpec, SchemaOptions, TargetSpec, Task } from './schema';
export { TabularSpec } from './tabular-spec';
export type { EncodedTable, EncodingOptions, Impute, TabularOptions, TabularSpecState } from './tabular-spec';
export { loadCsv, loadNpyPair, splitTable } from './load';
export type { TabularData, TabularSplit } from './load';
export { foldStandardization } from './fold';

/**
 * A table file (CSV, or a pair of NPY arrays) as the three splits a model trains, validates and
 * is tested on: encoded by its TabularSpec, split with one seeded shuffle, the spec's statistics
 * fitted on the training rows only and applied to all three.
 */
import type { Tensor } from '../../autograd/tensor';
import { readNpy } from '../readers/npy';
import { type SplitFractions, type SplitIndices, splitIndices } from '../split';
import { type CsvRecordsOptions, readCsvRecords } from './csv-records';
import type { Task } from './schema';
import { type EncodedTable, type EncodingOptions, type TabularOptions, TabularSpec } from './tabular-spec';

export interface TabularSplit {
  x: Tensor;
  y: Tensor;
}

export interface TabularData {
  spec: TabularSpec;
  train: TabularSplit;
  validation: TabularSplit;
  test: TabularSplit;
  /** The row indices of each split in the file. */
  rows: SplitIndices;
}

/** Splits an encoded table, fits the spec on the training rows and transforms every split. */
export function splitTable(spec: TabularSpec, table: EncodedTable, split: SplitFractions, source = 'the table'): TabularData {
  let rows: SplitIndices;
  try {
    rows = splitIndices(table.rows, split);
  } catch (e) {
    throw new RangeError(`${source} has ${table.rows} data row${table.rows === 1 ? '' : 's'}: ${(e as Error).message}`);
  }
  spec.fit(table, rows.train);
  const part = (indices: Int32Array): TabularSplit => {
    const { x, y } = spec.transform(table, indices);
    return { x, y: y! };
  };
  return { spec, train: part(rows.train), validation: part(rows.validation), test: part(rows.test), rows };
}

/** A CSV file with a header row, its target column named in options.target. */
export function loadCsv(file: string, options: TabularOptions & { split: SplitFractions } & CsvRecordsOptions): TabularData {
  const records = readCsvRecords(file, options);
  const spec = TabularSpec.inferCsv(records, options);
  return splitTable(spec, spec.encodeRecords(records), options.split, file);
}

/** Inputs x.npy [N, …] and targets labels.npy [N] (or [N, outputs] for regression). */
export function loadNpyPair(xFile: string, labelsFile: string, options: EncodingOptions & { task?: Task; split: SplitFractions }): TabularData {
  const x = readNpy(xFile);
  const labels = readNpy(labelsFile);
  const names: [string, string] = [xFile, labelsFile];
  const spec = TabularSpec.inferArrays(x, labels, { ...options, names });
  return splitTable(spec, spec.encodeArrays(x, labels, names), options.split, xFile);
}

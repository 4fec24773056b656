/**
 * The command's data: the shipped digits, Debian's Fashion-MNIST, a directory of MNIST-layout
 * IDX files, a CSV file or a pair of NPY arrays; split into train, validation and test the same
 * way for the same settings. Tables come with the TabularSpec that encoded them (fitted on their
 * training rows), which the run saves and evaluate applies.
 */
import * as fs from 'node:fs';
import { gather } from '../autograd/ops/shape';
import type { Tensor } from '../autograd/tensor';
import { digits } from '../data/datasets/digits';
import { type LabelledData } from '../data/datasets/digits';
import { fashionMnist } from '../data/datasets/fashion-mnist';
import { shuffledIndices } from '../data/loader';
import { readNpy } from '../data/readers/npy';
import { splitIndices } from '../data/split';
import { readCsvRecords } from '../data/tabular/csv-records';
import { loadCsv, loadNpyPair } from '../data/tabular/load';
import type { Task } from '../data/tabular/schema';
import type { EncodedTable, TabularSpec } from '../data/tabular/tabular-spec';
import { type DataConfig, dataDefaults, dataKind } from './data-config';

export interface Split {
  x: Tensor;
  /** Class indices [N] (classification) or targets [N, outputs] (regression). */
  y: Tensor;
}

export interface Splits {
  name: string;
  train: Split;
  validation: Split;
  test: Split;
  inputs: number;
  /** The model's output width: the classes, or a regressor's targets. */
  classes: number;
  task: Task;
  /** Class names, index i being class i (tables; the images' classes are their digits 0…). */
  classNames?: string[];
  /** How a table was encoded and standardized (fitted on its training rows). */
  spec?: TabularSpec;
}

/** What names the data: the data setting alone, or with the settings of a table. */
export type DataSource = string | (Partial<DataConfig> & { data: string });

function settings(source: DataSource): DataConfig & { data: string } {
  const data = typeof source === 'string' ? source : source.data;
  return { ...dataDefaults(data), ...(typeof source === 'string' ? {} : source), data };
}

function part(data: LabelledData, indices: ArrayLike<number>): Split {
  return { x: gather(data.x, indices), y: gather(data.y, indices) };
}

function tableOptions(s: DataConfig) {
  return {
    task: s.task, impute: s.impute, standardize: s.standardize, split: { validation: s.validationSplit, test: s.testSplit, seed: s.splitSeed },
  };
}

export function loadData(source: DataSource): Splits {
  const s = settings(source);
  const name = s.data;
  const kind = dataKind(name);
  if (kind === 'csv' || kind === 'npy') {
    const options = tableOptions(s);
    const table = kind === 'csv'
      ? loadCsv(name, { ...options, target: s.target, categorical: s.categorical, drop: s.drop, maxCategories: s.maxCategories })
      : loadNpyPair(name, s.labels, options);
    const { spec } = table;
    return {
      name, train: table.train, validation: table.validation, test: table.test, inputs: spec.inputs, classes: spec.outputs, task: spec.task,
      ...(spec.classes ? { classNames: [...spec.classes] } : {}), spec,
    };
  }
  if (kind === 'digits') {
    // 1 797 images: by default 20% test, 10% validation, the rest for training.
    const all = digits({ scale: true });
    const rows = splitIndices(all.x.shape[0]!, { validation: s.validationSplit, test: s.testSplit, seed: s.splitSeed });
    return { name, train: part(all, rows.train), validation: part(all, rows.validation), test: part(all, rows.test), inputs: 64, classes: 10, task: 'classification' };
  }
  if (kind === 'idx' && !(fs.existsSync(name) && fs.statSync(name).isDirectory())) {
    throw new RangeError(`--data: Expected digits, fashion-mnist, a directory of MNIST-layout IDX files, a .csv/.tsv file (with --target) or a .npy file (with --labels) but received "${name}"`);
  }
  const { train: full, test } = fashionMnist(kind === 'fashion-mnist' ? {} : { dir: name });
  // 5 000 training images (after a seeded shuffle) validate; the official test split tests.
  const n = full.x.shape[0]!;
  const order = shuffledIndices(n, s.splitSeed, 0);
  const held = Math.round(Math.min(5000, Math.floor(n / 10)));
  return {
    name, train: part(full, order.subarray(held)), validation: part(full, order.subarray(0, held)), test: { x: test.x, y: test.y },
    inputs: full.x.shape[1]!, classes: full.classes, task: 'classification',
  };
}

/**
 * A table's rows encoded by a saved spec (no statistics refitted): the given split of the file
 * the spec was fitted on (the same seeded shuffle), or every row of another file ('all').
 */
export function loadWithSpec(source: DataSource, spec: TabularSpec, split: 'train' | 'validation' | 'test' | 'all'): Split {
  const s = settings(source);
  let table: EncodedTable;
  if (dataKind(s.data) === 'csv') {
    table = spec.encodeRecords(readCsvRecords(s.data));
  } else {
    if (s.labels === '') throw new RangeError(`evaluate: NPY data needs its targets (--labels y.npy) to be scored`);
    table = spec.encodeArrays(readNpy(s.data), readNpy(s.labels), [s.data, s.labels]);
  }
  const rows = split === 'all' ? undefined : splitIndices(table.rows, { validation: s.validationSplit, test: s.testSplit, seed: s.splitSeed })[split];
  const { x, y } = spec.transform(table, rows);
  return { x, y: y! };
}

/**
 * The data settings of a run (part of RunConfig): which file and how to read it. `data` names the
 * shipped digits, Fashion-MNIST, a directory of MNIST-layout IDX files, a CSV file (.csv, .tsv,
 * gzipped or not; with `target`) or an NPY array of inputs (.npy; with `labels`). Tables are
 * split into train, validation and test rows by a seeded shuffle, encoded, and standardized on
 * the training rows.
 */
import type { Impute } from '../data/tabular/tabular-spec';
import type { Task } from '../data/tabular/schema';
import { DEFAULT_MAX_CATEGORIES } from '../data/tabular/schema';

export const TASK_NAMES = ['classification', 'regression'] as const;
export const IMPUTE_NAMES = ['none', 'mean'] as const;

export interface DataConfig {
  /** An NPY file of targets, one row per row of the `data` array (NPY data only). */
  labels: string;
  /** The CSV column to predict (CSV data only). */
  target: string;
  /** classification (softmax cross-entropy, accuracy) or regression (MSE; MAE, RMSE, R²). */
  task: Task;
  /** none: a missing value is an error naming its row and column; mean: filled with the training mean. */
  impute: Impute;
  /** Standardize a table's features (and a regressor's targets) on the training rows. */
  standardize: boolean;
  /** CSV columns to one-hot although they hold numbers. */
  categorical: string[];
  /** CSV columns to leave out. */
  drop: string[];
  /** The most distinct values a CSV column may one-hot into. */
  maxCategories: number;
  /** Shares of the rows held out for validation and test (digits and tables), and the shuffle's seed. */
  validationSplit: number;
  testSplit: number;
  splitSeed: number;
}

export type DataKind = 'digits' | 'fashion-mnist' | 'csv' | 'npy' | 'idx';

/** What `data` names, from its spelling (a file's extension). */
export function dataKind(data: string): DataKind {
  if (data === 'digits' || data === 'fashion-mnist') return data;
  if (/\.(csv|tsv)(\.gz)?$/i.test(data)) return 'csv';
  if (/\.npy(\.gz)?$/i.test(data)) return 'npy';
  return 'idx';
}

export function isTable(data: string): boolean {
  const kind = dataKind(data);
  return kind === 'csv' || kind === 'npy';
}

/** The split the shipped digits have always had: 20% test, 10% validation, this seed. */
export const DEFAULT_SPLIT_SEED = 20_240_601;

export function dataDefaults(data: string): DataConfig {
  return {
    labels: '', target: '', task: 'classification', impute: 'none', standardize: isTable(data), categorical: [], drop: [],
    maxCategories: DEFAULT_MAX_CATEGORIES, validationSplit: 0.1, testSplit: 0.2, splitSeed: DEFAULT_SPLIT_SEED,
  };
}

/** A table's model and schedule: smaller than the images', more epochs of fewer rows. */
export function tableRunDefaults(data: string): Partial<{ model: string; dropout: number; batchSize: number; epochs: number }> {
  return isTable(data) ? { model: '128-64', dropout: 0, batchSize: 32, epochs: 40 } : {};
}

function fail(message: string): never {
  throw new RangeError(message);
}

function names(flag: string, value: unknown): void {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && v !== '')) fail(`${flag}: Expected a list of column names but received ${JSON.stringify(value)}`);
}

/** Checks the data settings against each other and against what `data` names. */
export function validateDataConfig(config: DataConfig & { data: string }): void {
  const kind = dataKind(config.data);
  if (!(TASK_NAMES as readonly string[]).includes(config.task)) fail(`--task: Expected one of ${TASK_NAMES.join(', ')} but received "${String(config.task)}"`);
  if (!(IMPUTE_NAMES as readonly string[]).includes(config.impute)) fail(`--impute: Expected one of ${IMPUTE_NAMES.join(', ')} but received "${String(config.impute)}"`);
  if (typeof config.standardize !== 'boolean') fail(`--standardize: Expected true or false but received ${String(config.standardize)}`);
  if (typeof config.target !== 'string') fail(`--target: Expected a column name but received ${String(config.target)}`);
  if (typeof config.labels !== 'string') fail(`--labels: Expected an NPY file but received ${String(config.labels)}`);
  names('--categorical', config.categorical);
  names('--drop', config.drop);
  if (!Number.isInteger(config.maxCategories) || config.maxCategories < 1) fail(`--max-categories: Expected an integer >= 1 but received ${config.maxCategories}`);
  for (const [flag, v] of [['--validation-split', config.validationSplit], ['--test-split', config.testSplit]] as const) {
    if (typeof v !== 'number' || !(v > 0 && v < 1)) fail(`${flag}: Expected a fraction in (0, 1) but received ${String(v)}`);
  }
  if (!(config.validationSplit + config.testSplit < 1)) fail(`--validation-split + --test-split: Expected a sum below 1 but received ${config.validationSplit} + ${config.testSplit}`);
  if (!Number.isSafeInteger(config.splitSeed) || config.splitSeed < 0) fail(`--split-seed: Expected an integer >= 0 but received ${config.splitSeed}`);
  const csvOnly = config.categorical.length > 0 ? '--categorical' : config.drop.length > 0 ? '--drop' : config.target !== '' ? '--target' : '';
  if (kind === 'csv') {
    if (config.target === '') fail(`--target: CSV data needs the name of the column to predict (--target <column>) for ${config.data}`);
    if (config.labels !== '') fail(`--labels: CSV data has its targets in a column (--target); --labels is for NPY data`);
  } else if (kind === 'npy') {
    if (config.labels === '') fail(`--labels: NPY data needs a file of targets beside its inputs (--data x.npy --labels y.npy)`);
    if (csvOnly) fail(`${csvOnly}: applies to CSV data, not to the NPY arrays of ${config.data}`);
  } else {
    const tableOnly = csvOnly || (config.labels !== '' ? '--labels' : config.impute !== 'none' ? '--impute' : config.standardize ? '--standardize' : config.task !== 'classification' ? '--task' : '');
    if (tableOnly) fail(`${tableOnly}: applies to CSV and NPY data; ${config.data} is ${kind === 'idx' ? 'a directory of IDX images' : 'a classification dataset of images'} (its labels are classes)`);
  }
}

/**
 * The columns of a table and what each becomes: numeric columns stay numbers, text columns
 * become one-hot features over their vocabulary, and the target becomes class indices (a
 * classifier's strings or integers, in sorted order) or numbers (a regressor's). Inferred from
 * every row of the training file, so a category seen only in the test rows still has a feature.
 */
import { type CsvRecords } from './csv-records';
import { cellKind, listNames, showCell } from './cells';

export type Task = 'classification' | 'regression';

export type ColumnSpec =
  | { name: string; kind: 'numeric' }
  | { name: string; kind: 'categorical'; categories: string[] };

export type TargetSpec =
  | {
    name: string;
    task: 'classification';
    /** The class names, index i being class i: sorted numerically for integer labels, else as strings. */
    classes: string[];
    /** How cells are read: integer labels compare by value ("01" is class "1"), string labels as written. */
    labels: 'integer' | 'string';
  }
  | { name: string; task: 'regression'; outputs: number };

export interface SchemaOptions {
  /** The target column's name. */
  target: string;
  task?: Task;
  /** Columns to one-hot even though they hold numbers (codes, zip codes). */
  categorical?: readonly string[];
  /** Columns to leave out (identifiers, free text). */
  drop?: readonly string[];
  /** The most distinct values a column may one-hot into (default 1000). */
  maxCategories?: number;
}

export const DEFAULT_MAX_CATEGORIES = 1000;

function columnIndex(fn: string, records: CsvRecords, name: string, what: string): number {
  const i = records.columns.indexOf(name);
  if (i >= 0) return i;
  const near = records.columns.find((c) => c.toLowerCase() === name.toLowerCase() || c.trim() === name.trim());
  throw new RangeError(`${fn}: Expected ${what} named one of ${listNames(records.columns)} but received "${name}"${near !== undefined ? ` (did you mean "${near}"?)` : ''}`);
}

function where(records: CsvRecords, r: number): string {
  return `${records.source} line ${records.lines[r]}`;
}

/** Sorted class names of integer labels (by value) or string labels (as written). */
function sortedClasses(values: Iterable<string>, labels: 'integer' | 'string'): string[] {
  const unique = [...new Set(values)];
  return labels === 'integer' ? unique.sort((a, b) => Number(a) - Number(b)) : unique.sort();
}

/** The canonical class key of a cell: integers by value, strings as written. */
export function classKey(cell: string, labels: 'integer' | 'string'): string {
  return labels === 'integer' ? String(Number(cell)) : cell;
}

function inferTarget(fn: string, records: CsvRecords, index: number, task: Task): TargetSpec {
  const name = records.columns[index]!;
  const cells = records.rows.map((row) => row[index]!);
  cells.forEach((cell, r) => {
    const kind = cellKind(cell);
    if (kind === 'missing') throw new RangeError(`${fn}: ${where(records, r)}, target column "${name}": the target is missing (${showCell(cell)}); every row needs one`);
    if (task === 'regression' && kind !== 'number') {
      throw new RangeError(`${fn}: ${where(records, r)}, target column "${name}": Expected a finite number for regression but it reads ${showCell(cell)}`);
    }
  });
  if (task === 'regression') return { name, task, outputs: 1 };
  const numeric = cells.every((c) => cellKind(c) === 'number');
  if (numeric) {
    const fractional = cells.findIndex((c) => !Number.isInteger(Number(c)));
    if (fractional >= 0) {
      throw new RangeError(`${fn}: ${where(records, fractional)}, target column "${name}": a classifier's target must be integers or strings but it reads ${showCell(cells[fractional]!)} (for numbers, use task regression: --task regression)`);
    }
  }
  const labels = numeric ? 'integer' : 'string';
  const classes = sortedClasses(cells.map((c) => classKey(c, labels)), labels);
  if (classes.length < 2) throw new RangeError(`${fn}: target column "${name}" holds one class (${showCell(classes[0]!)}); a classifier needs at least 2`);
  return { name, task, classes, labels };
}

function inferColumn(fn: string, records: CsvRecords, index: number, forced: boolean, maxCategories: number): ColumnSpec {
  const name = records.columns[index]!;
  let numbers = 0;
  let texts = 0;
  let firstText = -1;
  for (let r = 0; r < records.rows.length; r++) {
    const kind = cellKind(records.rows[r]![index]!);
    if (kind === 'number' || kind === 'infinite') numbers++;
    else if (kind === 'text') {
      texts++;
      if (firstText < 0) firstText = r;
    }
  }
  if (numbers + texts === 0) throw new RangeError(`${fn}: column "${name}" has no values (every cell is missing); drop it (--drop "${name}")`);
  if (!forced && texts === 0) return { name, kind: 'numeric' };
  if (!forced && numbers >= texts) {
    throw new RangeError(`${fn}: ${where(records, firstText)}, column "${name}": Expected a number (the column holds numbers in ${numbers} rows) but it reads ${showCell(records.rows[firstText]![index]!)}; ` +
      `fix the cell, or one-hot the column as categories (--categorical "${name}")`);
  }
  const categories = new Set<string>();
  for (const row of records.rows) {
    const cell = row[index]!;
    if (cellKind(cell) !== 'missing') categories.add(cell);
  }
  if (categories.size > maxCategories) {
    throw new RangeError(`${fn}: column "${name}" has ${categories.size} distinct values, more than the ${maxCategories} it may one-hot into; ` +
      `drop it (--drop "${name}") or raise the limit (--max-categories)`);
  }
  return { name, kind: 'categorical', categories: [...categories].sort() };
}

/** The input columns (file order, without the target and the dropped ones) and the target. */
export function inferSchema(records: CsvRecords, options: SchemaOptions): { columns: ColumnSpec[]; target: TargetSpec; dropped: string[] } {
  const fn = 'inferSchema';
  if (typeof options?.target !== 'string' || options.target === '') throw new TypeError(`${fn}: Expected the target column's name (--target <column>)`);
  const task = options.task ?? 'classification';
  if (task !== 'classification' && task !== 'regression') throw new RangeError(`${fn}: Expected task classification or regression but received ${String(task)}`);
  const maxCategories = options.maxCategories ?? DEFAULT_MAX_CATEGORIES;
  if (!Number.isInteger(maxCategories) || maxCategories < 1) throw new RangeError(`${fn}: Expected a positive integer maxCategories but received ${maxCategories}`);
  const targetIndex = columnIndex(fn, records, options.target, 'a target column');
  const dropped = [...new Set(options.drop ?? [])];
  const forced = new Set(options.categorical ?? []);
  for (const name of dropped) columnIndex(fn, records, name, 'a column to drop');
  for (const name of forced) columnIndex(fn, records, name, 'a categorical column');
  if (dropped.includes(options.target)) throw new RangeError(`${fn}: the target column "${options.target}" cannot also be dropped`);
  if (forced.has(options.target)) throw new RangeError(`${fn}: the target column "${options.target}" cannot be a categorical input; a classifier's target is categorical already`);
  const target = inferTarget(fn, records, targetIndex, task);
  const columns: ColumnSpec[] = [];
  records.columns.forEach((name, i) => {
    if (i === targetIndex || dropped.includes(name)) return;
    columns.push(inferColumn(fn, records, i, forced.has(name), maxCategories));
  });
  if (columns.length === 0) throw new RangeError(`${fn}: ${records.source} has no input columns besides the target "${options.target}"`);
  return { columns, target, dropped };
}

/** The schema of numeric arrays: features named "0", "1", … and the target from the labels. */
export function inferArraySchema(fn: string, features: number, labels: Float64Array, outputs: number, task: Task, source: string): { columns: ColumnSpec[]; target: TargetSpec } {
  const columns: ColumnSpec[] = Array.from({ length: features }, (_, j) => ({ name: String(j), kind: 'numeric' }));
  if (task === 'regression') return { columns, target: { name: 'labels', task, outputs } };
  if (outputs !== 1) throw new RangeError(`${fn}: Expected one label per row for classification but ${source} has ${outputs} per row`);
  const keys: string[] = [];
  labels.forEach((v, r) => {
    if (!Number.isInteger(v)) throw new RangeError(`${fn}: ${source}[${r}] is ${v}: a classifier's labels must be integers (for numbers, use task regression: --task regression)`);
    keys.push(String(v));
  });
  const classes = sortedClasses(keys, 'integer');
  if (classes.length < 2) throw new RangeError(`${fn}: ${source} holds one class (${classes[0]}); a classifier needs at least 2`);
  return { columns, target: { name: 'labels', task, classes, labels: 'integer' } };
}

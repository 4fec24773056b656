/**
 * TabularSpec: how a table becomes a model's inputs and targets, and the statistics that go with
 * it, saved beside the model so the same encoding applies to any later file. Encoding turns each
 * row into features (numbers as they are, one-hot for categories, NaN where a value is missing);
 * fit() learns, on the training rows only, the means that fill missing values (impute 'mean')
 * and the standardization of the features (and of a regressor's targets); transform() applies
 * them. The state is plain JSON that round-trips exactly.
 */
import { Tensor } from '../../autograd/tensor';
import { describe } from '../../backend/validate';
import type { NumericArray } from '../readers/numeric-array';
import { Standardize, type StandardizeState } from '../preprocess/standardize';
import { cellKind, listNames, showCell } from './cells';
import type { CsvRecords } from './csv-records';
import {
  type ColumnSpec, type SchemaOptions, type TargetSpec, type Task, classKey, inferArraySchema, inferSchema,
} from './schema';

export type Impute = 'none' | 'mean';

export interface EncodingOptions {
  /** 'mean' fills a missing value with its feature's mean over the training rows; 'none' (default) makes it an error. */
  impute?: Impute;
  /** Standardize the features (and a regressor's targets) with the training rows' mean and std (default true). */
  standardize?: boolean;
}

export type TabularOptions = SchemaOptions & EncodingOptions;

/** A table encoded in double, before imputation and standardization. */
export interface EncodedTable {
  /** rows × features, row-major; NaN where a value is missing. */
  x: Float64Array;
  /** Class indices (classification) or rows × outputs targets (regression); null when not read. */
  y: Float64Array | null;
  rows: number;
  /** Where row r came from, for messages ("data.csv line 7", "x.npy row 6"). */
  where(r: number): string;
}

export interface TabularSpecState {
  format: 'tensorgrad.tabular';
  version: 1;
  columns: ColumnSpec[];
  dropped: string[];
  target: TargetSpec;
  /** The encoded features' names: a numeric column's own, "column=category" for one-hot ones. */
  features: string[];
  impute: Impute;
  /** Per feature, the training mean that fills missing values (impute 'mean'), once fitted. */
  fill: number[] | null;
  standardize: boolean;
  /** The features' standardization, once fitted (one-hot features keep mean 0 and scale 1). */
  scaler: StandardizeState | null;
  /** A regressor's target standardization, once fitted. */
  targetScaler: StandardizeState | null;
}

function featureNames(columns: readonly ColumnSpec[]): string[] {
  return columns.flatMap((c) => (c.kind === 'numeric' ? [c.name] : c.categories.map((v) => `${c.name}=${v}`)));
}

function fail(message: string): never {
  throw new RangeError(message);
}

function standardizeFrom(state: StandardizeState): Standardize {
  const s = new Standardize();
  s.loadStateDict(state);
  return s;
}

export class TabularSpec {
  readonly columns: readonly ColumnSpec[];
  readonly dropped: readonly string[];
  readonly target: TargetSpec;
  readonly impute: Impute;
  readonly standardize: boolean;
  readonly features: readonly string[];
  #fill: Float64Array | null = null;
  #scaler: Standardize | null = null;
  #targetScaler: Standardize | null = null;

  constructor(schema: { columns: ColumnSpec[]; target: TargetSpec; dropped?: string[] }, options: EncodingOptions = {}) {
    const impute = options.impute ?? 'none';
    if (impute !== 'none' && impute !== 'mean') throw new RangeError(`TabularSpec: Expected impute "none" or "mean" but received ${describe(impute)}`);
    if (options.standardize !== undefined && typeof options.standardize !== 'boolean') {
      throw new TypeError(`TabularSpec: Expected standardize true or false but received ${describe(options.standardize)}`);
    }
    this.columns = schema.columns;
    this.target = schema.target;
    this.dropped = schema.dropped ?? [];
    this.impute = impute;
    this.standardize = options.standardize ?? true;
    this.features = featureNames(schema.columns);
  }

  /** The schema of a CSV file's records (see inferSchema), unfitted. */
  static inferCsv(records: CsvRecords, options: TabularOptions): TabularSpec {
    return new TabularSpec(inferSchema(records, options), options);
  }

  /**
   * The schema of numeric arrays: x [N, …] (flattened to [N, features]) and labels [N] (or
   * [N, outputs] for regression), unfitted.
   */
  static inferArrays(x: NumericArray, labels: NumericArray, options: EncodingOptions & { task?: Task; names?: [string, string] } = {}): TabularSpec {
    const [xName, yName] = options.names ?? ['x', 'labels'];
    const { features, outputs } = arrayShapes('TabularSpec.inferArrays', x, labels, xName, yName);
    const schema = inferArraySchema('TabularSpec.inferArrays', features, toDoubles(labels), outputs, options.task ?? 'classification', yName);
    return new TabularSpec(schema, options);
  }

  get task(): Task {
    return this.target.task;
  }

  get inputs(): number {
    return this.features.length;
  }

  /** The model's output width: the classes, or a regressor's targets. */
  get outputs(): number {
    return this.target.task === 'classification' ? this.target.classes.length : this.target.outputs;
  }

  get classes(): readonly string[] | null {
    return this.target.task === 'classification' ? this.target.classes : null;
  }

  get fitted(): boolean {
    return (!this.standardize || this.#scaler !== null) && (this.impute === 'none' || this.#fill !== null);
  }

  /** A regressor's target standardization (mean and scale per output), once fitted. */
  get targetScaling(): { mean: Float64Array; scale: Float64Array } | null {
    return this.#targetScaler ? { mean: this.#targetScaler.mean!, scale: this.#targetScaler.scale! } : null;
  }

  /** The features' standardization (mean and scale per feature), once fitted. */
  get featureScaling(): { mean: Float64Array; scale: Float64Array } | null {
    return this.#scaler ? { mean: this.#scaler.mean!, scale: this.#scaler.scale! } : null;
  }

  /** Encodes CSV records; with target false the target column is not read (nor required). */
  encodeRecords(records: CsvRecords, options: { target?: boolean } = {}): EncodedTable {
    const fn = 'TabularSpec.encodeRecords';
    const readTarget = options.target ?? true;
    const index = new Map(records.columns.map((name, i) => [name, i]));
    const missing = this.columns.map((c) => c.name).filter((name) => !index.has(name));
    if (readTarget && !index.has(this.target.name)) missing.push(this.target.name);
    if (missing.length > 0) fail(`${fn}: ${records.source} lacks the column${missing.length > 1 ? 's' : ''} ${listNames(missing)} the model was trained with`);
    const n = records.rows.length;
    const width = this.features.length;
    const x = new Float64Array(n * width);
    const where = (r: number) => `${records.source} line ${records.lines[r]}`;
    const cells = this.columns.map((c) => index.get(c.name)!);
    const categoryIndex = this.columns.map((c) => (c.kind === 'categorical' ? new Map(c.categories.map((v, k) => [v, k])) : null));
    for (let r = 0; r < n; r++) {
      const row = records.rows[r]!;
      let f = r * width;
      this.columns.forEach((column, c) => {
        const cell = row[cells[c]!]!;
        const kind = cellKind(cell);
        const at = () => `${fn}: ${where(r)}, column "${column.name}"`;
        if (kind === 'missing') {
          if (this.impute === 'none') {
            fail(`${at()}: the value is missing (${showCell(cell)}); fill it in, or impute missing values with the training mean (impute 'mean', --impute mean)`);
          }
          const span = column.kind === 'numeric' ? 1 : column.categories.length;
          x.fill(Number.NaN, f, f + span);
          f += span;
          return;
        }
        if (column.kind === 'numeric') {
          if (kind === 'infinite') fail(`${at()}: Expected a finite number but it reads ${showCell(cell)}`);
          if (kind === 'text') fail(`${at()}: Expected a number but it reads ${showCell(cell)}`);
          x[f++] = Number(cell);
          return;
        }
        const k = categoryIndex[c]!.get(cell);
        if (k === undefined) fail(`${at()}: ${showCell(cell)} is not one of the ${column.categories.length} categories the model was trained with (${listNames(column.categories, 8)})`);
        x[f + k] = 1;
        f += column.categories.length;
      });
    }
    return { x, y: readTarget ? this.#encodeTarget(records, index.get(this.target.name)!, where) : null, rows: n, where };
  }

  #encodeTarget(records: CsvRecords, column: number, where: (r: number) => string): Float64Array {
    const fn = 'TabularSpec.encodeRecords';
    const target = this.target;
    const n = records.rows.length;
    const y = new Float64Array(n); // a CSV file has one target column
    const classIndex = target.task === 'classification' ? new Map(target.classes.map((name, k) => [name, k])) : null;
    for (let r = 0; r < n; r++) {
      const cell = records.rows[r]![column]!;
      const kind = cellKind(cell);
      const at = `${fn}: ${where(r)}, target column "${target.name}"`;
      if (kind === 'missing') fail(`${at}: the target is missing (${showCell(cell)}); every row needs one`);
      if (target.task === 'regression') {
        if (kind !== 'number') fail(`${at}: Expected a finite number for regression but it reads ${showCell(cell)}`);
        y[r] = Number(cell);
        continue;
      }
      const key = target.labels === 'integer' && kind === 'number' ? classKey(cell, 'integer') : cell;
      const k = classIndex!.get(key);
      if (k === undefined) fail(`${at}: ${showCell(cell)} is not one of the ${target.classes.length} classes the model was trained with (${listNames(target.classes, 8)})`);
      y[r] = k;
    }
    return y;
  }

  /** Encodes numeric arrays x [N, …] and labels (null: none), named in messages as names. */
  encodeArrays(x: NumericArray, labels: NumericArray | null, names: [string, string] = ['x', 'labels']): EncodedTable {
    const fn = 'TabularSpec.encodeArrays';
    const [xName, yName] = names;
    const { rows, features, outputs } = arrayShapes(fn, x, labels, xName, yName);
    if (features !== this.features.length) fail(`${fn}: the model takes ${this.features.length} features per row but ${xName} has ${features}`);
    if (labels && outputs !== this.outputs && this.task === 'regression') fail(`${fn}: the model predicts ${this.outputs} targets per row but ${yName} has ${outputs}`);
    const values = toDoubles(x);
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (Number.isFinite(v)) continue;
      const at = `${fn}: ${xName}[${Math.floor(i / features)}, ${i % features}] is ${v}`;
      if (!Number.isNaN(v)) fail(`${at}: Expected finite values`);
      if (this.impute === 'none') fail(`${at} (a missing value); impute missing values with the training mean (impute 'mean', --impute mean)`);
    }
    let y: Float64Array | null = null;
    if (labels) {
      const raw = toDoubles(labels);
      if (this.target.task === 'regression') {
        const bad = raw.findIndex((v) => !Number.isFinite(v));
        if (bad >= 0) fail(`${fn}: ${yName}[${Math.floor(bad / outputs)}] is ${raw[bad]}: Expected finite targets`);
        y = raw;
      } else {
        const classIndex = new Map(this.target.classes.map((name, k) => [name, k]));
        y = new Float64Array(rows);
        for (let r = 0; r < rows; r++) {
          const k = classIndex.get(String(raw[r]));
          if (k === undefined) fail(`${fn}: ${yName}[${r}] is ${raw[r]}, not one of the ${classIndex.size} classes the model was trained with (${listNames(this.target.classes, 8)})`);
          y[r] = k;
        }
      }
    }
    return { x: values, y, rows, where: (r) => `${xName} row ${r}` };
  }

  /** Learns the fill means and the standardization from the given rows (the training split). */
  fit(table: EncodedTable, rows: ArrayLike<number>): this {
    const fn = 'TabularSpec.fit';
    const width = this.features.length;
    if (rows.length < 1) fail(`${fn}: Expected at least one training row`);
    const x = gatherRows(table.x, width, rows);
    if (this.impute === 'mean') {
      const sums = new Float64Array(width);
      const counts = new Float64Array(width);
      for (let i = 0; i < x.length; i++) {
        const v = x[i]!;
        if (Number.isNaN(v)) continue;
        sums[i % width] += v;
        counts[i % width]++;
      }
      const fill = new Float64Array(width);
      for (let j = 0; j < width; j++) {
        if (counts[j] === 0) fail(`${fn}: feature "${this.features[j]}" has no value in the ${rows.length} training rows to take a mean of`);
        fill[j] = sums[j]! / counts[j]!;
      }
      this.#fill = fill;
      fillMissing(x, fill);
    }
    if (this.standardize) {
      const scaler = new Standardize().fit(new Tensor(x, [rows.length, width]));
      // One-hot features stay 0/1 (their missing values filled with the category's frequency).
      const state = scaler.stateDict();
      let f = 0;
      for (const column of this.columns) {
        if (column.kind === 'numeric') {
          f++;
          continue;
        }
        for (let k = 0; k < column.categories.length; k++, f++) {
          state.mean[f] = 0;
          state.scale[f] = 1;
        }
      }
      this.#scaler = standardizeFrom(state);
      if (this.target.task === 'regression') {
        if (!table.y) fail(`${fn}: Expected the targets of the training rows to standardize them`);
        const outputs = this.target.outputs;
        this.#targetScaler = new Standardize().fit(new Tensor(gatherRows(table.y, outputs, rows), [rows.length, outputs]));
      }
    }
    return this;
  }

  /**
   * The model's inputs x [rows, features] (float32) and targets y (float32 class indices [rows],
   * or standardized targets [rows, outputs]) of the given rows (default all).
   */
  transform(table: EncodedTable, rows?: ArrayLike<number>): { x: Tensor; y: Tensor | null } {
    const fn = 'TabularSpec.transform';
    if (!this.fitted) fail(`${fn}: not fitted yet: call fit(table, trainRows) (or load a saved state) first`);
    const width = this.features.length;
    const picked = rows ?? Int32Array.from({ length: table.rows }, (_, i) => i);
    const n = picked.length;
    let x = gatherRows(table.x, width, picked);
    if (this.#fill) fillMissing(x, this.#fill);
    if (this.#scaler) x = this.#scaler.transform(new Tensor(x, [n, width])).data as Float64Array;
    const out = Float32Array.from(x);
    for (let i = 0; i < out.length; i++) {
      if (!Number.isFinite(out[i]!)) {
        const r = Math.floor(i / width);
        fail(`${fn}: ${table.where(picked[r]!)}, feature "${this.features[i % width]}": the value ${x[i]} is out of float32 range${this.#scaler ? ' after standardization' : ''}`);
      }
    }
    let y: Tensor | null = null;
    if (table.y) {
      if (this.target.task === 'classification') {
        y = new Tensor(Float32Array.from(picked, (r) => table.y![r]!), [n]);
      } else {
        const outputs = this.target.outputs;
        let t = gatherRows(table.y, outputs, picked);
        if (this.#targetScaler) t = this.#targetScaler.transform(new Tensor(t, [n, outputs])).data as Float64Array;
        const values = Float32Array.from(t);
        const bad = values.findIndex((v) => !Number.isFinite(v));
        if (bad >= 0) fail(`${fn}: ${table.where(picked[Math.floor(bad / outputs)]!)}: the target ${t[bad]} is out of float32 range`);
        y = new Tensor(values, [n, outputs]);
      }
    }
    return { x: new Tensor(out, [n, width]), y };
  }

  /** A regressor's outputs (standardized units) in the target's own units, in double. */
  toTargetUnits(values: ArrayLike<number>): Float64Array {
    const out = Float64Array.from(values);
    const scaling = this.targetScaling;
    if (!scaling) return out;
    const k = scaling.mean.length;
    for (let i = 0; i < out.length; i++) out[i] = out[i]! * scaling.scale[i % k]! + scaling.mean[i % k]!;
    return out;
  }

  stateDict(): TabularSpecState {
    return JSON.parse(JSON.stringify({
      format: 'tensorgrad.tabular', version: 1, columns: this.columns, dropped: this.dropped, target: this.target, features: this.features,
      impute: this.impute, fill: this.#fill ? Array.from(this.#fill) : null, standardize: this.standardize,
      scaler: this.#scaler ? this.#scaler.stateDict() : null, targetScaler: this.#targetScaler ? this.#targetScaler.stateDict() : null,
    })) as TabularSpecState;
  }

  /** A spec from a saved state, checked field by field. */
  static fromStateDict(state: unknown): TabularSpec {
    const fn = 'TabularSpec.fromStateDict';
    const s = state as Partial<TabularSpecState> | null;
    if (typeof s !== 'object' || s === null || s.format !== 'tensorgrad.tabular' || s.version !== 1) {
      throw new TypeError(`${fn}: Expected a state with format "tensorgrad.tabular" and version 1 but received ${describe(state)}`);
    }
    if (!Array.isArray(s.columns) || s.columns.length === 0) fail(`${fn}: Expected a non-empty columns array`);
    for (const c of s.columns) {
      const ok = typeof c?.name === 'string' && (c.kind === 'numeric' || (c.kind === 'categorical' && Array.isArray(c.categories) && c.categories.every((v) => typeof v === 'string')));
      if (!ok) fail(`${fn}: Expected columns of {name, kind: "numeric"} or {name, kind: "categorical", categories} but received ${JSON.stringify(c)?.slice(0, 80)}`);
    }
    const t = s.target;
    const targetOk = typeof t?.name === 'string' && (
      (t.task === 'classification' && Array.isArray(t.classes) && t.classes.length >= 2 && (t.labels === 'integer' || t.labels === 'string')) ||
      (t.task === 'regression' && Number.isInteger(t.outputs) && t.outputs >= 1));
    if (!targetOk) fail(`${fn}: Expected a target {name, task: "classification", classes, labels} or {name, task: "regression", outputs} but received ${JSON.stringify(t)?.slice(0, 80)}`);
    const spec = new TabularSpec({ columns: s.columns, target: t!, dropped: Array.isArray(s.dropped) ? s.dropped : [] }, {
      impute: s.impute ?? 'none', standardize: s.standardize ?? false,
    });
    if (JSON.stringify(s.features) !== JSON.stringify(spec.features)) fail(`${fn}: the features do not match the columns (${spec.features.length} expected)`);
    if (spec.impute === 'mean') {
      if (!Array.isArray(s.fill) || s.fill.length !== spec.features.length || !s.fill.every(Number.isFinite)) {
        fail(`${fn}: Expected ${spec.features.length} finite fill values for impute "mean"`);
      }
      spec.#fill = Float64Array.from(s.fill);
    }
    if (spec.standardize) {
      if (!s.scaler) fail(`${fn}: Expected the features' scaler for standardize true`);
      const scaler = standardizeFrom(s.scaler);
      if (scaler.features !== spec.features.length) fail(`${fn}: Expected a scaler of ${spec.features.length} features but it has ${scaler.features}`);
      spec.#scaler = scaler;
      if (spec.task === 'regression') {
        if (!s.targetScaler) fail(`${fn}: Expected the targets' scaler for a regressor with standardize true`);
        const targetScaler = standardizeFrom(s.targetScaler);
        if (targetScaler.features !== spec.outputs) fail(`${fn}: Expected a target scaler of ${spec.outputs} outputs but it has ${targetScaler.features}`);
        spec.#targetScaler = targetScaler;
      }
    }
    return spec;
  }
}

/** The rows (by index) of a row-major matrix of the given width, as a new array. */
function gatherRows(values: Float64Array, width: number, rows: ArrayLike<number>): Float64Array {
  const out = new Float64Array(rows.length * width);
  for (let i = 0; i < rows.length; i++) out.set(values.subarray(rows[i]! * width, (rows[i]! + 1) * width), i * width);
  return out;
}

function fillMissing(x: Float64Array, fill: Float64Array): void {
  const width = fill.length;
  for (let i = 0; i < x.length; i++) if (Number.isNaN(x[i]!)) x[i] = fill[i % width]!;
}

function toDoubles(array: NumericArray): Float64Array {
  if (array.data instanceof BigInt64Array) {
    return Float64Array.from(array.data, (v, i) => {
      if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) fail(`TabularSpec: element ${i} (${v}) is too large to convert exactly`);
      return Number(v);
    });
  }
  return Float64Array.from(array.data as ArrayLike<number>);
}

/** Rows, features per row (x [N, …] flattened) and targets per row (labels [N] or [N, K]). */
function arrayShapes(fn: string, x: NumericArray, labels: NumericArray | null, xName: string, yName: string): { rows: number; features: number; outputs: number } {
  if (x.shape.length < 2) fail(`${fn}: Expected ${xName} with shape [rows, features, …] but it has shape [${x.shape.join(', ')}]`);
  const rows = x.shape[0]!;
  const features = x.shape.slice(1).reduce((a, b) => a * b, 1);
  if (rows < 1 || features < 1) fail(`${fn}: Expected ${xName} with at least one row and one feature but it has shape [${x.shape.join(', ')}]`);
  if (!labels) return { rows, features, outputs: 0 };
  if (labels.shape.length < 1 || labels.shape.length > 2 || labels.shape[0] !== rows) {
    fail(`${fn}: Expected ${yName} with shape [${rows}] or [${rows}, outputs] (one row per row of ${xName}) but it has shape [${labels.shape.join(', ')}]`);
  }
  const outputs = labels.shape[1] ?? 1;
  if (outputs < 1) fail(`${fn}: Expected ${yName} with at least one target per row but it has shape [${labels.shape.join(', ')}]`);
  return { rows, features, outputs };
}

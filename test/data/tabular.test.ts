// Tables from files: CSV records with the lines they start on, the encoding spec (numeric and
// one-hot columns, class mappings, mean imputation and standardization fitted on the training
// rows only), seeded splits, NPY pairs, and standardization folded into a model's weights.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Tensor, data, io, manualSeed, nn } from '../../lib';

const { parseCsvRecords, TabularSpec, splitIndices, foldStandardization } = data;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-tabular-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function spec(text: string, options: Partial<data.TabularOptions> = {}) {
  const records = parseCsvRecords(text, {}, 't.csv');
  const s = TabularSpec.inferCsv(records, { target: 'y', ...options });
  return { records, spec: s, table: s.encodeRecords(records) };
}

describe('CSV records', () => {
  it('reads a BOM, CRLF, quoted commas, quotes and newlines, and numbers rows by the line they start on', () => {
    const r = parseCsvRecords('\ufeffname,note\r\n"a, b","two\r\nlines"\r\n\r\n  c  ,"say ""hi"""\nd,x"y"\n');
    expect(r.columns).toEqual(['name', 'note']);
    expect(r.rows).toEqual([['a, b', 'two\nlines'], ['c', 'say "hi"'], ['d', 'x"y"']]);
    expect(r.lines).toEqual([2, 5, 6]);
  });

  it('names the line of a ragged row after a multi-line field', () => {
    expect(() => parseCsvRecords('a,b\n1,"x\ny"\n3\n', {}, 'f.csv')).toThrow('parseCsvRecords: f.csv: line 4 has 1 field but the header has 2');
    expect(() => parseCsvRecords('a,b\n1,2,3\n', {}, 'f.csv')).toThrow('line 2 has 3 fields but the header has 2');
  });

  it('refuses empty files, a header alone, duplicate or empty names and an unclosed quote', () => {
    expect(() => parseCsvRecords('', {}, 'f.csv')).toThrow('f.csv is empty: Expected a header row and at least one data row');
    expect(() => parseCsvRecords('\ufeff\n \n', {}, 'f.csv')).toThrow('f.csv is empty');
    expect(() => parseCsvRecords('a,b\n', {}, 'f.csv')).toThrow('f.csv has a header row but no data rows');
    expect(() => parseCsvRecords('a,b,a\n1,2,3\n', {}, 'f.csv')).toThrow('the header names column "a" twice (columns 1 and 3)');
    expect(() => parseCsvRecords('a,,b\n1,2,3\n', {}, 'f.csv')).toThrow('column 2 of the header has no name');
    expect(() => parseCsvRecords('a,b\n1,"2\n', {}, 'f.csv')).toThrow(/f\.csv is not valid CSV: Quote Not Closed/);
  });

  it('reads .tsv files with tabs and gzipped files', () => {
    const file = path.join(dir, 't.tsv');
    fs.writeFileSync(file, 'a\tb\n1\t2\n');
    expect(data.readCsvRecords(file).rows).toEqual([['1', '2']]);
    expect(() => data.readCsvRecords(path.join(dir, 'none.csv'))).toThrow(/readCsvRecords: cannot read .*none\.csv/);
  });
});

describe('TabularSpec: the schema', () => {
  it('keeps numeric columns, one-hots text columns in sorted order and maps integer classes by value', () => {
    const { spec: s, table } = spec('x,color,y\n1.5,red,10\n-2,blue,2\n3e1,red,02\n');
    expect(s.columns).toEqual([{ name: 'x', kind: 'numeric' }, { name: 'color', kind: 'categorical', categories: ['blue', 'red'] }]);
    expect(s.features).toEqual(['x', 'color=blue', 'color=red']);
    expect(s.classes).toEqual(['2', '10']); // numerically sorted; "02" is class "2"
    expect(Array.from(table.x)).toEqual([1.5, 0, 1, -2, 1, 0, 30, 0, 1]);
    expect(Array.from(table.y!)).toEqual([1, 0, 0]);
  });

  it('maps string classes in sorted order and forces numeric codes to categories on request', () => {
    const { spec: s, table } = spec('zip,y\n90210,cat\n10001,dog\n90210,ant\n', { categorical: ['zip'] });
    expect(s.classes).toEqual(['ant', 'cat', 'dog']);
    expect(s.features).toEqual(['zip=10001', 'zip=90210']);
    expect(Array.from(table.y!)).toEqual([1, 2, 0]);
  });

  it('names the line and column of a non-numeric cell in a numeric column', () => {
    expect(() => spec('age,y\n30,a\n41,b\nforty,a\n')).toThrow('inferSchema: t.csv line 4, column "age": Expected a number (the column holds numbers in 2 rows) but it reads "forty"; fix the cell, or one-hot the column as categories (--categorical "age")');
  });

  it('refuses a target that does not exist, suggesting a near name, and bad targets', () => {
    expect(() => spec('a,Price\n1,2\n', { target: 'price' })).toThrow('Expected a target column named one of "a", "Price" but received "price" (did you mean "Price"?)');
    expect(() => spec('a,y\n1,0.5\n2,1\n')).toThrow('t.csv line 2, target column "y": a classifier\'s target must be integers or strings but it reads "0.5" (for numbers, use task regression: --task regression)');
    expect(() => spec('a,y\n1,k\n2,k\n')).toThrow('target column "y" holds one class ("k"); a classifier needs at least 2');
    expect(() => spec('a,y\n1,k\n2,\n')).toThrow('t.csv line 3, target column "y": the target is missing ("")');
    expect(() => spec('a,y\n1,2\n2,x\n', { task: 'regression' })).toThrow('t.csv line 3, target column "y": Expected a finite number for regression but it reads "x"');
    expect(() => spec('a,y\n1,2\n2,inf\n', { task: 'regression' })).toThrow(/line 3.*Expected a finite number for regression but it reads "inf"/);
    expect(() => spec('a,y\n1,2\n', { drop: ['b'] })).toThrow('Expected a column to drop named one of "a", "y" but received "b"');
    expect(() => spec('a,y\n1,2\n3,4\n', { drop: ['a'] })).toThrow('t.csv has no input columns besides the target "y"');
  });

  it('refuses a column with more distinct values than it may one-hot into, and an empty column', () => {
    const rows = Array.from({ length: 30 }, (_, i) => `id${i},${i},${i % 2}`).join('\n');
    expect(() => spec(`id,a,y\n${rows}\n`, { maxCategories: 20 })).toThrow('column "id" has 30 distinct values, more than the 20 it may one-hot into; drop it (--drop "id") or raise the limit (--max-categories)');
    expect(spec(`id,a,y\n${rows}\n`, { drop: ['id'], maxCategories: 20 }).spec.features).toEqual(['a']);
    expect(spec(`id,a,y\n${rows}\n`, { maxCategories: 30 }).spec.features).toHaveLength(31);
    expect(() => spec('a,b,y\n1,,0\n2,NA,1\n')).toThrow('column "b" has no values (every cell is missing)');
  });
});

describe('TabularSpec: missing values, infinities and the statistics of the training rows', () => {
  it('names the row and column of a missing value unless impute is mean', () => {
    for (const cell of ['', 'NA', 'NaN', 'nan', 'null', '?']) {
      expect(() => spec(`a,b,y\n1,2,0\n3,${cell === '' ? '""' : cell},1\n`)).toThrow(`TabularSpec.encodeRecords: t.csv line 3, column "b": the value is missing (${JSON.stringify(cell)}); fill it in, or impute missing values with the training mean (impute 'mean', --impute mean)`);
    }
  });

  it('refuses infinities in every spelling, including a decimal that overflows a double', () => {
    for (const cell of ['Infinity', '-inf', 'INF', '1e999']) {
      expect(() => spec(`a,y\n1,0\n${cell},1\n`, { impute: 'mean' })).toThrow(`t.csv line 3, column "a": Expected a finite number but it reads "${cell}"`);
    }
  });

  it('fills missing values with the training rows\' mean and standardizes with their statistics only', () => {
    // Rows 0..5; the split below puts rows 1, 3 and 4 in training.
    const { spec: s, table } = spec('a,c,y\n100,p,0\n1,q,1\nNA,,0\n3,p,1\n,q,0\n1000,NA,1\n', { impute: 'mean' });
    const train = [1, 3, 4];
    s.fit(table, train);
    // a over training rows: 1, 3, missing -> fill 2; values 1, 3, 2: mean 2, population std √(2/3).
    const { x } = s.transform(table);
    const std = Math.sqrt(2 / 3);
    const a = (v: number) => Math.fround((v - 2) / std);
    expect(Array.from(x.data.filter((_, i) => i % 3 === 0))).toEqual([a(100), a(1), a(2), a(3), a(2), a(1000)]);
    // c one-hot (p, q) over training rows: q, p, q -> fill = frequencies [1/3, 2/3], not standardized.
    expect(Array.from(x.data.slice(6, 9))).toEqual([a(2), Math.fround(1 / 3), Math.fround(2 / 3)]);
    expect(Array.from(x.data.slice(15, 18))).toEqual([a(1000), Math.fround(1 / 3), Math.fround(2 / 3)]);
    expect(s.featureScaling!.mean[0]).toBe(2);
    expect(s.featureScaling!.scale[0]).toBeCloseTo(std, 15);
  });

  it('round-trips its state through JSON and applies it to another file the same way', () => {
    const text = 'a,c,y\n1,p,dog\n2,q,cat\n4,p,dog\n8,q,cat\n';
    const { spec: s, table } = spec(text);
    s.fit(table, [0, 1, 2]);
    const restored = TabularSpec.fromStateDict(JSON.parse(JSON.stringify(s.stateDict())));
    const other = parseCsvRecords('y,c,a,extra\ncat,q,3,z\n', {}, 'new.csv'); // columns reordered, one extra
    expect(restored.transform(restored.encodeRecords(other)).x.data).toEqual(s.transform(s.encodeRecords(other)).x.data);
    expect(Array.from(restored.transform(restored.encodeRecords(other)).y!.data)).toEqual([0]);
    expect(() => restored.encodeRecords(parseCsvRecords('a,c,y\n1,r,dog\n', {}, 'new.csv'))).toThrow('new.csv line 2, column "c": "r" is not one of the 2 categories the model was trained with ("p", "q")');
    expect(() => restored.encodeRecords(parseCsvRecords('a,c,y\n1,p,eel\n', {}, 'new.csv'))).toThrow('target column "y": "eel" is not one of the 2 classes the model was trained with ("cat", "dog")');
    expect(() => restored.encodeRecords(parseCsvRecords('a,y\n1,dog\n', {}, 'new.csv'))).toThrow('new.csv lacks the column "c" the model was trained with');
    expect(restored.encodeRecords(parseCsvRecords('a,c\n1,p\n', {}, 'new.csv'), { target: false }).y).toBeNull();
    expect(() => TabularSpec.fromStateDict({ ...s.stateDict(), features: ['a'] })).toThrow(/the features do not match the columns/);
    expect(() => TabularSpec.fromStateDict({ format: 'x' })).toThrow(TypeError);
    expect(() => s.transform(s.encodeRecords(parseCsvRecords('a,c,y\n1e38,p,dog\n', {}, 'big.csv')))).not.toThrow();
  });

  it('says when a value leaves float32 range, and refuses to transform before fitting', () => {
    const { spec: s, table } = spec('a,y\n1e300,0\n2,1\n3,0\n', { standardize: false });
    expect(() => s.transform(table)).toThrow('TabularSpec.transform: t.csv line 2, feature "a": the value 1e+300 is out of float32 range');
    const unfitted = spec('a,y\n1,0\n2,1\n').spec;
    expect(() => unfitted.transform(unfitted.encodeRecords(parseCsvRecords('a,y\n1,0\n')))).toThrow(/not fitted yet/);
  });

  it('standardizes a regressor\'s target on the training rows and maps outputs back to its units', () => {
    const { spec: s, table } = spec('a,y\n1,10\n2,20\n3,60\n4,1000\n', { task: 'regression' });
    s.fit(table, [0, 1, 2]);
    const { y } = s.transform(table);
    // Training targets 10, 20, 60: mean 30, population std √(1400/3).
    const std = Math.sqrt(1400 / 3);
    expect(y!.shape).toEqual([4, 1]);
    expect(y!.data[3]).toBe(Math.fround((1000 - 30) / std));
    expect(s.toTargetUnits([0, 1])[1]).toBeCloseTo(30 + std, 12);
    expect(s.outputs).toBe(1);
  });
});

describe('TabularSpec from numeric arrays', () => {
  const arr = (shape: number[], values: number[]) => ({ dtype: 'float64' as const, shape, data: Float64Array.from(values) });

  it('flattens x, maps integer labels to classes and names a NaN cell by its index', () => {
    const x = arr([3, 1, 2], [1, 2, 3, 4, 5, 6]);
    const s = TabularSpec.inferArrays(x, arr([3], [7, 3, 7]), { names: ['x.npy', 'y.npy'] });
    expect(s.features).toEqual(['0', '1']);
    expect(s.classes).toEqual(['3', '7']);
    expect(Array.from(s.encodeArrays(x, arr([3], [7, 3, 7])).y!)).toEqual([1, 0, 1]);
    expect(() => s.encodeArrays(arr([3, 2], [1, 2, 3, Number.NaN, 5, 6]), null, ['x.npy', 'y.npy']))
      .toThrow("TabularSpec.encodeArrays: x.npy[1, 1] is NaN (a missing value); impute missing values with the training mean (impute 'mean', --impute mean)");
    expect(() => s.encodeArrays(arr([3, 2], [1, 2, 3, Infinity, 5, 6]), null, ['x.npy', 'y.npy'])).toThrow('x.npy[1, 1] is Infinity: Expected finite values');
    expect(() => TabularSpec.inferArrays(x, arr([3], [0, 1.5, 1]), { names: ['x.npy', 'y.npy'] })).toThrow('y.npy[1] is 1.5: a classifier\'s labels must be integers');
    expect(() => TabularSpec.inferArrays(x, arr([2], [0, 1]), { names: ['x.npy', 'y.npy'] })).toThrow('Expected y.npy with shape [3] or [3, outputs] (one row per row of x.npy) but it has shape [2]');
    expect(() => TabularSpec.inferArrays(arr([3], [1, 2, 3]), arr([3], [0, 1, 0]))).toThrow('Expected x with shape [rows, features, …] but it has shape [3]');
  });

  it('loads an NPY pair written by the library\'s own writer into fitted splits', () => {
    const n = 50;
    const xs = Float32Array.from({ length: n * 3 }, (_, i) => (i % 3) * 10 + (i % 7));
    const ys = Float32Array.from({ length: n * 2 }, (_, i) => i);
    io.saveNpy(new Tensor(xs, [n, 3]), path.join(dir, 'x.npy'));
    io.saveNpy(new Tensor(ys, [n, 2]), path.join(dir, 'y.npy'));
    const loaded = data.loadNpyPair(path.join(dir, 'x.npy'), path.join(dir, 'y.npy'), { task: 'regression', split: { validation: 0.2, test: 0.2, seed: 5 } });
    expect(loaded.train.x.shape).toEqual([30, 3]);
    expect(loaded.test.y.shape).toEqual([10, 2]);
    // The training split is standardized: each column has mean 0 (to float32 rounding).
    for (let j = 0; j < 3; j++) {
      const column = Array.from(loaded.train.x.data).filter((_, i) => i % 3 === j);
      expect(Math.abs(column.reduce((a, b) => a + b, 0) / 30)).toBeLessThan(1e-6);
    }
    expect(loaded.spec.targetScaling!.mean).toHaveLength(2);
  });
});

describe('splitIndices', () => {
  it('splits into disjoint sets covering every row, the same for the same seed', () => {
    const a = splitIndices(1797, { validation: 0.1, test: 0.2, seed: 20_240_601 });
    expect([a.train.length, a.validation.length, a.test.length]).toEqual([1258, 180, 359]);
    const all = [...a.train, ...a.validation, ...a.test].sort((x, y) => x - y);
    expect(all).toEqual(Array.from({ length: 1797 }, (_, i) => i));
    expect(splitIndices(1797, { validation: 0.1, test: 0.2, seed: 20_240_601 }).test).toEqual(a.test);
    expect(splitIndices(1797, { validation: 0.1, test: 0.2, seed: 1 }).test).not.toEqual(a.test);
  });

  it('gives each split at least one row and refuses too few rows or bad fractions', () => {
    const s = splitIndices(3, { validation: 0.1, test: 0.1, seed: 0 });
    expect([s.train.length, s.validation.length, s.test.length]).toEqual([1, 1, 1]);
    expect(() => splitIndices(1, { validation: 0.1, test: 0.2, seed: 0 })).toThrow('splitIndices: Expected at least 3 rows (one each for training, validation and test) but received 1');
    expect(() => splitIndices(4, { validation: 0.4, test: 0.4, seed: 0 })).toThrow('4 rows leave none for training after 2 test and 2 validation rows');
    expect(() => splitIndices(10, { validation: 0, test: 0.2, seed: 0 })).toThrow('Expected validation as a fraction in (0, 1) but received 0');
    expect(() => splitIndices(10, { validation: 0.6, test: 0.5, seed: 0 })).toThrow('Expected validation + test < 1');
  });
});

describe('foldStandardization', () => {
  it('gives a model on unstandardized features the outputs of the trained model on standardized ones', () => {
    manualSeed(4);
    const rows = Array.from({ length: 40 }, (_, i) => `${i * 3 + 100},${(i * 7) % 5 - 2},${i % 3 === 0 ? 'u' : 'v'},${(i * i) % 97}`).join('\n');
    const { spec: s, table } = spec(`a,b,c,y\n${rows}\n`, { task: 'regression' });
    s.fit(table, Array.from({ length: 30 }, (_, i) => i));
    const model = new nn.Sequential(new nn.Linear(4, 6), new nn.Tanh(), new nn.Linear(6, 1));
    const standardized = s.transform(table).x;
    const expected = s.toTargetUnits(model.forward(standardized).data);
    const folded = new nn.Sequential(new nn.Linear(4, 6), new nn.Tanh(), new nn.Linear(6, 1));
    folded.loadStateDict(foldStandardization(s, model));
    const raw = new Tensor(Float32Array.from(table.x), [40, 4]);
    const got = folded.forward(raw).data;
    const scale = Math.max(...expected.map(Math.abs));
    expected.forEach((v, i) => expect(Math.abs(got[i]! - v)).toBeLessThan(1e-5 * scale));
    expect(() => foldStandardization(s, new nn.Sequential(new nn.Tanh()))).toThrow('foldStandardization: Expected the model\'s first layer to be a Linear but it is Tanh');
  });
});

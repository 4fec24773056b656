// `tensorgrad train` and `evaluate` on the user's own tables, run as a user runs them: the real
// bin/tensorgrad.js spawned in a temporary directory on generated files. CSV (text columns
// one-hot, string and integer classes, quoted fields with commas and newlines, a BOM, missing
// values imputed), NPY pairs, regression, the saved encoding applied by evaluate without
// refitting, and hostile files, each a clear one-line error or a correct run.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { splitIndices } from '../../lib/data/split';
import { load } from '../../lib/io/safetensors';

const BIN = path.join(__dirname, '..', '..', 'bin', 'tensorgrad.js');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tensorgrad-tables-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function tensorgrad(...args: string[]) {
  const run = spawnSync(process.execPath, [BIN, ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function write(name: string, text: string | Uint8Array): string {
  fs.writeFileSync(path.join(root, name), text);
  return name;
}

const json = (file: string) => JSON.parse(fs.readFileSync(path.join(root, file), 'utf8'));
const jsonl = (file: string) => fs.readFileSync(path.join(root, file), 'utf8').trim().split('\n').map((l) => JSON.parse(l));

/** An NPY v1 file of little-endian values ('<f8', '<f4', '<i8' or '<i4'). */
function npy(descr: '<f8' | '<f4' | '<i8' | '<i4', shape: number[], values: ArrayLike<number>): Uint8Array {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  header += ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n';
  const size = Number(descr.slice(2));
  const out = new Uint8Array(10 + header.length + values.length * size);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  const view = new DataView(out.buffer);
  view.setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  for (let i = 0; i < values.length; i++) {
    const at = 10 + header.length + i * size;
    if (descr === '<f8') view.setFloat64(at, values[i]!, true);
    else if (descr === '<f4') view.setFloat32(at, values[i]!, true);
    else if (descr === '<i8') view.setBigInt64(at, BigInt(values[i]!), true);
    else view.setInt32(at, values[i]!, true);
  }
  return out;
}

/** A deterministic pseudo-random number in [0, 1) for row i, column j. */
const noise = (i: number, j: number) => ((Math.sin(i * 12.9898 + j * 78.233) * 43758.5453) % 1 + 1) % 1;

/** Every number in a JSON value is finite (no NaN became null, no Infinity). */
function allFinite(value: unknown): boolean {
  if (value === null) return false;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(allFinite);
  if (typeof value === 'object') return Object.values(value as object).every(allFinite);
  return true;
}

describe('tensorgrad train on a CSV classification table', () => {
  // A BOM, CRLF line ends, a quoted free-text column with commas and newlines (dropped), a text
  // column to one-hot and string classes decided by the numbers and the text.
  const lines = ['age,city,income,"note, free",kind'];
  for (let i = 0; i < 240; i++) {
    const age = 18 + Math.floor(noise(i, 0) * 50);
    const city = ['oslo', 'paris', 'rome'][i % 3]!;
    const income = (20 + noise(i, 1) * 80).toFixed(2);
    const kind = age > 45 ? 'senior' : city === 'rome' ? 'roman' : 'other';
    lines.push(`${age},${city},${income},"said ""hi"", then\nleft ${i}",${kind}`);
  }
  const csv = write('people.csv', `\ufeff${lines.join('\r\n')}\r\n`);

  it('trains, saves the encoding and the split, and evaluate scores the saved model the same way', () => {
    const run = tensorgrad('train', '--data', csv, '--target', 'kind', '--drop', 'note\\, free', '--epochs', '25', '--lr', '3e-3', '--split-seed', '11', '--out', 'people');
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/Training 5-128-64-3 \(relu\) on people\.csv: 168 train, 24 validation, 48 test/);
    const config = json('people/config.json');
    expect(config.config).toMatchObject({ data: 'people.csv', target: 'kind', task: 'classification', validationSplit: 0.1, testSplit: 0.2, splitSeed: 11, standardize: true, drop: ['note, free'] });
    const spec = json('people/preprocess.json');
    expect(spec.features).toEqual(['age', 'city=oslo', 'city=paris', 'city=rome', 'income']);
    expect(spec.target.classes).toEqual(['other', 'roman', 'senior']);
    // Standardization of the training rows only: the mean of age over them, computed here.
    const rows = splitIndices(240, { validation: 0.1, test: 0.2, seed: 11 });
    const ages = lines.slice(1).map((l) => Number(l.split(',')[0]));
    const trainMean = Array.from(rows.train, (r) => ages[r]!).reduce((a, b) => a + b, 0) / rows.train.length;
    expect(spec.scaler.mean[0]).toBeCloseTo(trainMean, 10);
    expect(spec.scaler.mean.slice(1, 4)).toEqual([0, 0, 0]); // one-hot features are left 0/1
    // The model file carries the same encoding.
    expect(JSON.parse(load(path.join(root, 'people/best.safetensors')).metadata['tensorgrad.preprocess']!)).toEqual(spec);
    const summary = json('people/summary.json');
    expect(summary.bestTest.metrics.accuracy).toBeGreaterThan(0.8);
    expect(allFinite(jsonl('people/metrics.jsonl'))).toBe(true);
    const report = fs.readFileSync(path.join(root, 'people/report.html'), 'utf8');
    expect(report).toMatch(/Test split: confusion matrix/);
    expect(report).toMatch(/<th>senior<\/th>/);
    const scored = tensorgrad('evaluate', '--model', 'people');
    expect(scored.status, scored.stderr).toBe(0);
    expect(scored.stdout).toContain(`best.safetensors on people.csv test (48 samples): loss ${summary.bestTest.loss.toFixed(6)}, accuracy ${(100 * summary.bestTest.metrics.accuracy).toFixed(2)}%`);
  });

  it('scores another file with the saved vocabulary, classes and statistics, and names a category it never saw', () => {
    const rows = lines.slice(1, 41);
    write('more.csv', `kind,income,city,age\n${rows.map((l) => { const [age, city, income, , kind] = l.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/); return `${kind},${income},${city},${age}`; }).join('\n')}\n`);
    const scored = tensorgrad('evaluate', '--model', 'people', '--data', 'more.csv');
    expect(scored.status, scored.stderr).toBe(0);
    expect(scored.stdout).toMatch(/on more\.csv all \(40 samples\): loss [\d.]+, accuracy [\d.]+%/);
    write('alien.csv', 'kind,income,city,age\nsenior,30,berlin,50\n');
    const alien = tensorgrad('evaluate', '--model', 'people', '--data', 'alien.csv');
    expect(alien.status).toBe(1);
    expect(alien.stderr).toBe('tensorgrad: TabularSpec.encodeRecords: alien.csv line 2, column "city": "berlin" is not one of the 3 categories the model was trained with ("oslo", "paris", "rome")\n');
  });

  it('maps integer classes by value and imputes missing values with the training mean', () => {
    const rows = ['x1,x2,label'];
    for (let i = 0; i < 150; i++) {
      const a = noise(i, 2) * 4 - 2;
      const b = noise(i, 3) * 4 - 2;
      const label = a + b > 0.5 ? 7 : a > b ? 3 : 5;
      rows.push(`${i % 17 === 0 ? 'NA' : a.toFixed(3)},${i % 23 === 0 ? '' : b.toFixed(3)},${label}`);
    }
    write('codes.csv', `${rows.join('\n')}\n`);
    const refused = tensorgrad('train', '--data', 'codes.csv', '--target', 'label', '--epochs', '1', '--out', 'codes');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/^tensorgrad: TabularSpec.encodeRecords: codes\.csv line 2, column "x1": the value is missing \("NA"\); fill it in, or impute missing values with the training mean \(impute 'mean', --impute mean\)\n$/);
    const run = tensorgrad('train', '--data', 'codes.csv', '--target', 'label', '--impute', 'mean', '--epochs', '20', '--lr', '3e-3', '--out', 'codes');
    expect(run.status, run.stderr).toBe(0);
    const spec = json('codes/preprocess.json');
    expect(spec.target).toEqual({ name: 'label', task: 'classification', classes: ['3', '5', '7'], labels: 'integer' });
    expect(spec.fill).toHaveLength(2);
    expect(allFinite(jsonl('codes/metrics.jsonl'))).toBe(true);
    expect(json('codes/summary.json').bestTest.metrics.accuracy).toBeGreaterThan(0.7);
  });
});

describe('tensorgrad train --task regression', () => {
  it('trains on MSE, reports MAE, RMSE and R² in the target\'s units, and evaluate applies the stored standardization', () => {
    const rows = ['size,rooms,area,price'];
    const prices: number[] = [];
    for (let i = 0; i < 300; i++) {
      const size = 40 + noise(i, 4) * 160;
      const rooms = 1 + Math.floor(noise(i, 5) * 5);
      const area = ['north', 'south'][i % 2]!;
      const price = 50_000 + 2_000 * size + 10_000 * rooms + (area === 'south' ? 40_000 : 0) + 5_000 * (noise(i, 6) - 0.5);
      prices.push(Number(price.toFixed(2)));
      rows.push(`${size.toFixed(1)},${rooms},${area},${price.toFixed(2)}`);
    }
    write('houses.csv', `${rows.join('\n')}\n`);
    const run = tensorgrad('train', '--data', 'houses.csv', '--target', 'price', '--task', 'regression', '--epochs', '40', '--lr', '3e-3', '--out', 'houses');
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/Test RMSE [\d.e+]+, R² 0\.9\d+ \(final weights\)/);
    const epochs = jsonl('houses/metrics.jsonl');
    expect(Object.keys(epochs[0].val)).toEqual(['mae', 'rmse', 'r2']);
    expect(allFinite(epochs)).toBe(true);
    const summary = json('houses/summary.json');
    expect(summary.bestTest.metrics.r2).toBeGreaterThan(0.95);
    expect(summary.bestTest.metrics.rmse).toBeLessThan(30_000); // dollars, the target's units (its spread is about 100 000)
    const spec = json('houses/preprocess.json');
    const split = splitIndices(300, { validation: 0.1, test: 0.2, seed: 20_240_601 });
    const trainMean = Array.from(split.train, (r) => prices[r]!).reduce((a, b) => a + b, 0) / split.train.length;
    expect(spec.targetScaler.mean[0]).toBeCloseTo(trainMean, 6);
    const report = fs.readFileSync(path.join(root, 'houses/report.html'), 'utf8');
    expect(report).toMatch(/aria-label="price: predicted vs actual"/);
    expect(report).toMatch(/aria-label="RMSE"/);
    // The test rows alone in a file of their own: refitting would standardize them differently,
    // the stored statistics give the run's own test scores.
    write('houses-test.csv', `${rows[0]}\n${Array.from(split.test, (r) => rows[r + 1]).join('\n')}\n`);
    const scored = tensorgrad('evaluate', '--model', 'houses', '--data', 'houses-test.csv');
    expect(scored.status, scored.stderr).toBe(0);
    const m = summary.bestTest.metrics;
    expect(scored.stdout).toContain(`on houses-test.csv all (60 samples): MAE ${m.mae.toPrecision(6)}, RMSE ${m.rmse.toPrecision(6)}, R² ${m.r2.toFixed(4)}`);
  });
});

describe('tensorgrad train on NPY pairs', () => {
  const n = 120;
  const x = Array.from({ length: n * 4 }, (_, i) => noise(Math.floor(i / 4), i % 4) * 2 - 1);
  const classOf = (r: number) => (x[r * 4]! + x[r * 4 + 1]! > 0 ? 1 : 0) + (x[r * 4 + 2]! > 0.3 ? 2 : 0);

  it('trains a classifier on x [N, 2, 2] (float64) and int64 labels, and evaluate reads them again', () => {
    write('x.npy', npy('<f8', [n, 2, 2], x));
    write('y.npy', npy('<i8', [n], Array.from({ length: n }, (_, r) => classOf(r))));
    const run = tensorgrad('train', '--data', 'x.npy', '--labels', 'y.npy', '--epochs', '30', '--lr', '3e-3', '--out', 'arrays');
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/Training 4-128-64-4 \(relu\) on x\.npy: 84 train, 12 validation, 24 test/);
    expect(json('arrays/preprocess.json').target.classes).toEqual(['0', '1', '2', '3']);
    const scored = tensorgrad('evaluate', '--model', 'arrays');
    expect(scored.status, scored.stderr).toBe(0);
    expect(scored.stdout).toContain(`accuracy ${(100 * json('arrays/summary.json').bestTest.metrics.accuracy).toFixed(2)}%`);
  });

  it('trains a regressor with two targets per row', () => {
    write('x2.npy', npy('<f4', [n, 4], x));
    write('t2.npy', npy('<f4', [n, 2], Array.from({ length: n * 2 }, (_, i) => (i % 2 ? 3 : -2) * x[Math.floor(i / 2) * 4 + (i % 2)]! + 10)));
    const run = tensorgrad('train', '--data', 'x2.npy', '--labels', 't2.npy', '--task', 'regression', '--epochs', '40', '--lr', '3e-3', '--out', 'two');
    expect(run.status, run.stderr).toBe(0);
    expect(json('two/summary.json').bestTest.metrics.r2).toBeGreaterThan(0.9);
  });
});

describe('hostile files: a clear one-line error, never a crash or a silent NaN', () => {
  const cases: [string, string[], RegExp][] = [
    ['ragged rows', ['ragged.csv', 'a,b,y\n1,2,0\n3,4,1\n5,6\n'], /ragged\.csv: line 4 has 2 fields but the header has 3$/],
    ['ragged after a quoted newline', ['ragged2.csv', 'a,b,y\n1,"2\n2",0\n3,4,1,9\n'], /ragged2\.csv: line 4 has 4 fields but the header has 3$/],
    ['a non-numeric cell in a numeric column', ['cells.csv', 'a,b,y\n1,2,0\n3,4,1\n5,five,0\n'], /cells\.csv line 4, column "b": Expected a number \(the column holds numbers in 2 rows\) but it reads "five"/],
    ['a 1-row file', ['one.csv', 'a,y\n1,2.5\n', '--task', 'regression'], /one\.csv has 1 data row: splitIndices: Expected at least 3 rows \(one each for training, validation and test\) but received 1$/],
    ['a 1-row file of one class', ['one-class.csv', 'a,y\n1,0\n'], /target column "y" holds one class \("0"\); a classifier needs at least 2$/],
    ['an empty file', ['empty.csv', ''], /empty\.csv is empty: Expected a header row and at least one data row$/],
    ['a header alone', ['header.csv', '\ufeffa,y\r\n'], /header\.csv has a header row but no data rows$/],
    ['a target that does not exist', ['nope.csv', 'a,Price\n1,2\n3,4\n5,6\n', '--target', 'price'], /Expected a target column named one of "a", "Price" but received "price" \(did you mean "Price"\?\)$/],
    ['a NaN cell', ['nan.csv', 'a,y\n1,0\nNaN,1\n3,0\n4,1\n'], /nan\.csv line 3, column "a": the value is missing \("NaN"\)/],
    ['an Infinity cell', ['inf.csv', 'a,y\n1,0\n-Infinity,1\n3,0\n4,1\n', '--impute', 'mean'], /inf\.csv line 3, column "a": Expected a finite number but it reads "-Infinity"$/],
    ['a number beyond double range', ['huge.csv', 'a,y\n1,0\n1e999,1\n3,0\n4,1\n'], /huge\.csv line 3, column "a": Expected a finite number but it reads "1e999"$/],
    ['an unclosed quote', ['quote.csv', 'a,y\n1,0\n"2,1\n'], /quote\.csv is not valid CSV: Quote Not Closed/],
    ['a missing target value', ['notarget.csv', 'a,y\n1,0\n2,\n3,1\n', '--impute', 'mean'], /notarget\.csv line 3, target column "y": the target is missing \(""\); every row needs one$/],
    ['a fractional target for a classifier', ['frac.csv', 'a,y\n1,0\n2,0.5\n3,1\n'], /line 3, target column "y": a classifier's target must be integers or strings but it reads "0\.5" \(for numbers, use task regression: --task regression\)$/],
    ['a text target for a regressor', ['text.csv', 'a,y\n1,0\n2,cheap\n3,1\n', '--task', 'regression'], /text\.csv line 3, target column "y": Expected a finite number for regression but it reads "cheap"$/],
  ];
  for (const [name, [file, text, ...flags], message] of cases) {
    it(name, () => {
      write(file!, text!);
      const run = tensorgrad('train', '--data', file!, '--target', 'y', ...flags, '--epochs', '1', '--out', `bad-${file}`);
      expect(run.status, run.stdout).toBe(1);
      expect(run.stderr.split('\n')).toHaveLength(2); // one line and its newline: no stack trace
      expect(run.stderr.trimEnd()).toMatch(message);
      expect(fs.existsSync(path.join(root, `bad-${file}`))).toBe(false); // refused before anything was written
    });
  }

  it('NPY files: a NaN, a length mismatch and a missing --labels', () => {
    write('xn.npy', npy('<f8', [4, 2], [1, 2, 3, Number.NaN, 5, 6, 7, 8]));
    write('yn.npy', npy('<i4', [4], [0, 1, 0, 1]));
    write('y3.npy', npy('<i4', [3], [0, 1, 0]));
    const nan = tensorgrad('train', '--data', 'xn.npy', '--labels', 'yn.npy', '--epochs', '1', '--out', 'bad-npy');
    expect(nan.stderr).toBe("tensorgrad: TabularSpec.encodeArrays: xn.npy[1, 1] is NaN (a missing value); impute missing values with the training mean (impute 'mean', --impute mean)\n");
    const short = tensorgrad('train', '--data', 'xn.npy', '--labels', 'y3.npy', '--impute', 'mean', '--epochs', '1', '--out', 'bad-npy');
    expect(short.stderr).toBe('tensorgrad: TabularSpec.inferArrays: Expected y3.npy with shape [4] or [4, outputs] (one row per row of xn.npy) but it has shape [3]\n');
    const none = tensorgrad('train', '--data', 'xn.npy', '--epochs', '1', '--out', 'bad-npy');
    expect(none.stderr).toBe('tensorgrad: --labels: NPY data needs a file of targets beside its inputs (--data x.npy --labels y.npy)\n');
    const digits = tensorgrad('train', '--task', 'regression', '--epochs', '1', '--out', 'bad-npy');
    expect(digits.stderr).toBe('tensorgrad: --task: applies to CSV and NPY data; digits is a classification dataset of images (its labels are classes)\n');
    expect(fs.existsSync(path.join(root, 'bad-npy'))).toBe(false);
    // With imputation the same file is a correct run: the NaN becomes the training mean.
    write('xn2.npy', npy('<f8', [12, 2], Array.from({ length: 24 }, (_, i) => (i === 3 ? Number.NaN : noise(i, 9)))));
    write('yn2.npy', npy('<i4', [12], Array.from({ length: 12 }, (_, i) => i % 2)));
    const filled = tensorgrad('train', '--data', 'xn2.npy', '--labels', 'yn2.npy', '--impute', 'mean', '--epochs', '2', '--out', 'filled');
    expect(filled.status, filled.stderr).toBe(0);
    expect(allFinite(jsonl('filled/metrics.jsonl'))).toBe(true);
  });

  it('10⁵ columns: a correct run', () => {
    const width = 100_000;
    const header = [...Array.from({ length: width }, (_, j) => `c${j}`), 'y'].join(',');
    const body = Array.from({ length: 12 }, (_, i) => [...Array.from({ length: width }, (_, j) => (i * 7 + j) % 10), i % 2].join(','));
    write('wide.csv', `${header}\n${body.join('\n')}\n`);
    const run = tensorgrad('train', '--data', 'wide.csv', '--target', 'y', '--model', '8', '--epochs', '2', '--out', 'wide');
    expect(run.status, run.stderr).toBe(0);
    expect(json('wide/preprocess.json').features).toHaveLength(width);
    expect(allFinite(jsonl('wide/metrics.jsonl'))).toBe(true);
  }, 120_000);

  it('train --help documents the table flags and forms', () => {
    const help = tensorgrad('train', '--help').stdout;
    for (const flag of ['--target <column>', '--labels <file>', '--task <name>', '--impute <how>', '--no-standardize', '--categorical <columns>', '--drop <columns>', '--validation-split <fraction>', '--test-split <fraction>', '--split-seed <n>']) {
      expect(help).toContain(flag);
    }
    expect(help).toContain('tensorgrad train --data houses.csv --target price --task regression --impute mean');
    expect(help).toContain('tensorgrad train --data x.npy --labels y.npy');
  });
});

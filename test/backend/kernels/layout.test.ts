// Layout kernels on every backend: transposes, row gathers and in-order scatter-adds, closed
// forms and random shapes, and native bit for bit against the reference.
import { beforeAll, describe, expect, it } from 'vitest';
import { nativeBackend, referenceBackend, setSimdLevel } from '../../../lib/backend';
import type { Backend } from '../../../lib/backend';
import { backendsUnderTest, selectSimd } from '../backends';
import { expectSame } from '../expect-close';
import { bits, nativePaths } from '../native-paths';
import { makeRandom, randomArray } from '../random-inputs';

const f32 = (values: number[]) => Float32Array.from(values);
const SHAPES: [number, number][] = [[0, 3], [3, 0], [1, 1], [1, 9], [9, 1], [31, 33], [64, 64], [100, 37]];

describe.each(backendsUnderTest())('layout on $label', (entry) => {
  beforeAll(() => selectSimd(entry));
  const backend = entry.backend;

  it('transposes a 2×3 matrix', () => {
    const out = new Float32Array(6);
    backend().transpose(f32([1, 2, 3, 4, 5, 6]), 2, 3, out);
    expect(Array.from(out)).toEqual([1, 4, 2, 5, 3, 6]);
  });

  it.each(SHAPES)('transposes a random %i×%i matrix, twice back to itself', (rows, cols) => {
    const x = randomArray(rows * cols, makeRandom(rows * 100 + cols));
    const t = new Float32Array(x.length);
    const back = new Float32Array(x.length);
    backend().transpose(x, rows, cols, t);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) expect(t[j * rows + i]).toBe(x[i * cols + j]);
    backend().transpose(t, cols, rows, back);
    expectSame(back, x, 'transpose of the transpose');
  });

  it('gathers rows in index order, repeats allowed', () => {
    const x = f32([1, 2, 3, 4, 5, 6]); // 3×2
    const out = new Float32Array(8);
    backend().gatherRows(x, 3, 2, Int32Array.of(2, 0, 2, 1), out);
    expect(Array.from(out)).toEqual([5, 6, 1, 2, 5, 6, 3, 4]);
    backend().gatherRows(x, 3, 2, new Int32Array(0), new Float32Array(0));
  });

  it('scatter-adds rows, summing repeated indices, into what out holds', () => {
    const out = f32([10, 10, 10, 10, 10, 10]); // 3×2
    backend().scatterAddRows(f32([1, 2, 3, 4, 5, 6]), Int32Array.of(2, 0, 2), 3, 2, out);
    expect(Array.from(out)).toEqual([13, 14, 10, 10, 16, 18]);
  });

  it('names the first index out of range', () => {
    expect(() => backend().gatherRows(new Float32Array(6), 3, 2, Int32Array.of(0, 3), new Float32Array(4))).toThrow(
      new RangeError('gatherRows: Expected indices in [0, rows) = [0, 3) but indices[1] is 3'),
    );
    expect(() => backend().scatterAddRows(new Float32Array(2), Int32Array.of(-2), 3, 2, new Float32Array(6))).toThrow(
      new RangeError('scatterAddRows: Expected indices in [0, rows) = [0, 3) but indices[0] is -2'),
    );
  });
});

describe.each(nativePaths())('layout: native (%s) against the reference', (simd) => {
  let native: Backend;
  const reference = referenceBackend;
  beforeAll(() => {
    setSimdLevel(simd);
    native = nativeBackend();
  });

  it.each(SHAPES)('agrees bit for bit on %i×%i', (rows, cols) => {
    const random = makeRandom(rows + 7 * cols);
    const x = randomArray(rows * cols, random);
    const count = rows === 0 ? 0 : 2 * rows + 1;
    const indices = Int32Array.from({ length: count }, () => Math.floor(random() * rows));
    const results = [reference, native].map((k) => {
      const t = new Float32Array(x.length);
      k.transpose(x, rows, cols, t);
      const g = new Float32Array(count * cols);
      k.gatherRows(x, rows, cols, indices, g);
      const s = x.slice();
      k.scatterAddRows(g, indices, rows, cols, s);
      return [t, g, s];
    });
    results[0]!.forEach((want, i) => expectSame(bits(results[1]![i]!), bits(want), `output ${i}`));
  });
});

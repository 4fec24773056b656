// CSV: headers, label columns by name or index, quoting, gzip; bad fields named by row and
// column.
import * as zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { data } from '../../lib';

describe('CSV reader', () => {
  it('reads a header and a label column by name', () => {
    const table = data.parseCsv('a,label,b\n1,0,2.5\n-3,1,4e2\n', { labelColumn: 'label' });
    expect(table.columns).toEqual(['a', 'b']);
    expect(table.rows).toBe(2);
    expect(Array.from(table.features)).toEqual([1, 2.5, -3, 400]);
    expect(Array.from(table.labels!)).toEqual([0, 1]);
    expect(table.labelName).toBe('label');
  });

  it('reads headerless data with the label last, quoted fields and CRLF, gzipped', () => {
    const text = '1,2,"3"\r\n4,5,6\r\n\r\n';
    const table = data.parseCsv(zlib.gzipSync(text), { header: false, labelColumn: -1 });
    expect(table.columns).toEqual(['0', '1']);
    expect(Array.from(table.features)).toEqual([1, 2, 4, 5]);
    expect(Array.from(table.labels!)).toEqual([3, 6]);
    expect(data.parseCsv('1;2\n3;4', { header: false, delimiter: ';' }).features).toEqual(Float32Array.of(1, 2, 3, 4));
  });

  it('names the row and column of a field that is not a finite number', () => {
    expect(() => data.parseCsv('a,b\n1,2\n3,x\n')).toThrow('parseCsv: Expected a finite number in row 3, column 2 ("b") but it reads "x"');
    expect(() => data.parseCsv('a,b\n1,\n')).toThrow(/row 2, column 2 \("b"\) but it reads ""/);
    expect(() => data.parseCsv('1,Infinity\n', { header: false })).toThrow(/row 1, column 2/);
  });

  it('refuses ragged rows, unknown label columns and empty input', () => {
    expect(() => data.parseCsv('a,b\n1,2\n3\n')).toThrow(/parseCsv: .*(column|record)/i);
    expect(() => data.parseCsv('a,b\n1,2\n', { labelColumn: 'c' })).toThrow('parseCsv: Expected a label column named one of a, b but received "c"');
    expect(() => data.parseCsv('1,2\n', { header: false, labelColumn: 2 })).toThrow(/label column index in \[-2, 1\]/);
    expect(() => data.parseCsv('1,2\n', { header: false, labelColumn: 'a' })).toThrow(/needs a header row/);
    expect(() => data.parseCsv('')).toThrow(/at least one row/);
  });
});

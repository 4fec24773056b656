/**
 * The 8×8 handwritten digits the package ships (data/digits.csv.gz; origin and licence in
 * data/digits.LICENSE.md): 1 797 images of 64 pixels and their labels 0–9.
 */
import * as path from 'node:path';
import { PACKAGE_ROOT } from '../../paths';
import { Tensor } from '../../autograd/tensor';
import { readCsv } from '../readers/csv';

export const DIGITS_FILE = path.join(PACKAGE_ROOT, 'data', 'digits.csv.gz');

export interface LabelledData {
  /** Inputs, one example per row. */
  x: Tensor;
  /** Class indices (as float32 integers), one per row. */
  y: Tensor;
  classes: number;
}

/** The digits as x [1797, 64] with pixels 0–16 (divided by 16 when scale is true) and y [1797]. */
export function digits(options: { scale?: boolean } = {}): LabelledData {
  const table = readCsv(DIGITS_FILE, { header: false, labelColumn: -1 });
  if (table.rows !== 1797 || table.columns.length !== 64) {
    throw new RangeError(`digits: Expected 1797 rows of 64 pixels in ${DIGITS_FILE} but found ${table.rows} of ${table.columns.length}`);
  }
  if (options.scale) for (let i = 0; i < table.features.length; i++) table.features[i]! /= 16;
  return {
    x: new Tensor(table.features, [table.rows, 64]),
    y: new Tensor(table.labels!, [table.rows]),
    classes: 10,
  };
}

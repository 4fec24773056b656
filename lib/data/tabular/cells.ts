/**
 * What a CSV cell holds: a number (plain decimal notation only, so "0x1F", "1,5" and "" are not
 * read as numbers the way JavaScript's Number() would), an infinity, a missing value, or text.
 */

/** Cells read as missing values, as pandas' read_csv reads them (and UCI's "?"). */
export const MISSING_TOKENS: readonly string[] = ['', 'NA', 'N/A', 'NaN', 'nan', 'null', 'NULL', 'None', '?'];
const MISSING = new Set(MISSING_TOKENS);

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const INFINITY = /^[+-]?(inf|infinity)$/i;

export type CellKind = 'missing' | 'number' | 'infinite' | 'text';

export function cellKind(cell: string): CellKind {
  if (MISSING.has(cell)) return 'missing';
  if (DECIMAL.test(cell)) return Number.isFinite(Number(cell)) ? 'number' : 'infinite'; // 1e999 overflows
  if (INFINITY.test(cell)) return 'infinite';
  return 'text';
}

/** A cell for an error message: quoted, and cut at 40 characters. */
export function showCell(cell: string): string {
  return JSON.stringify(cell.length > 40 ? `${cell.slice(0, 40)}…` : cell);
}

/** Names for an error message: the first few, then how many there are in all. */
export function listNames(names: readonly string[], max = 12): string {
  const shown = names.slice(0, max).map((n) => `"${n}"`).join(', ');
  return names.length > max ? `${shown}, … (${names.length} in all)` : shown;
}

/** Parsers for numeric command-line options, shared by every command. */
import { InvalidArgumentError } from 'commander';

export function number(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`Expected a number but received "${value}"`);
  return n;
}

export function integer(value: string): number {
  const n = number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError(`Expected an integer but received "${value}"`);
  return n;
}

/** "30,45" → [30, 45]: whole numbers, comma-separated (the config check says whether they fit). */
export function epochList(value: string): number[] {
  const parts = value.split(',').map((p) => p.trim());
  if (parts.some((p) => !/^\d+$/.test(p))) throw new InvalidArgumentError(`Expected whole epochs separated by commas, such as 30,45, but received "${value}"`);
  return parts.map(Number);
}

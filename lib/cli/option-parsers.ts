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

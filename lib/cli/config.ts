/** The train command's configuration: the run's defaults, a JSON file, then flags (lib/train/run-config.ts). */
import * as fs from 'node:fs';
import { type RunConfig, resolveRunConfig } from '../train/run-config';

/** Reads a JSON config file: an object of the settings of a RunConfig (any subset). */
export function readConfigFile(file: string): Partial<RunConfig> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`--config: cannot read ${file}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`--config: ${file} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`--config: Expected a JSON object in ${file}`);
  return parsed as Partial<RunConfig>;
}

/** defaults(data) ← file ← flags (flags win); data may come from either. */
export function resolveConfig(file: Partial<RunConfig>, flags: Partial<RunConfig>): RunConfig {
  return resolveRunConfig({ ...file, ...flags });
}

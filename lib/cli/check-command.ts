/** `tensorgrad check`: the notes' sanity checks on the command's model and data, before training. */
import { applyRuntime, buildRun, checkRun } from '../train/build-run';
import { loadData } from '../train/data-source';
import type { RunConfig } from '../train/run-config';
import type { Output } from '../train/run-dir';
import { type SanityCheckResult, formatSanityChecks } from '../train/sanity-check';

export function runCheck(config: RunConfig, options: { out?: Output } = {}): SanityCheckResult[] {
  const out = options.out ?? process.stdout;
  applyRuntime(config);
  const data = loadData(config);
  const { model, sizes } = buildRun(config, data);
  out.write(`Sanity checks of ${sizes.join('-')} (${config.activation}) on ${data.name}\n`);
  const results = checkRun(data, model);
  if (data.task === 'regression') out.write("The notes' sanity checks (initial loss ≈ ln C, overfitting 20 examples) are a classifier's: none run for regression\n");
  out.write(formatSanityChecks(results));
  return results;
}

/** `tensorgrad check`: the notes' sanity checks on the command's model and data, before training. */
import { type SanityCheckResult, sanityCheck } from '../train/sanity-check';
import type { TrainConfig } from './config';
import { applyRuntime, buildRun, classificationLoss } from './build-run';
import { type Splits, loadData } from './data-source';
import type { Output } from './train-command';

/** One line per check: PASS or FAIL, its name and its figures. */
export function formatSanity(results: SanityCheckResult[]): string {
  return results.map((r) => `${r.passed ? 'PASS' : 'FAIL'} ${r.name}: ${r.detail}\n`).join('');
}

/** Runs the checks on a freshly built model (which they leave exactly as they found it). */
export function checkRun(data: Splits, model: Parameters<typeof sanityCheck>[0]): SanityCheckResult[] {
  return sanityCheck(model, classificationLoss, { x: data.train.x, y: data.train.y }, { classes: data.classes });
}

export function runCheck(config: TrainConfig, options: { out?: Output } = {}): SanityCheckResult[] {
  const out = options.out ?? process.stdout;
  applyRuntime(config);
  const data = loadData(config.data);
  const { model, sizes } = buildRun(config, data);
  out.write(`Sanity checks of ${sizes.join('-')} (${config.activation}) on ${data.name}\n`);
  const results = checkRun(data, model);
  out.write(formatSanity(results));
  return results;
}

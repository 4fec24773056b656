/** `tensorgrad lr-find`: the exponential learning-rate sweep on the command's model and data. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { autocast } from '../autograd/autocast';
import { type LrFinderResult, lrFinder } from '../train/lr-finder';
import { applyRuntime, buildRun } from '../train/build-run';
import { lossFor } from '../train/run-task';
import { loadData } from '../train/data-source';
import type { RunConfig } from '../train/run-config';
import { type Output, writeJson } from '../train/run-dir';

export interface LrFindOptions {
  startLr: number;
  endLr: number;
  steps: number;
  out?: Output;
}

export function runLrFind(config: RunConfig, options: LrFindOptions): LrFinderResult {
  const out = options.out ?? process.stdout;
  applyRuntime(config);
  const data = loadData(config);
  const { model, optimizer, batches, sizes, description } = buildRun(config, data);
  // The sweep may outlast one epoch: cycle through the loader.
  const loader = {
    *[Symbol.iterator]() {
      for (;;) yield* batches.train;
    },
  };
  const sweep = () => lrFinder({ model, loss: lossFor(data.task), optimizer, loader, startLr: options.startLr, endLr: options.endLr, steps: options.steps });
  // As train does: --precision bf16 sweeps with the matrix products the run will train with.
  const result = config.precision === 'bf16' ? autocast('bfloat16', sweep) : sweep();
  out.write(`lr-find on ${description} (${config.optimizer}, batch ${config.batchSize}, ${config.data}): ${result.lrs.length} steps${result.diverged ? ', stopped when the loss exploded' : ''}\n`);
  out.write('lr          smoothed loss\n');
  const every = Math.max(1, Math.round(result.lrs.length / 20));
  for (let i = 0; i < result.lrs.length; i += every) out.write(`${result.lrs[i]!.toExponential(2).padEnd(12)}${result.losses[i]!.toFixed(4)}\n`);
  if (result.advice) out.write(`Advice: ${result.advice}\n`);
  else out.write(`Suggested learning rate: ${result.suggestion.toExponential(2)} (steepest descent of the smoothed loss)\n`);
  if (config.out) {
    fs.mkdirSync(config.out, { recursive: true });
    writeJson(path.join(config.out, 'lr-find.json'), { config, sizes, ...result });
  }
  return result;
}

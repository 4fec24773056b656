// Optimizer state through a checkpoint on disk (saveCheckpoint: arrays to safetensors, step
// counts and NAdam's μ product to JSON) resumes the same parameters bit for bit.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nn, optim, tensor, loadCheckpoint, saveCheckpoint } from '../../lib';
import type { Tensor } from '../../lib';
import { expectSame } from '../backend/expect-close';
import { THETA0, loss } from './problem';

class Vector extends nn.Module {
  theta = new nn.Parameter(tensor(THETA0));
  forward(): Tensor {
    return loss(this.theta);
  }
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tensorgrad-optim-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const MAKERS: [string, (p: Tensor[]) => optim.Optimizer][] = [
  ['SGD with Nesterov momentum', (p) => new optim.SGD(p, { lr: 0.02, momentum: 0.9, nesterov: true })],
  ['RMSprop, centered, momentum', (p) => new optim.RMSprop(p, { lr: 0.01, centered: true, momentum: 0.5 })],
  ['Adam with AMSGrad', (p) => new optim.Adam(p, { lr: 0.05, amsgrad: true, betas: [0.8, 0.99] })],
  ['NAdam', (p) => new optim.NAdam(p, { lr: 0.05 })],
];

function run(model: Vector, opt: optim.Optimizer, steps: number): Float32Array[] {
  const out: Float32Array[] = [];
  for (let t = 0; t < steps; t++) {
    opt.zeroGrad();
    model.forward().backward();
    opt.step();
    out.push(Float32Array.from(model.theta.data));
  }
  return out;
}

describe('optimizer state through a checkpoint', () => {
  it.each(MAKERS)('%s resumes bit for bit', (name, make) => {
    const model = new Vector();
    const opt = make(model.parameters());
    run(model, opt, 15);
    const where = saveCheckpoint(path.join(dir, name.replace(/\W+/g, '-')), { model, optimizer: opt }, { step: 15 });
    const resumedModel = new Vector();
    const resumed = make(resumedModel.parameters());
    resumed.paramGroups[0]!.lr = 0;
    loadCheckpoint(where, { model: resumedModel, optimizer: resumed });
    expect(resumed.paramGroups[0]!.lr).toBe(opt.paramGroups[0]!.lr);
    const a = run(model, opt, 15);
    const b = run(resumedModel, resumed, 15);
    b.forEach((p, t) => expectSame(p, a[t]!, `step ${16 + t}`));
  });
});

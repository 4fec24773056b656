/** The command's optimizers and schedules, by name. */
import type { Tensor } from '../autograd/tensor';
import * as optim from '../optim';
import type { LRScheduler } from '../optim/lr-scheduler/scheduler';

export const OPTIMIZER_NAMES = ['sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adadelta', 'adam', 'adamw', 'adamax', 'nadam'] as const;
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number];

export interface OptimizerSettings {
  optimizer: OptimizerName;
  lr: number;
  momentum: number;
  weightDecay: number;
}

export function makeOptimizer(params: Tensor[], s: OptimizerSettings): optim.Optimizer<optim.BaseHyper> {
  const { lr, weightDecay } = s;
  switch (s.optimizer) {
    case 'sgd': return new optim.SGD(params, { lr, weightDecay });
    case 'momentum': return new optim.SGD(params, { lr, momentum: s.momentum, weightDecay });
    case 'nesterov': return new optim.SGD(params, { lr, momentum: s.momentum, nesterov: true, weightDecay });
    case 'adagrad': return new optim.Adagrad(params, { lr, weightDecay });
    case 'rmsprop': return new optim.RMSprop(params, { lr, weightDecay });
    case 'adadelta': return new optim.Adadelta(params, { lr, weightDecay });
    case 'adam': return new optim.Adam(params, { lr, weightDecay });
    case 'adamw': return new optim.AdamW(params, { lr, weightDecay });
    case 'adamax': return new optim.Adamax(params, { lr, weightDecay });
    case 'nadam': return new optim.NAdam(params, { lr, weightDecay });
  }
}

/** cosine: anneal to 0 over the run; step: ×0.1 at 50% and 75% of the epochs. */
export function makeSchedule(name: string, optimizer: optim.Optimizer<optim.BaseHyper>, epochs: number): LRScheduler | undefined {
  if (name === 'cosine') return new optim.lrScheduler.CosineAnnealingLR(optimizer, { tMax: epochs });
  if (name === 'step') {
    return new optim.lrScheduler.MultiStepLR(optimizer, { milestones: [Math.round(epochs / 2), Math.round((3 * epochs) / 4)], gamma: 0.1 });
  }
  return undefined;
}

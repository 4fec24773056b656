/** The run's optimizers, by name. */
import type { Tensor } from '../autograd/tensor';
import * as optim from '../optim';

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

// The optimizer settings every trajectory test runs: how to build the optimizer, and its
// textbook oracle with the same hyper-parameters.
import type { Tensor } from '../../lib';
import { optim } from '../../lib';
import * as textbook from './textbook';

export interface OptimizerCase {
  label: string;
  make(params: Tensor[]): optim.Optimizer;
  oracle(): textbook.Textbook;
}

export const CASES: OptimizerCase[] = [
  { label: 'SGD', make: (p) => new optim.SGD(p, { lr: 0.1 }), oracle: () => textbook.sgd({ lr: 0.1 }) },
  {
    label: 'SGD, momentum 0.9, dampening 0.1, weight decay 0.01',
    make: (p) => new optim.SGD(p, { lr: 0.02, momentum: 0.9, dampening: 0.1, weightDecay: 0.01 }),
    oracle: () => textbook.sgd({ lr: 0.02, momentum: 0.9, dampening: 0.1, weightDecay: 0.01 }),
  },
  {
    label: 'SGD, Nesterov 0.8',
    make: (p) => new optim.SGD(p, { lr: 0.03, momentum: 0.8, nesterov: true }),
    oracle: () => textbook.sgd({ lr: 0.03, momentum: 0.8, nesterov: true }),
  },
  { label: 'Adagrad', make: (p) => new optim.Adagrad(p, { lr: 0.3 }), oracle: () => textbook.adagrad({ lr: 0.3 }) },
  {
    label: 'Adagrad, lr decay, weight decay, initial accumulator, eps 1e-2',
    make: (p) => new optim.Adagrad(p, { lr: 0.3, lrDecay: 0.01, weightDecay: 0.01, initialAccumulatorValue: 0.1, eps: 1e-2 }),
    oracle: () => textbook.adagrad({ lr: 0.3, lrDecay: 0.01, weightDecay: 0.01, initial: 0.1, eps: 1e-2 }),
  },
  { label: 'RMSprop (defaults)', make: (p) => new optim.RMSprop(p), oracle: () => textbook.rmsprop({ lr: 0.01 }) },
  {
    label: 'RMSprop, eps 1e-2, momentum 0.9',
    make: (p) => new optim.RMSprop(p, { lr: 0.01, eps: 1e-2, momentum: 0.9 }),
    oracle: () => textbook.rmsprop({ lr: 0.01, eps: 1e-2, momentum: 0.9 }),
  },
  {
    label: 'RMSprop, alpha 0.9, centered, momentum 0.5, weight decay',
    make: (p) => new optim.RMSprop(p, { lr: 0.01, alpha: 0.9, centered: true, momentum: 0.5, weightDecay: 0.01 }),
    oracle: () => textbook.rmsprop({ lr: 0.01, alpha: 0.9, centered: true, momentum: 0.5, weightDecay: 0.01 }),
  },
  { label: 'Adadelta (defaults)', make: (p) => new optim.Adadelta(p), oracle: () => textbook.adadelta({ lr: 1 }) },
  {
    label: 'Adadelta, lr 2, rho 0.95, eps 1e-4, weight decay',
    make: (p) => new optim.Adadelta(p, { lr: 2, rho: 0.95, eps: 1e-4, weightDecay: 0.01 }),
    oracle: () => textbook.adadelta({ lr: 2, rho: 0.95, eps: 1e-4, weightDecay: 0.01 }),
  },
  { label: 'Adam', make: (p) => new optim.Adam(p, { lr: 0.05 }), oracle: () => textbook.adam({ lr: 0.05 }) },
  {
    label: 'Adam, eps 1e-2 (outside the root)',
    make: (p) => new optim.Adam(p, { lr: 0.05, eps: 1e-2 }),
    oracle: () => textbook.adam({ lr: 0.05, eps: 1e-2 }),
  },
  {
    label: 'Adam, amsgrad, weight decay, betas [0.8, 0.99]',
    make: (p) => new optim.Adam(p, { lr: 0.05, amsgrad: true, weightDecay: 0.01, betas: [0.8, 0.99] }),
    oracle: () => textbook.adam({ lr: 0.05, amsgrad: true, weightDecay: 0.01, betas: [0.8, 0.99] }),
  },
  {
    label: 'Adam without bias correction (the notes\' variant)',
    make: (p) => new optim.Adam(p, { lr: 0.05, biasCorrection: false }),
    oracle: () => textbook.adam({ lr: 0.05, biasCorrection: false }),
  },
  {
    label: 'AdamW, weight decay 0.1',
    make: (p) => new optim.AdamW(p, { lr: 0.05, weightDecay: 0.1 }),
    oracle: () => textbook.adam({ lr: 0.05, weightDecay: 0.1, decoupled: true }),
  },
  {
    label: 'AdamW, amsgrad (default weight decay 1e-2)',
    make: (p) => new optim.AdamW(p, { lr: 0.05, amsgrad: true }),
    oracle: () => textbook.adam({ lr: 0.05, weightDecay: 1e-2, decoupled: true, amsgrad: true }),
  },
  { label: 'Adamax', make: (p) => new optim.Adamax(p, { lr: 0.05 }), oracle: () => textbook.adamax({ lr: 0.05 }) },
  {
    label: 'Adamax, weight decay, betas [0.85, 0.99]',
    make: (p) => new optim.Adamax(p, { lr: 0.05, weightDecay: 0.01, betas: [0.85, 0.99] }),
    oracle: () => textbook.adamax({ lr: 0.05, weightDecay: 0.01, betas: [0.85, 0.99] }),
  },
  { label: 'NAdam', make: (p) => new optim.NAdam(p, { lr: 0.05 }), oracle: () => textbook.nadam({ lr: 0.05 }) },
  {
    label: 'NAdam, weight decay, momentum decay 0.01',
    make: (p) => new optim.NAdam(p, { lr: 0.05, weightDecay: 0.01, momentumDecay: 0.01 }),
    oracle: () => textbook.nadam({ lr: 0.05, weightDecay: 0.01, momentumDecay: 0.01 }),
  },
];

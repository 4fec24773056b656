/** The losses as modules (criterion objects), configured once and called on each batch. */
import type { Tensor } from '../../autograd/tensor';
import {
  type BceOptions, type Labels, type MarginOptions, type NllOptions, type Reduction,
  binaryCrossEntropyWithLogits, crossEntropy, l1Loss, mseLoss, multiMarginLoss, nllLoss,
} from '../functional/loss';
import { Module } from '../module';

export class CrossEntropyLoss extends Module {
  constructor(readonly options: NllOptions = {}) { super(); }
  forward(logits: Tensor, labels: Labels): Tensor { return crossEntropy(logits, labels, this.options); }
}

export class NLLLoss extends Module {
  constructor(readonly options: NllOptions = {}) { super(); }
  forward(logProbs: Tensor, labels: Labels): Tensor { return nllLoss(logProbs, labels, this.options); }
}

/** The notes' multiclass SVM loss (not divided by C; see multiMarginLoss). */
export class MultiMarginLoss extends Module {
  constructor(readonly options: MarginOptions = {}) { super(); }
  forward(scores: Tensor, labels: Labels): Tensor { return multiMarginLoss(scores, labels, this.options); }
}

export class MSELoss extends Module {
  constructor(readonly options: { reduction?: Reduction } = {}) { super(); }
  forward(prediction: Tensor, target: Tensor): Tensor { return mseLoss(prediction, target, this.options); }
}

export class L1Loss extends Module {
  constructor(readonly options: { reduction?: Reduction } = {}) { super(); }
  forward(prediction: Tensor, target: Tensor): Tensor { return l1Loss(prediction, target, this.options); }
}

export class BCEWithLogitsLoss extends Module {
  constructor(readonly options: BceOptions = {}) { super(); }
  forward(logits: Tensor, target: Tensor): Tensor { return binaryCrossEntropyWithLogits(logits, target, this.options); }
}

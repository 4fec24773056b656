/**
 * The one way the training code keeps and restores a model's state (Trainer's best epoch,
 * EarlyStopping's restoreBest, the learning-rate finder): every tensor of the state dict —
 * parameters and persistent buffers such as BatchNorm's running statistics — copied in its own
 * dtype, and loaded back exactly.
 */
import { Tensor } from '../autograd/tensor';
import type { Module } from '../nn/module';

/** A copy of the model's state dict, each tensor's values copied in its dtype (float64 stays float64). */
export function copyModelState(model: Module): Record<string, Tensor> {
  return Object.fromEntries(Object.entries(model.stateDict()).map(([key, t]) => [key, new Tensor(t.data.slice(), t.shape)]));
}

/** Loads a state copied by copyModelState back into the model (strictly: every key, every shape). */
export function restoreModelState(model: Module, state: Record<string, Tensor>): void {
  model.loadStateDict(state);
}

// A minimal optimizer for testing the Optimizer base and the schedulers: p −= lr·g, with a
// step counter in its state so state dicts have something to carry.
import type { Tensor } from '../../lib';
import { optim } from '../../lib';

export class PlainSGD extends optim.Optimizer<{ lr: number }> {
  constructor(params: Tensor[] | optim.ParamGroupSpec<{ lr: number }>[], lr = 0.1) {
    super(params, { lr });
  }
  protected checkHyper(group: { lr: number }): void {
    if (!(group.lr >= 0)) throw new RangeError(`PlainSGD: Expected lr >= 0 but received ${group.lr}`);
  }
  protected initState(param: Tensor): optim.ParamState {
    return { step: 0, last: new Float32Array(param.size) };
  }
  protected update(param: Tensor, grad: Tensor, state: optim.ParamState, group: { lr: number }): void {
    state['step'] = (state['step'] as number) + 1;
    (state['last'] as Float32Array).set(grad.data);
    for (let i = 0; i < param.size; i++) param.data[i]! -= group.lr * grad.data[i]!;
  }
}

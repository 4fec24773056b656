/** Sequential: modules applied in order, each to the output of the one before. */
import type { Tensor } from '../autograd/tensor';
import { Module } from './module';

export class Sequential extends Module {
  [index: number]: Module;
  readonly length: number;

  constructor(...modules: Module[]) {
    super();
    modules.forEach((m, i) => {
      if (!(m instanceof Module)) throw new TypeError(`Sequential: Expected a Module at position ${i} but received ${String(m)}`);
      this[i] = m; // own properties named 0, 1, …: the children, in order
    });
    this.length = modules.length;
  }

  forward(x: Tensor): Tensor {
    let y = x;
    for (let i = 0; i < this.length; i++) y = this[i]!.call(y);
    return y;
  }
}

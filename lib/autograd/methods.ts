/** The ops as Tensor methods (x.matmul(w).add(b).relu()), installed on the prototype. */
import { backward } from './backward';
import { relu } from './ops/activation';
import { add, mul } from './ops/arithmetic';
import { matmul } from './ops/matmul';
import { sum } from './ops/reduce';
import { gather, reshape, transpose } from './ops/shape';
import { Tensor } from './tensor';

declare module './tensor' {
  interface Tensor {
    add(other: Tensor): Tensor;
    mul(other: Tensor): Tensor;
    matmul(other: Tensor): Tensor;
    sum(dim?: number, keepDim?: boolean): Tensor;
    relu(): Tensor;
    reshape(...shape: number[]): Tensor;
    /** The transpose of a 2-D tensor. */
    transpose(): Tensor;
    /** Rows (along dimension 0) at the given indices. */
    gather(indices: ArrayLike<number>): Tensor;
    /** Back-propagates from this tensor: one-element, or pass ∂L/∂this of the same shape. */
    backward(gradient?: Tensor): void;
  }
}

Tensor.prototype.add = function (this: Tensor, other: Tensor) { return add(this, other); };
Tensor.prototype.mul = function (this: Tensor, other: Tensor) { return mul(this, other); };
Tensor.prototype.matmul = function (this: Tensor, other: Tensor) { return matmul(this, other); };
Tensor.prototype.sum = function (this: Tensor, dim?: number, keepDim?: boolean) { return sum(this, dim, keepDim); };
Tensor.prototype.relu = function (this: Tensor) { return relu(this); };
Tensor.prototype.reshape = function (this: Tensor, ...shape: number[]) { return reshape(this, shape); };
Tensor.prototype.transpose = function (this: Tensor) { return transpose(this); };
Tensor.prototype.gather = function (this: Tensor, indices: ArrayLike<number>) { return gather(this, indices); };
Tensor.prototype.backward = function (this: Tensor, gradient?: Tensor) { backward(this, gradient); };

/** The ops as Tensor methods (x.matmul(w).add(b).relu()), installed on the prototype. */
import { backward } from './backward';
import { elu, gelu, leakyRelu, logSigmoid, relu, sigmoid, softplus, tanh } from './ops/activation';
import { type Operand, add, div, mul, neg, sub } from './ops/arithmetic';
import { abs, exp, log, pow, sqrt } from './ops/math';
import { matmul } from './ops/matmul';
import { argmax, max, mean, sum } from './ops/reduce';
import { gather, reshape, transpose } from './ops/shape';
import { logSoftmax, softmax } from './ops/softmax';
import { Tensor } from './tensor';

declare module './tensor' {
  interface Tensor {
    add(other: Operand): Tensor;
    sub(other: Operand): Tensor;
    mul(other: Operand): Tensor;
    div(other: Operand): Tensor;
    neg(): Tensor;
    pow(exponent: number): Tensor;
    exp(): Tensor;
    log(): Tensor;
    sqrt(): Tensor;
    abs(): Tensor;
    matmul(other: Tensor): Tensor;
    sum(dim?: number, keepDim?: boolean): Tensor;
    mean(dim?: number, keepDim?: boolean): Tensor;
    max(dim?: number, keepDim?: boolean): Tensor;
    argmax(dim?: number): Int32Array;
    relu(): Tensor;
    sigmoid(): Tensor;
    logSigmoid(): Tensor;
    tanh(): Tensor;
    leakyRelu(slope?: number): Tensor;
    elu(alpha?: number): Tensor;
    softplus(beta?: number, threshold?: number): Tensor;
    gelu(approximate?: 'none' | 'tanh'): Tensor;
    softmax(dim?: number): Tensor;
    logSoftmax(dim?: number): Tensor;
    reshape(...shape: number[]): Tensor;
    /** The transpose of a 2-D tensor. */
    transpose(): Tensor;
    /** Rows (along dimension 0) at the given indices. */
    gather(indices: ArrayLike<number>): Tensor;
    /** Back-propagates from this tensor: one-element, or pass ∂L/∂this of the same shape. */
    backward(gradient?: Tensor): void;
  }
}

const methods: Partial<Tensor> = {
  add(this: Tensor, other: Operand) { return add(this, other); },
  sub(this: Tensor, other: Operand) { return sub(this, other); },
  mul(this: Tensor, other: Operand) { return mul(this, other); },
  div(this: Tensor, other: Operand) { return div(this, other); },
  neg(this: Tensor) { return neg(this); },
  pow(this: Tensor, exponent: number) { return pow(this, exponent); },
  exp(this: Tensor) { return exp(this); },
  log(this: Tensor) { return log(this); },
  sqrt(this: Tensor) { return sqrt(this); },
  abs(this: Tensor) { return abs(this); },
  matmul(this: Tensor, other: Tensor) { return matmul(this, other); },
  sum(this: Tensor, dim?: number, keepDim?: boolean) { return sum(this, dim, keepDim); },
  mean(this: Tensor, dim?: number, keepDim?: boolean) { return mean(this, dim, keepDim); },
  max(this: Tensor, dim?: number, keepDim?: boolean) { return max(this, dim, keepDim); },
  argmax(this: Tensor, dim?: number) { return argmax(this, dim); },
  relu(this: Tensor) { return relu(this); },
  sigmoid(this: Tensor) { return sigmoid(this); },
  logSigmoid(this: Tensor) { return logSigmoid(this); },
  tanh(this: Tensor) { return tanh(this); },
  leakyRelu(this: Tensor, slope?: number) { return leakyRelu(this, slope); },
  elu(this: Tensor, alpha?: number) { return elu(this, alpha); },
  softplus(this: Tensor, beta?: number, threshold?: number) { return softplus(this, beta, threshold); },
  gelu(this: Tensor, approximate?: 'none' | 'tanh') { return gelu(this, approximate); },
  softmax(this: Tensor, dim?: number) { return softmax(this, dim); },
  logSoftmax(this: Tensor, dim?: number) { return logSoftmax(this, dim); },
  reshape(this: Tensor, ...shape: number[]) { return reshape(this, shape); },
  transpose(this: Tensor) { return transpose(this); },
  gather(this: Tensor, indices: ArrayLike<number>) { return gather(this, indices); },
  backward(this: Tensor, gradient?: Tensor) { backward(this, gradient); },
};
Object.assign(Tensor.prototype, methods);

/**
 * RNNCell, LSTMCell and GRUCell: one time step, PyTorch-shaped (weight_ih, weight_hh, bias_ih,
 * bias_hh; state [N, H]). For loops the caller writes itself (sampling one character at a time);
 * a step is the sequence op with T = 1, so cells and layers share one implementation.
 */
import { reshape } from '../../autograd/ops/shape';
import type { Nonlinearity } from '../../autograd/ops/recurrent';
import { zeros } from '../../autograd/create';
import type { DType } from '../../autograd/tensor';
import { Tensor, formatShape } from '../../autograd/tensor';
import { Module } from '../module';
import { addWeights, type CellKind, type LayerWeights, type LSTMState, NAMES, positiveInteger, runLayer } from './recurrent';

export interface CellOptions {
  inputSize: number;
  hiddenSize: number;
  bias?: boolean;
  dtype?: DType;
}

export interface RNNCellOptions extends CellOptions {
  nonlinearity?: Nonlinearity;
}

abstract class CellBase<Out> extends Module<Out> {
  readonly kind: CellKind;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly bias: boolean;
  readonly nonlinearity: Nonlinearity;
  readonly #weights: LayerWeights;

  constructor(kind: CellKind, options: RNNCellOptions) {
    super();
    const owner = `${NAMES[kind]}Cell`;
    if (typeof options !== 'object' || options === null) {
      throw new TypeError(`${owner}: Expected options { inputSize, hiddenSize, ... } but received ${String(options)}`);
    }
    this.kind = kind;
    this.inputSize = positiveInteger(owner, 'inputSize', options.inputSize);
    this.hiddenSize = positiveInteger(owner, 'hiddenSize', options.hiddenSize);
    this.bias = options.bias ?? true;
    this.nonlinearity = options.nonlinearity ?? 'tanh';
    if (this.nonlinearity !== 'tanh' && this.nonlinearity !== 'relu') {
      throw new RangeError(`${owner}: Expected nonlinearity "tanh" or "relu" but received ${String(options.nonlinearity)}`);
    }
    this.#weights = addWeights(this, '', kind, this.inputSize, this.hiddenSize, this.bias, options.dtype ?? 'float32');
  }

  /** One step: x [N, F], states [N, H] (zeros when absent) → new h [N, H] and, for LSTM, c. */
  protected step(x: Tensor, h?: Tensor, c?: Tensor): { h: Tensor; c: Tensor | null } {
    const owner = `${NAMES[this.kind]}Cell`;
    if (!(x instanceof Tensor) || x.ndim !== 2 || x.shape[1] !== this.inputSize) {
      throw new RangeError(`${owner}: Expected an input [N, ${this.inputSize}] but received ${x instanceof Tensor ? formatShape(x.shape) : typeof x}`);
    }
    const N = x.shape[0]!;
    const H = this.hiddenSize;
    const state = (s: Tensor | undefined, name: string) => {
      if (s === undefined) return zeros([N, H], { dtype: x.dtype });
      if (!(s instanceof Tensor) || s.ndim !== 2 || s.shape[0] !== N || s.shape[1] !== H) {
        throw new RangeError(`${owner}: Expected ${name} of shape [${N}, ${H}] but received ${s instanceof Tensor ? formatShape(s.shape) : typeof s}`);
      }
      return s;
    };
    const h0 = state(h, 'h');
    const c0 = this.kind === 'lstm' ? state(c, 'c') : null;
    const out = runLayer(this.kind, this.#weights, reshape(x, [1, N, this.inputSize]), h0, c0, this.nonlinearity);
    return { h: reshape(out.h, [N, H]), c: out.c ? reshape(out.c, [N, H]) : null };
  }

  override toString(): string {
    return `${NAMES[this.kind]}Cell(${this.inputSize}, ${this.hiddenSize}${this.bias ? '' : ', bias=false'})`;
  }
}

/** h' = act(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh). */
export class RNNCell extends CellBase<Tensor> {
  constructor(options: RNNCellOptions) {
    super('rnn', options);
  }

  forward(x: Tensor, h?: Tensor): Tensor {
    return this.step(x, h).h;
  }
}

/** One LSTM step: returns the new { h, c }. */
export class LSTMCell extends CellBase<LSTMState> {
  constructor(options: CellOptions) {
    super('lstm', options);
  }

  forward(x: Tensor, state?: LSTMState): LSTMState {
    const next = this.step(x, state?.h, state?.c);
    return { h: next.h, c: next.c! };
  }
}

/** One GRU step (PyTorch's formulation). */
export class GRUCell extends CellBase<Tensor> {
  constructor(options: CellOptions) {
    super('gru', options);
  }

  forward(x: Tensor, h?: Tensor): Tensor {
    return this.step(x, h).h;
  }
}


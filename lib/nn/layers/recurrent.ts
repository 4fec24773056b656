/**
 * RNN, LSTM and GRU layers shaped like PyTorch's: the same constructor options, parameter names
 * (weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0, …), gate order and initialization
 * U(−1/√H, 1/√H), so a PyTorch state dict loads as is. Each layer runs one GEMM for the input
 * projection of all steps, then the whole sequence as one op (lib/autograd/ops/recurrent.ts).
 */
import { add } from '../../autograd/ops/arithmetic';
import { gruSequence, lstmSequence, sliceRows, type Nonlinearity, rnnSequence, swapLeadingDims } from '../../autograd/ops/recurrent';
import { concat, reshape } from '../../autograd/ops/shape';
import { zeros } from '../../autograd/create';
import type { DType } from '../../autograd/tensor';
import { Tensor, formatShape } from '../../autograd/tensor';
import { dropout } from '../../autograd/ops/dropout';
import { linear } from '../../autograd/ops/linear';
import { uniform } from '../init';
import { Module } from '../module';
import { Parameter } from '../parameter';

export type CellKind = 'rnn' | 'lstm' | 'gru';
const GATES: Record<CellKind, number> = { rnn: 1, lstm: 4, gru: 3 };
const NAMES: Record<CellKind, string> = { rnn: 'RNN', lstm: 'LSTM', gru: 'GRU' };

export interface RecurrentOptions {
  inputSize: number;
  hiddenSize: number;
  /** Stacked layers, each reading the one below's outputs (default 1). */
  numLayers?: number;
  /** Whether each layer has b_ih and b_hh (default true). */
  bias?: boolean;
  /** Input and output [N, T, ·] (default true) or time-major [T, N, ·]. */
  batchFirst?: boolean;
  /** Dropout on each layer's outputs except the last, while training (default 0). */
  dropout?: number;
  dtype?: DType;
}

export interface RNNOptions extends RecurrentOptions {
  /** The vanilla cell's activation (default 'tanh'). */
  nonlinearity?: Nonlinearity;
}

/** The LSTM's carried state: hidden and cell, each [numLayers, N, H] (or [N, H] for a cell). */
export interface LSTMState {
  h: Tensor;
  c: Tensor;
}

/** Every step's top-layer hidden state, and the final state of each layer. */
export interface RecurrentOutput {
  output: Tensor;
  h: Tensor;
  /** The LSTM's final cell state. */
  c?: Tensor;
}

function positiveInteger(owner: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new RangeError(`${owner}: Expected a positive integer for ${name} but received ${String(value)}`);
  }
  return value;
}

interface LayerWeights {
  wIh: Parameter;
  wHh: Parameter;
  bIh: Parameter | null;
  bHh: Parameter | null;
}

/** Creates a layer's parameters under PyTorch's names, in PyTorch's order, U(−1/√H, 1/√H). */
function addWeights(module: object, suffix: string, kind: CellKind, input: number, hidden: number, bias: boolean, dtype: DType): LayerWeights {
  const rows = GATES[kind] * hidden;
  const bound = 1 / Math.sqrt(hidden);
  const make = (shape: number[]) => uniform(new Parameter(zeros(shape, { dtype })), -bound, bound) as Parameter;
  const target = module as unknown as Record<string, Parameter>;
  const weights: LayerWeights = {
    wIh: (target[`weight_ih${suffix}`] = make([rows, input])),
    wHh: (target[`weight_hh${suffix}`] = make([rows, hidden])),
    bIh: bias ? (target[`bias_ih${suffix}`] = make([rows])) : null,
    bHh: bias ? (target[`bias_hh${suffix}`] = make([rows])) : null,
  };
  return weights;
}

/**
 * One layer over a time-major sequence x [T, N, F] from state h0 (and c0) [N, H]: returns the
 * outputs [T, N, H] and the final state(s) [1, N, H].
 */
function runLayer(
  kind: CellKind, w: LayerWeights, x: Tensor, h0: Tensor, c0: Tensor | null, nonlinearity: Nonlinearity,
): { ys: Tensor; h: Tensor; c: Tensor | null } {
  const [T, N, F] = x.shape as [number, number, number];
  const flat = reshape(x, [T * N, F]);
  const gates = w.wHh.shape[0]!;
  if (kind === 'gru') {
    const gi = reshape(linear(flat, w.wIh, w.bIh), [T, N, gates]);
    const ys = gruSequence(gi, w.wHh, w.bHh, h0);
    return { ys, h: sliceRows(ys, T - 1, 1), c: null };
  }
  // b_ih + b_hh both add to the pre-activation: one [gates] sum, folded into the GEMM.
  const bias = w.bIh && w.bHh ? add(w.bIh, w.bHh) : null;
  const xproj = reshape(linear(flat, w.wIh, bias), [T, N, gates]);
  if (kind === 'rnn') {
    const ys = rnnSequence(xproj, w.wHh, h0, nonlinearity);
    return { ys, h: sliceRows(ys, T - 1, 1), c: null };
  }
  const out = lstmSequence(xproj, w.wHh, h0, c0!);
  return { ys: sliceRows(out, 0, T), h: sliceRows(out, T - 1, 1), c: sliceRows(out, T, 1) };
}

abstract class RecurrentBase extends Module<RecurrentOutput> {
  readonly kind: CellKind;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly nonlinearity: Nonlinearity;
  readonly #layers: LayerWeights[] = [];

  constructor(kind: CellKind, options: RNNOptions) {
    super();
    const owner = NAMES[kind];
    if (typeof options !== 'object' || options === null) {
      throw new TypeError(`${owner}: Expected options { inputSize, hiddenSize, ... } but received ${String(options)}`);
    }
    this.kind = kind;
    this.inputSize = positiveInteger(owner, 'inputSize', options.inputSize);
    this.hiddenSize = positiveInteger(owner, 'hiddenSize', options.hiddenSize);
    this.numLayers = positiveInteger(owner, 'numLayers', options.numLayers ?? 1);
    this.bias = options.bias ?? true;
    this.batchFirst = options.batchFirst ?? true;
    this.dropout = options.dropout ?? 0;
    if (typeof this.dropout !== 'number' || !(this.dropout >= 0 && this.dropout <= 1)) {
      throw new RangeError(`${owner}: Expected dropout in [0, 1] but received ${String(options.dropout)}`);
    }
    this.nonlinearity = options.nonlinearity ?? 'tanh';
    if (this.nonlinearity !== 'tanh' && this.nonlinearity !== 'relu') {
      throw new RangeError(`${owner}: Expected nonlinearity "tanh" or "relu" but received ${String(options.nonlinearity)}`);
    }
    const dtype = options.dtype ?? 'float32';
    for (let l = 0; l < this.numLayers; l++) {
      const input = l === 0 ? this.inputSize : this.hiddenSize;
      this.#layers.push(addWeights(this, `_l${l}`, kind, input, this.hiddenSize, this.bias, dtype));
    }
  }

  protected run(x: Tensor, h0?: Tensor, c0?: Tensor): RecurrentOutput {
    const owner = NAMES[this.kind];
    if (!(x instanceof Tensor) || x.ndim !== 3 || x.shape[2] !== this.inputSize) {
      const layout = this.batchFirst ? 'N, T' : 'T, N';
      throw new RangeError(`${owner}: Expected an input [${layout}, ${this.inputSize}] but received ${x instanceof Tensor ? formatShape(x.shape) : typeof x}`);
    }
    const seq = this.batchFirst ? swapLeadingDims(x) : x;
    const [T, N] = seq.shape as [number, number];
    if (T < 1) throw new RangeError(`${owner}: Expected at least one time step but received ${formatShape(x.shape)}`);
    const L = this.numLayers;
    const H = this.hiddenSize;
    const state = (s: Tensor | undefined, name: string) => {
      if (s === undefined) return zeros([L, N, H], { dtype: x.dtype });
      if (!(s instanceof Tensor) || s.ndim !== 3 || s.shape[0] !== L || s.shape[1] !== N || s.shape[2] !== H) {
        throw new RangeError(`${owner}: Expected ${name} of shape [${L}, ${N}, ${H}] but received ${s instanceof Tensor ? formatShape(s.shape) : typeof s}`);
      }
      return s;
    };
    const hAll = state(h0, 'h0');
    const cAll = this.kind === 'lstm' ? state(c0, 'c0') : null;
    let input = seq;
    const hs: Tensor[] = [];
    const cs: Tensor[] = [];
    for (let l = 0; l < L; l++) {
      const h = reshape(sliceRows(hAll, l, 1), [N, H]);
      const c = cAll ? reshape(sliceRows(cAll, l, 1), [N, H]) : null;
      const result = runLayer(this.kind, this.#layers[l]!, input, h, c, this.nonlinearity);
      hs.push(result.h);
      if (result.c) cs.push(result.c);
      input = l < L - 1 ? dropout(result.ys, this.dropout, this.training) : result.ys;
    }
    const output = this.batchFirst ? swapLeadingDims(input) : input;
    const out: RecurrentOutput = { output, h: L === 1 ? hs[0]! : concat(hs, 0) };
    if (this.kind === 'lstm') out.c = L === 1 ? cs[0]! : concat(cs, 0);
    return out;
  }

  override toString(): string {
    const extra = [
      this.numLayers !== 1 ? `numLayers=${this.numLayers}` : '',
      this.bias ? '' : 'bias=false',
      this.batchFirst ? '' : 'batchFirst=false',
      this.dropout ? `dropout=${this.dropout}` : '',
      this.kind === 'rnn' && this.nonlinearity !== 'tanh' ? `nonlinearity=${this.nonlinearity}` : '',
    ].filter(Boolean);
    return `${NAMES[this.kind]}(${[this.inputSize, this.hiddenSize, ...extra].join(', ')})`;
  }
}

/** Elman RNN: h_t = act(x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh), act tanh (default) or relu. */
export class RNN extends RecurrentBase {
  constructor(options: RNNOptions) {
    super('rnn', options);
  }

  /** x [N, T, F] (batchFirst) and h0 [L, N, H] (zeros when absent) → output, final h [L, N, H]. */
  forward(x: Tensor, h0?: Tensor): RecurrentOutput {
    return this.run(x, h0);
  }
}

/**
 * LSTM: gates [i | f | g | o] = x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh, c_t = σ(f)·c_{t−1} +
 * σ(i)·tanh(g), h_t = σ(o)·tanh(c_t).
 */
export class LSTM extends RecurrentBase {
  constructor(options: RecurrentOptions) {
    super('lstm', options);
  }

  /** x [N, T, F] (batchFirst) and state {h, c} [L, N, H] (zeros when absent) → output, h, c. */
  forward(x: Tensor, state?: LSTMState): RecurrentOutput {
    if (state !== undefined && (typeof state !== 'object' || state === null || state instanceof Tensor)) {
      throw new TypeError('LSTM: Expected the state as { h, c }');
    }
    return this.run(x, state?.h, state?.c);
  }
}

/**
 * GRU (PyTorch's form): r, z = σ(x·W_i{r,z}ᵀ + b_i{r,z} + h·W_h{r,z}ᵀ + b_h{r,z}),
 * n = tanh(x·W_inᵀ + b_in + r·(h·W_hnᵀ + b_hn)), h' = (1 − z)·n + z·h.
 */
export class GRU extends RecurrentBase {
  constructor(options: RecurrentOptions) {
    super('gru', options);
  }

  forward(x: Tensor, h0?: Tensor): RecurrentOutput {
    return this.run(x, h0);
  }
}

export { addWeights, runLayer, positiveInteger, NAMES, GATES };
export type { LayerWeights };

/**
 * A character-level language model: Embedding → RNN, LSTM or GRU → Linear over the vocabulary,
 * trained with teacher forcing, and sampling one character at a time, each fed back in.
 */
import { rand } from '../../autograd/create';
import { noGrad } from '../../autograd/grad-mode';
import { getRngState, manualSeed, setRngState } from '../../autograd/random';
import type { DType } from '../../autograd/tensor';
import { Tensor, formatShape } from '../../autograd/tensor';
import { Embedding } from '../layers/embedding';
import { Linear } from '../layers/linear';
import { type CellKind, GRU, LSTM, RNN } from '../layers/recurrent';
import { Module } from '../module';

export interface CharLMOptions {
  vocabSize: number;
  /** Width of each character's embedding (default 64). */
  embeddingDim?: number;
  hiddenSize?: number;
  numLayers?: number;
  /** The recurrent cell (default 'lstm'). */
  cell?: CellKind;
  /** Dropout between stacked layers while training (default 0). */
  dropout?: number;
  dtype?: DType;
}

/** The recurrent state carried between batches: h [L, N, H], and c for the LSTM. */
export interface CharLMState {
  h: Tensor;
  c?: Tensor;
}

export interface CharLMOutput {
  /** [N, T, vocabSize] scores of the next character. */
  logits: Tensor;
  state: CharLMState;
}

export const CELL_KINDS: readonly CellKind[] = ['lstm', 'gru', 'rnn'];

export class CharLM extends Module<CharLMOutput> {
  readonly config: Required<Omit<CharLMOptions, 'dtype'>>;
  embedding: Embedding;
  rnn: RNN | LSTM | GRU;
  head: Linear;

  constructor(options: CharLMOptions) {
    super();
    const cell = options.cell ?? 'lstm';
    if (!CELL_KINDS.includes(cell)) throw new RangeError(`CharLM: Expected cell "lstm", "gru" or "rnn" but received ${String(cell)}`);
    this.config = {
      vocabSize: options.vocabSize,
      embeddingDim: options.embeddingDim ?? 64,
      hiddenSize: options.hiddenSize ?? 128,
      numLayers: options.numLayers ?? 1,
      cell,
      dropout: options.dropout ?? 0,
    };
    const dtype = options.dtype ?? 'float32';
    const c = this.config;
    this.embedding = new Embedding(c.vocabSize, c.embeddingDim, { dtype });
    const rnnOptions = { inputSize: c.embeddingDim, hiddenSize: c.hiddenSize, numLayers: c.numLayers, dropout: c.dropout, dtype };
    this.rnn = cell === 'lstm' ? new LSTM(rnnOptions) : cell === 'gru' ? new GRU(rnnOptions) : new RNN(rnnOptions);
    this.head = new Linear(c.hiddenSize, c.vocabSize, { dtype });
  }

  /** ids [N, T] (a tensor of integer ids) and the state carried in (zeros when absent). */
  forward(ids: Tensor, state?: CharLMState): CharLMOutput {
    if (!(ids instanceof Tensor) || ids.ndim !== 2) {
      throw new RangeError(`CharLM: Expected ids [N, T] but received ${ids instanceof Tensor ? formatShape(ids.shape) : typeof ids}`);
    }
    const [n, t] = ids.shape as [number, number];
    const x = this.embedding.forward(ids);
    const out = this.rnn instanceof LSTM
      ? this.rnn.forward(x, state ? { h: state.h, c: state.c! } : undefined)
      : this.rnn.forward(x, state?.h);
    const logits = this.head.forward(out.output.reshape(n * t, this.config.hiddenSize)).reshape(n, t, this.config.vocabSize);
    const next: CharLMState = { h: out.h };
    if (out.c) next.c = out.c;
    return { logits, state: next };
  }
}

/** The state without its history: truncated BPTT's cut between batches. */
export function detachState(state: CharLMState): CharLMState {
  const out: CharLMState = { h: state.h.detach() };
  if (state.c) out.c = state.c.detach();
  return out;
}

export interface SampleOptions {
  /** Ids to start from (at least one); the sample continues after them. */
  prime: ArrayLike<number>;
  /** How many ids to draw. */
  length: number;
  /** Divides the logits: below 1 sharper, above 1 flatter (default 1). */
  temperature?: number;
  /** The seed of the draws: the same seed gives the same sample (default 0). */
  seed?: number;
}

/** index of the first cumulative probability above u, from logits/temperature in double. */
function draw(logits: ArrayLike<number>, temperature: number, u: number): number {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]! / temperature);
  const p = new Float64Array(logits.length);
  let total = 0;
  for (let i = 0; i < logits.length; i++) total += p[i] = Math.exp(logits[i]! / temperature - max);
  let cumulative = 0;
  for (let i = 0; i < p.length; i++) {
    cumulative += p[i]! / total;
    if (u < cumulative) return i;
  }
  return p.length - 1; // u within rounding of 1
}

/**
 * Feeds the prime through the model, then draws `length` ids one at a time, each fed back in as
 * the next input. The draws use the library's generator seeded with `seed`, whose state is
 * restored afterwards, so sampling neither depends on nor disturbs other random numbers.
 */
export function sampleIds(model: CharLM, options: SampleOptions): Int32Array {
  const { prime, length } = options;
  const temperature = options.temperature ?? 1;
  const seed = options.seed ?? 0;
  if (!prime || prime.length < 1) throw new RangeError('sample: Expected a prime of at least one character');
  if (!Number.isInteger(length) || length < 0) throw new RangeError(`sample: Expected a non-negative integer length but received ${String(length)}`);
  if (typeof temperature !== 'number' || !(temperature > 0) || !Number.isFinite(temperature)) {
    throw new RangeError(`sample: Expected a positive finite temperature but received ${String(temperature)}`);
  }
  if (!Number.isInteger(seed) || seed < 0) throw new RangeError(`sample: Expected a non-negative integer seed but received ${String(seed)}`);
  const saved = getRngState();
  manualSeed(seed);
  const uniforms = length > 0 ? rand([length], { dtype: 'float64' }).data : new Float64Array(0);
  setRngState(saved);
  const wasTraining = model.training;
  model.eval();
  try {
    return noGrad(() => {
      const V = model.config.vocabSize;
      const dtype = model.head.weight.dtype;
      const ids = (values: number[]) => new Tensor(dtype === 'float64' ? Float64Array.from(values) : Float32Array.from(values), [1, values.length]);
      let out = model.forward(ids(Array.from(prime)));
      const T = prime.length;
      let logits = out.logits.data.subarray((T - 1) * V, T * V);
      const result = new Int32Array(length);
      for (let i = 0; i < length; i++) {
        const next = draw(logits, temperature, uniforms[i]!);
        result[i] = next;
        if (i === length - 1) break;
        out = model.forward(ids([next]), out.state);
        logits = out.logits.data;
      }
      return result;
    });
  } finally {
    model.train(wasTraining);
  }
}

/**
 * RNN, LSTM and GRU as ONNX's own RNN/LSTM/GRU ops (one per layer, zero initial state), and the
 * character LM built of them. PyTorch's gate blocks are reordered to ONNX's: LSTM [i f g o] →
 * [i o f c], GRU [r z n] → [z r h] (with linear_before_reset = 1, PyTorch's form); the two bias
 * vectors go side by side into B = [Wb | Rb].
 */
import type { Tensor } from '../../autograd/tensor';
import { CharLM } from '../../nn/models/char-lm';
import { GRU, LSTM, RNN } from '../../nn/layers/recurrent';
import type { GraphBuilder, Value } from './graph-builder';
import { attr } from './graph-builder';
import { DataType } from './proto';
import { expectFeatures, isValue, registerExporter, single, swapLeading } from './exporters';

type Recurrent = RNN | LSTM | GRU;

/** For each ONNX gate block, the PyTorch block it comes from. */
export const GATE_ORDER = { rnn: [0], lstm: [0, 3, 1, 2], gru: [1, 0, 2] } as const;

/** Rows of `w` [G·H, cols] with the gate blocks taken in `order`. */
export function reorderGates(w: ArrayLike<number>, order: readonly number[], hidden: number, cols: number): Float32Array {
  const block = hidden * cols;
  const out = new Float32Array(order.length * block);
  order.forEach((from, to) => {
    for (let k = 0; k < block; k++) out[to * block + k] = w[from * block + k]!;
  });
  return out;
}

function parameter(m: Recurrent, name: string): Tensor | null {
  return ((m as unknown as Record<string, Tensor | undefined>)[name]) ?? null;
}

/** x time-major [T, N, F] → every step's top-layer output [T, N, H] and each layer's final states. */
function layers(b: GraphBuilder, m: Recurrent, x: Value): { ys: Value; h: Value[]; c: Value[] } {
  const H = m.hiddenSize;
  const order = GATE_ORDER[m.kind];
  const G = order.length;
  const [T, N] = x.shape;
  const hs: Value[] = [];
  const cs: Value[] = [];
  let input = x;
  for (let l = 0; l < m.numLayers; l++) {
    const F = l === 0 ? m.inputSize : H;
    const W = b.weight(`W_l${l}`, reorderGates(parameter(m, `weight_ih_l${l}`)!.data, order, H, F), [1, G * H, F]);
    const R = b.weight(`R_l${l}`, reorderGates(parameter(m, `weight_hh_l${l}`)!.data, order, H, H), [1, G * H, H]);
    const bIh = parameter(m, `bias_ih_l${l}`);
    const bHh = parameter(m, `bias_hh_l${l}`);
    let B = '';
    if (bIh && bHh) {
      const both = new Float32Array(2 * G * H);
      both.set(reorderGates(bIh.data, order, H, 1), 0);
      both.set(reorderGates(bHh.data, order, H, 1), G * H);
      B = b.weight(`B_l${l}`, both, [1, 2 * G * H]);
    }
    const op = m.kind === 'lstm' ? 'LSTM' : m.kind === 'gru' ? 'GRU' : 'RNN';
    const attributes: Record<string, ReturnType<typeof attr.int>> = { hidden_size: attr.int(H) };
    if (m.kind === 'gru') attributes['linear_before_reset'] = attr.int(1);
    if (m.kind === 'rnn') attributes['activations'] = attr.strings([m.nonlinearity === 'relu' ? 'Relu' : 'Tanh']);
    const outs = b.node(op, [input.name, W, R, B], attributes, m.kind === 'lstm' ? 3 : 2);
    // Y [T, 1, N, H] (one direction) → [T, N, H] for the next layer.
    const ys = b.op('Squeeze', [outs[0]!, b.int64(`squeeze_axes_l${l}`, [1])], [T!, N!, H]);
    hs.push({ name: outs[1]!, shape: [1, N!, H], type: DataType.FLOAT });
    if (m.kind === 'lstm') cs.push({ name: outs[2]!, shape: [1, N!, H], type: DataType.FLOAT });
    input = ys; // inter-layer dropout is off at evaluation
  }
  return { ys: input, h: hs, c: cs };
}

function stackLayers(b: GraphBuilder, states: Value[]): Value {
  if (states.length === 1) return states[0]!;
  const [, N, H] = states[0]!.shape;
  return b.op('Concat', states.map((s) => s.name), [states.length, N!, H!], { axis: attr.int(0) });
}

/** The layer's outputs: output ([N, T, H] batch-first, else [T, N, H]), h [L, N, H], and c for the LSTM. */
function exportRecurrent(m: Recurrent, x: Value, b: GraphBuilder): { [name: string]: Value } {
  expectFeatures(m.toString(), x, m.inputSize, 3);
  if (x.shape.length !== 3) throw new RangeError(`onnx.exportModel: ${m.toString()}: Expected a 3-D input but received rank ${x.shape.length}`);
  const seq = m.batchFirst ? swapLeading(b, x) : x;
  const { ys, h, c } = layers(b, m, seq);
  const out: { [name: string]: Value } = { output: m.batchFirst ? swapLeading(b, ys) : ys, h: stackLayers(b, h) };
  if (m.kind === 'lstm') out['c'] = stackLayers(b, c);
  return out;
}

for (const type of [RNN, LSTM, GRU]) registerExporter<Recurrent>(type, (m, x, { builder }) => exportRecurrent(m, x, builder));

/** CharLM: ids [N, T] (int64) → logits [N, T, vocab], and the final state h (and c). */
registerExporter(CharLM, (m, ids, context) => {
  const x = single(context.child(m.embedding, 'embedding', ids), 'embedding');
  const rnn = context.child(m.rnn, 'rnn', x);
  if (isValue(rnn)) throw new TypeError('onnx.exportModel: CharLM: the recurrent layer gave one value, expected output and state');
  const logits = single(context.child(m.head, 'head', rnn['output']!), 'head');
  const out: { [name: string]: Value } = { logits, h: rnn['h']! };
  if (rnn['c']) out['c'] = rnn['c'];
  return out;
});

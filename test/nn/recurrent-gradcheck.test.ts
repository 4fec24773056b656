// Gradient checks in float64 (every element, PyTorch's gradcheck tolerances) for the recurrent
// sequence ops, the cells, stacked layers unrolled over several steps, and Embedding; then the
// sequence ops in float32 along random directions on every backend (the native cell kernels).
import { describe, expect, it } from 'vitest';
import {
  directionalGradcheck, gradcheck, gruSequence, lstmSequence, manualSeed, nn, randn, rnnSequence, sliceRows, swapLeadingDims, Tensor,
} from '../../lib';
import { backendNames, useBackend } from '../autograd/backends';

const f64 = { dtype: 'float64' as const, requiresGrad: true as const };
const [T, N, H, F] = [4, 2, 3, 3];

function check(fn: (...t: Tensor[]) => Tensor, shapes: number[][], scale = 1): void {
  manualSeed(17);
  const inputs = shapes.map((s) => {
    const t = randn(s, f64);
    for (let i = 0; i < t.size; i++) t.data[i] *= scale;
    return t;
  });
  const result = gradcheck(fn, inputs);
  expect(result.ok, result.message).toBe(true);
  expect(result.checked).toBe(inputs.reduce((n, t) => n + t.size, 0));
}

describe('gradcheck of the sequence ops (BPTT inside one op)', () => {
  it('rnnSequence with tanh: xproj, W_hh and h0', () => {
    check((x, w, h) => rnnSequence(x, w, h, 'tanh'), [[T, N, H], [H, H], [N, H]]);
  });
  it('rnnSequence with relu (inputs away from the kink)', () => {
    check((x, w, h) => rnnSequence(x.add(2), w.mul(0.3), h.mul(0.3).add(1), 'relu'), [[T, N, H], [H, H], [N, H]]);
  });
  it('lstmSequence: outputs and final cell state', () => {
    check((x, w, h, c) => lstmSequence(x, w, h, c), [[T, N, 4 * H], [4 * H, H], [N, H], [N, H]]);
  });
  it('gruSequence with the recurrent bias inside r·(W_hn h + b_hn)', () => {
    check((x, w, h, b) => gruSequence(x, w, b, h), [[T, N, 3 * H], [3 * H, H], [N, H], [3 * H]]);
  });
  it('gruSequence without a bias', () => {
    check((x, w, h) => gruSequence(x, w, null, h), [[T, N, 3 * H], [3 * H, H], [N, H]]);
  });
  it('swapLeadingDims and sliceRows', () => {
    check((x) => sliceRows(swapLeadingDims(x), 1, 2), [[3, 4, 2]]);
  });
});

describe('gradcheck of the cells and layers through their inputs and states', () => {
  const cellOptions = { inputSize: F, hiddenSize: H, dtype: 'float64' as const };
  it('RNNCell, LSTMCell and GRUCell (one step from a given state)', () => {
    manualSeed(3);
    const rnn = new nn.RNNCell(cellOptions);
    const lstm = new nn.LSTMCell(cellOptions);
    const gru = new nn.GRUCell(cellOptions);
    check((x, h) => rnn.forward(x, h), [[N, F], [N, H]]);
    check((x, h, c) => {
      const s = lstm.forward(x, { h, c });
      return s.h.add(s.c.mul(0.5));
    }, [[N, F], [N, H], [N, H]]);
    check((x, h) => gru.forward(x, h), [[N, F], [N, H]]);
  });

  it.each(['rnn', 'lstm', 'gru'] as const)(`two stacked %s layers unrolled over ${T} steps, batch first`, (kind) => {
    manualSeed(4);
    const options = { inputSize: F, hiddenSize: H, numLayers: 2, dtype: 'float64' as const };
    const layer = kind === 'rnn' ? new nn.RNN(options) : kind === 'lstm' ? new nn.LSTM(options) : new nn.GRU(options);
    check((x, h, c) => {
      const out = layer instanceof nn.LSTM ? layer.forward(x, { h, c }) : layer.forward(x, h);
      // Every output reaches the loss: the sequence, the final h and (LSTM) the final c.
      let y = out.output.sum(1).sum(0).add(out.h.sum(0).sum(0));
      if (out.c) y = y.add(out.c.sum(0).sum(0).mul(0.7));
      return y;
    }, [[N, T, F], [2, N, H], [2, N, H]]);
  });

  it('the layers\' parameter gradients sum over time: W_hh of a 1-step model equals the manual sum', () => {
    // T steps of an RNN = T applications of one RNNCell with the same weights; the layer's
    // ∂L/∂W_hh is the cell's summed over the unrolled steps.
    manualSeed(8);
    const layer = new nn.RNN({ inputSize: F, hiddenSize: H, dtype: 'float64' });
    const cell = new nn.RNNCell({ inputSize: F, hiddenSize: H, dtype: 'float64' });
    for (const name of ['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh']) {
      (cell as unknown as Record<string, Tensor>)[name]!.data.set((layer as unknown as Record<string, Tensor>)[`${name}_l0`]!.data);
    }
    const x = randn([N, T, F], { dtype: 'float64' });
    layer.forward(x).output.sum().backward();
    let h: Tensor | undefined;
    let total: Tensor | null = null;
    for (let t = 0; t < T; t++) {
      const xt = sliceRows(swapLeadingDims(x), t, 1).reshape(N, F);
      h = cell.forward(xt, h);
      total = total ? total.add(h.sum()) : h.sum();
    }
    total!.backward();
    const a = (layer as unknown as Record<string, Tensor>)['weight_hh_l0']!.grad!.data;
    const b = (cell as unknown as Record<string, Tensor>)['weight_hh']!.grad!.data;
    for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i]!, 12);
  });
});

describe('gradcheck of Embedding', () => {
  it('scatter-adds repeated indices and leaves unused rows at zero', () => {
    const indices = Int32Array.of(1, 3, 1, 0, 3, 3);
    check((w) => nn.functional.embedding(indices, w).mul(w.sum()), [[5, 2]]);
    manualSeed(5);
    const w = randn([5, 2], f64);
    nn.functional.embedding(indices, w).sum().backward();
    expect(Array.from(w.grad!.data)).toEqual([1, 1, 2, 2, 0, 0, 3, 3, 0, 0]);
  });

  it('never gives the padding row a gradient, and starts it at zero', () => {
    manualSeed(6);
    const emb = new nn.Embedding(4, 3, { paddingIdx: 2, dtype: 'float64' });
    expect(Array.from(emb.weight.data.subarray(6, 9))).toEqual([0, 0, 0]);
    const out = emb.forward(new Tensor(Float64Array.of(2, 0, 2, 1), [2, 2]));
    expect(out.shape).toEqual([2, 2, 3]);
    out.sum().backward();
    expect(Array.from(emb.weight.grad!.data)).toEqual([1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
    expect(() => emb.forward([0, 4])).toThrow('embedding: Expected every index to be an integer in [0, 4) but index 1 is 4');
    expect(() => emb.forward([0.5])).toThrow(RangeError);
  });
});

describe.each(backendNames())('directionalGradcheck (float32) of the sequence ops on %s', (name) => {
  useBackend(name);
  const cases: [string, (...t: Tensor[]) => Tensor, number[][]][] = [
    ['rnnSequence', (x, w, h) => rnnSequence(x, w, h, 'tanh'), [[T, N, H], [H, H], [N, H]]],
    ['lstmSequence', (x, w, h, c) => lstmSequence(x, w, h, c), [[T, N, 4 * H], [4 * H, H], [N, H], [N, H]]],
    ['gruSequence', (x, w, h, b) => gruSequence(x, w, b, h), [[T, N, 3 * H], [3 * H, H], [N, H], [3 * H]]],
  ];
  it.each(cases)('%s', (_label, fn, shapes) => {
    manualSeed(21);
    const inputs = shapes.map((s) => randn(s, { requiresGrad: true }));
    const result = directionalGradcheck(fn, inputs);
    expect(result.ok, result.message).toBe(true);
  });
});

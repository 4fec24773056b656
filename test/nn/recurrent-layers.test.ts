// The recurrent layers' contract beyond the numbers (those are in recurrent-torch and
// recurrent-gradcheck): parameter names, shapes and init range, time-major input, dropout between
// layers only while training, truncated BPTT by detach, and the errors for bad options and shapes.
import { describe, expect, it } from 'vitest';
import { manualSeed, nn, randn, swapLeadingDims, Tensor } from '../../lib';

describe('recurrent layers', () => {
  it('name, shape and initialize their parameters as PyTorch does', () => {
    manualSeed(1);
    const lstm = new nn.LSTM({ inputSize: 3, hiddenSize: 5, numLayers: 2 });
    expect(lstm.namedParameters().map(([n, p]) => `${n}:${p.shape.join('x')}`)).toEqual([
      'weight_ih_l0:20x3', 'weight_hh_l0:20x5', 'bias_ih_l0:20', 'bias_hh_l0:20',
      'weight_ih_l1:20x5', 'weight_hh_l1:20x5', 'bias_ih_l1:20', 'bias_hh_l1:20',
    ]);
    const bound = 1 / Math.sqrt(5);
    const all = lstm.parameters().flatMap((p) => Array.from(p.data));
    expect(Math.max(...all.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...all.map(Math.abs))).toBeGreaterThan(0.9 * bound); // spread over the range
    expect(new nn.GRU({ inputSize: 2, hiddenSize: 4, bias: false }).namedParameters().map(([n]) => n)).toEqual(['weight_ih_l0', 'weight_hh_l0']);
    expect(new nn.GRUCell({ inputSize: 2, hiddenSize: 4 }).namedParameters().map(([n, p]) => `${n}:${p.shape.join('x')}`)).toEqual([
      'weight_ih:12x2', 'weight_hh:12x4', 'bias_ih:12', 'bias_hh:12',
    ]);
    expect(String(lstm)).toBe('LSTM(3, 5, numLayers=2)');
  });

  it('take time-major input with batchFirst false, giving the same numbers', () => {
    manualSeed(2);
    const a = new nn.GRU({ inputSize: 3, hiddenSize: 4 });
    manualSeed(2);
    const b = new nn.GRU({ inputSize: 3, hiddenSize: 4, batchFirst: false });
    const x = randn([2, 5, 3]);
    const first = a.forward(x);
    const second = b.forward(swapLeadingDims(x));
    expect(second.output.shape).toEqual([5, 2, 4]);
    expect(Array.from(swapLeadingDims(second.output).data)).toEqual(Array.from(first.output.data));
    expect(Array.from(second.h.data)).toEqual(Array.from(first.h.data));
  });

  it('apply dropout between layers while training only, and the final h is the last output', () => {
    manualSeed(3);
    const rnn = new nn.RNN({ inputSize: 3, hiddenSize: 6, numLayers: 2, dropout: 0.5 });
    const x = randn([4, 7, 3]);
    const train1 = rnn.forward(x).output.data.slice();
    const train2 = rnn.forward(x).output.data.slice();
    rnn.eval();
    const eval1 = rnn.forward(x);
    const eval2 = rnn.forward(x).output.data.slice();
    expect(Array.from(train1)).not.toEqual(Array.from(train2)); // fresh masks each call
    expect(Array.from(eval1.output.data)).toEqual(Array.from(eval2));
    // h[1] (the top layer's final state) is the output at the last step.
    for (let n = 0; n < 4; n++) {
      const last = Array.from(eval1.output.data.subarray((n * 7 + 6) * 6, (n * 7 + 7) * 6));
      expect(Array.from(eval1.h.data.subarray((4 + n) * 6, (4 + n + 1) * 6))).toEqual(last);
    }
  });

  it('stop the gradient at a detached state (truncated BPTT)', () => {
    manualSeed(4);
    const lstm = new nn.LSTM({ inputSize: 2, hiddenSize: 3 });
    const x1 = randn([1, 4, 2], { requiresGrad: true });
    const x2 = randn([1, 4, 2], { requiresGrad: true });
    const first = lstm.forward(x1);
    const carried = lstm.forward(x2, { h: first.h.detach(), c: first.c!.detach() });
    carried.output.sum().backward();
    expect(x1.grad).toBeNull();
    expect(x2.grad).not.toBeNull();
    const through = lstm.forward(x2, { h: first.h, c: first.c! });
    through.output.sum().backward();
    expect(x1.grad).not.toBeNull();
  });

  it('say what they expected for bad options, inputs and states', () => {
    expect(() => new nn.LSTM({ inputSize: 0, hiddenSize: 3 })).toThrow('LSTM: Expected a positive integer for inputSize but received 0');
    expect(() => new nn.RNN({ inputSize: 2, hiddenSize: 3, nonlinearity: 'sigmoid' as never })).toThrow('RNN: Expected nonlinearity "tanh" or "relu" but received sigmoid');
    expect(() => new nn.GRU({ inputSize: 2, hiddenSize: 3, dropout: 2 })).toThrow(/dropout in \[0, 1\]/);
    const gru = new nn.GRU({ inputSize: 2, hiddenSize: 3, numLayers: 2 });
    expect(() => gru.forward(randn([4, 5, 3]))).toThrow('GRU: Expected an input [N, T, 2] but received [4, 5, 3]');
    expect(() => gru.forward(randn([4, 0, 2]))).toThrow(/at least one time step/);
    expect(() => gru.forward(randn([4, 5, 2]), randn([1, 4, 3]))).toThrow('GRU: Expected h0 of shape [2, 4, 3] but received [1, 4, 3]');
    const lstm = new nn.LSTM({ inputSize: 2, hiddenSize: 3 });
    expect(() => lstm.forward(randn([1, 2, 2]), randn([1, 1, 3]) as never)).toThrow('LSTM: Expected the state as { h, c }');
    const cell = new nn.LSTMCell({ inputSize: 2, hiddenSize: 3 });
    expect(() => cell.forward(randn([2, 2]), { h: randn([2, 3]), c: randn([3, 3]) })).toThrow('LSTMCell: Expected c of shape [2, 3] but received [3, 3]');
    expect(() => new nn.Embedding(3, 2, { paddingIdx: 3 })).toThrow(/paddingIdx to be an integer in \[-3, 3\)/);
    expect(new nn.Embedding(3, 2, { paddingIdx: -1 }).paddingIdx).toBe(2);
    expect(() => nn.functional.embedding([0], new Tensor(new Float32Array(3), [3]))).toThrow(/2-D weight/);
  });
});

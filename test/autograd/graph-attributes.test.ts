// The tape read as data: graphOf walks real models (Linear + BatchNorm + Dropout + loss, an
// LSTM language model, hierarchical softmax) and every op, and each node must carry its stable
// op name and its attributes as plain, frozen data — what toDot prints and an exporter reads,
// without running any closure.
import { describe, expect, it } from 'vitest';
import {
  Tensor, abs, add, argmax, concat, div, elu, exp, gather, gelu, graphOf, gruSequence, leakyRelu, log,
  logSigmoid, logSoftmax, lstmSequence, manualSeed, matmul, max, mean, mul, neg, nn, pow, prelu, randn, relu,
  reshape, rnnSequence, rrelu, sigmoid, sliceRows, softmax, softplus, sqrt, stack, sub, sum, swapLeadingDims,
  tanh, toDot, transpose,
} from '../../lib';
import type { Graph, OpAttributes } from '../../lib';

type Entry = [op: string, attributes: OpAttributes];
const F = nn.functional;
const entries = (graph: Graph): Entry[] => graph.nodes.map(({ node }) => [node.op, node.attributes]);

/** Plain data only: frozen, and the same after a JSON round trip (no typed arrays, functions, tensors). */
function expectPlain(graph: Graph): void {
  for (const { node } of graph.nodes) {
    expect(typeof node.op).toBe('string');
    expect(node.op.length).toBeGreaterThan(0);
    expect(Object.isFrozen(node.attributes), node.op).toBe(true);
    expect(JSON.parse(JSON.stringify(node.attributes)), node.op).toEqual(node.attributes);
    for (const value of Object.values(node.attributes)) {
      expect(value === null || ['number', 'string', 'boolean'].includes(typeof value) || (Array.isArray(value) && value.every((v) => typeof v === 'number'))).toBe(true);
    }
  }
}

/** The very tensors, in order (not equal copies). */
function expectSame(got: readonly Tensor[], want: readonly (Tensor | null)[]): void {
  expect(got.length).toBe(want.length);
  got.forEach((t, i) => expect(t === want[i], `tensor ${i}`).toBe(true));
}

const LINEAR = (activation: string, slope = 0.01) => ['linear', { activation, slope }] as Entry;

describe('the graph of a real model, node by node', () => {
  it('Linear(relu) + BatchNorm1d + Dropout + Linear + crossEntropy, in training and in evaluation', () => {
    manualSeed(0);
    const first = new nn.Linear(4, 8, { activation: 'relu' });
    const norm = new nn.BatchNorm1d(8, { eps: 1e-3, momentum: 0.2 });
    const last = new nn.Linear(8, 3);
    const model = new nn.Sequential(first, norm, new nn.Dropout(0.25), last);
    const x = randn([5, 4]);
    const loss = F.crossEntropy(model.call(x), [0, 1, 2, 0, 1], { labelSmoothing: 0.1, weight: Float32Array.of(1, 2, 0.5) });
    const graph = graphOf(loss);
    expect(entries(graph)).toEqual([
      LINEAR('relu'),
      ['batchNorm', { eps: 1e-3, momentum: 0.2, training: true, batchStatistics: true, trackRunningStats: true }],
      ['dropout', { p: 0.25 }],
      LINEAR('none'),
      ['crossEntropy', { reduction: 'mean', labelSmoothing: 0.1, weight: [1, 2, 0.5] }],
    ]);
    expectPlain(graph);
    // Each node's inputs: the tensor below it, then the layer's parameters.
    const [lin1, bn, drop, lin2, ce] = graph.nodes.map((n) => n.node);
    expectSame(lin1!.inputs, [x, first.weight, first.bias]);
    expectSame(bn!.inputs.slice(1), [norm.weight, norm.bias]);
    expect(drop!.inputs).toHaveLength(1);
    expectSame(lin2!.inputs.slice(1), [last.weight!, last.bias!]);
    expect(ce!.inputs).toHaveLength(1);
    expectSame(graph.leaves, [x, first.weight, first.bias, norm.weight, norm.bias, last.weight, last.bias]);
    const dot = toDot(loss);
    expect(dot).toContain('[label="batchNorm\\n[5, 8]\\neps=0.001, momentum=0.2, training=true, batchStatistics=true, trackRunningStats=true", shape=box]');
    expect(dot).toContain('[label="linear\\n[5, 8]\\nactivation=\\"relu\\", slope=0.01", shape=box]');
    expect(dot).toContain('[label="crossEntropy\\n[]\\nreduction=\\"mean\\", labelSmoothing=0.1, weight=[1, 2, 0.5]", shape=box]');

    model.eval();
    const evaluated = graphOf(F.crossEntropy(model.call(x), [0, 1, 2, 0, 1], { reduction: 'sum' }));
    expect(entries(evaluated)).toEqual([
      LINEAR('relu'),
      ['batchNorm', { eps: 1e-3, momentum: 0.2, training: false, batchStatistics: false, trackRunningStats: false }],
      LINEAR('none'),
      ['logSoftmax', { dim: 1 }],
      ['nllLoss', { reduction: 'sum', labelSmoothing: 0, weight: null }],
    ]);
    expectPlain(evaluated);
  });

  it('an LSTM language model: Embedding → 2-layer LSTM with dropout → Linear → crossEntropy', () => {
    manualSeed(1);
    const lm = new nn.CharLM({ vocabSize: 7, embeddingDim: 3, hiddenSize: 4, numLayers: 2, dropout: 0.3, cell: 'lstm' });
    const ids = new Tensor(Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3]);
    const { logits } = lm.forward(ids);
    const loss = F.crossEntropy(logits.reshape(6, 7), [2, 3, 4, 5, 6, 0]);
    const graph = graphOf(loss);
    const layer = (i: number): Entry[] => [
      ['add', {}], // b_ih + b_hh, folded into the input projection's GEMM
      LINEAR('none'),
      ['reshape', { shape: [3, 2, 16] }],
      ['lstmSequence', { hiddenSize: 4 }],
      ['sliceRows', { start: 0, length: 3 }],
      ...(i === 0 ? [['dropout', { p: 0.3 }] as Entry, ['reshape', { shape: [6, 4] }] as Entry] : []),
    ];
    expect(entries(graph)).toEqual([
      ['embedding', { paddingIdx: null, sparse: false }],
      ['swapLeadingDims', {}],
      ['reshape', { shape: [6, 3] }],
      ...layer(0),
      ...layer(1),
      ['swapLeadingDims', {}],
      ['reshape', { shape: [6, 4] }],
      LINEAR('none'),
      ['reshape', { shape: [2, 3, 7] }],
      ['reshape', { shape: [6, 7] }],
      ['crossEntropy', { reduction: 'mean', labelSmoothing: 0, weight: null }],
    ]);
    expectPlain(graph);
    const lstm = graph.nodes.filter((n) => n.node.op === 'lstmSequence').map((n) => n.node);
    expect(lstm[0]!.inputs[1]).toBe((lm.rnn as unknown as Record<string, Tensor>).weight_hh_l0);
    expect(lstm[1]!.inputs[1]).toBe((lm.rnn as unknown as Record<string, Tensor>).weight_hh_l1);
  });

  it('hierarchical softmax over a Linear with a fused leaky ReLU', () => {
    manualSeed(2);
    const hidden = new nn.Linear(6, 4, { activation: 'leakyRelu', slope: 0.2 });
    const head = new nn.HierarchicalSoftmax(4, 10, { reduction: 'sum' });
    const loss = head.forward(hidden.call(randn([3, 6])), [1, 5, 9]);
    const graph = graphOf(loss);
    expect(entries(graph)).toEqual([
      LINEAR('leakyRelu', 0.2),
      ['hierarchicalSoftmaxLoss', { reduction: 'sum', numClasses: 10, depth: head.tree.depth }],
    ]);
    expectSame(graph.nodes[1]!.node.inputs.slice(1), [head.weight, head.bias!]);
    expectPlain(graph);
  });
});

describe('every op records its name and attributes', () => {
  manualSeed(3);
  const x = randn([2, 3], { requiresGrad: true });
  const y = randn([2, 3], { requiresGrad: true });
  const row = randn([3], { requiresGrad: true });
  const seq = randn([4, 2, 3], { requiresGrad: true });
  const positive = () => exp(x);
  const cases: [string, () => Tensor, Entry][] = [
    ['add', () => add(x, row), ['add', {}]],
    ['add a number', () => add(2, x), ['add', { scalar: 2 }]],
    ['sub a number', () => sub(x, 1.5), ['sub', { scalar: 1.5, scalarFirst: false }]],
    ['sub from a number', () => sub(1.5, x), ['sub', { scalar: 1.5, scalarFirst: true }]],
    ['mul', () => mul(x, y), ['mul', {}]],
    ['mul by a number', () => mul(x, -3), ['mul', { scalar: -3 }]],
    ['div by a number', () => div(x, 4), ['div', { scalar: 4, scalarFirst: false }]],
    ['div of a number', () => div(4, x), ['div', { scalar: 4, scalarFirst: true }]],
    ['div', () => div(x, y), ['div', {}]],
    ['neg', () => neg(x), ['neg', {}]],
    ['pow', () => pow(x, 3), ['pow', { exponent: 3 }]],
    ['exp', () => exp(x), ['exp', {}]],
    ['sqrt', () => sqrt(x), ['sqrt', {}]],
    ['abs', () => abs(x), ['abs', {}]],
    ['matmul', () => matmul(x, transpose(y)), ['matmul', {}]],
    ['transpose', () => transpose(x), ['transpose', {}]],
    ['sum of all', () => sum(x), ['sum', { dims: [0, 1], keepDim: false }]],
    ['sum over the last dim, kept', () => sum(seq, -1, true), ['sum', { dims: [2], keepDim: true }]],
    ['mean over dim 0', () => mean(x, 0), ['mean', { dims: [0], keepDim: false }]],
    ['mean of all, kept', () => mean(x, undefined, true), ['mean', { dims: [0, 1], keepDim: true }]],
    ['max over dim 1', () => max(x, 1), ['max', { dims: [1], keepDim: false }]],
    ['relu', () => relu(x), ['relu', {}]],
    ['sigmoid', () => sigmoid(x), ['sigmoid', {}]],
    ['logSigmoid', () => logSigmoid(x), ['logSigmoid', {}]],
    ['tanh', () => tanh(x), ['tanh', {}]],
    ['leakyRelu', () => leakyRelu(x, 0.2), ['leakyRelu', { slope: 0.2 }]],
    ['prelu', () => prelu(x, row), ['prelu', {}]],
    ['rrelu in training', () => rrelu(x, 0.1, 0.3, true), ['rrelu', { lower: 0.1, upper: 0.3 }]],
    ['rrelu in evaluation', () => rrelu(x, 0.1, 0.3), ['leakyRelu', { slope: 0.2 }]],
    ['elu', () => elu(x, 1.5), ['elu', { alpha: 1.5 }]],
    ['softplus', () => softplus(x, 2, 10), ['softplus', { beta: 2, threshold: 10 }]],
    ['gelu', () => gelu(x), ['gelu', { approximate: 'none' }]],
    ['gelu tanh', () => gelu(x, 'tanh'), ['gelu', { approximate: 'tanh' }]],
    ['softmax along dim -1', () => softmax(seq), ['softmax', { dim: 2 }]],
    ['logSoftmax along dim 0', () => logSoftmax(x, 0), ['logSoftmax', { dim: 0 }]],
    ['reshape with -1', () => reshape(x, [-1, 2]), ['reshape', { shape: [3, 2] }]],
    ['gather', () => gather(x, [1, 1, 0]), ['gather', {}]],
    ['concat', () => concat([x, y], 1), ['concat', { dim: 1 }]],
    ['stack', () => stack([x, y], -1), ['concat', { dim: 2 }]],
    ['linear', () => F.linear(x, y, randn([2]), 'relu'), LINEAR('relu')],
    ['linear with a negative slope', () => F.linear(x, y, null, 'leakyRelu', -0.5), ['leakyRelu', { slope: -0.5 }]],
    ['batchNorm without running statistics', () => F.batchNorm(x, { training: false }), ['batchNorm', { eps: 1e-5, momentum: 0.1, training: false, batchStatistics: true, trackRunningStats: false }]],
    ['dropout', () => F.dropout(x, 0.1), ['dropout', { p: 0.1 }]],
    ['embedding with a negative paddingIdx', () => F.embedding([0, 1, 1], x, -1, true), ['embedding', { paddingIdx: 1, sparse: true }]],
    ['nllLoss with class weights', () => F.nllLoss(logSoftmax(x, 1), [0, 2], { weight: Float32Array.of(1, 0.5, 2), reduction: 'none' }), ['nllLoss', { reduction: 'none', labelSmoothing: 0, weight: [1, 0.5, 2] }]],
    ['multiMarginLoss', () => F.multiMarginLoss(x, [0, 2], { margin: 0.5, reduction: 'sum' }), ['multiMarginLoss', { reduction: 'sum', margin: 0.5 }]],
    ['mseLoss', () => F.mseLoss(x, y), ['mseLoss', { reduction: 'mean' }]],
    ['l1Loss (sum)', () => F.l1Loss(x, y, { reduction: 'sum' }), ['l1Loss', { reduction: 'sum' }]],
    ['mseLoss (none), composed', () => F.mseLoss(x, y, { reduction: 'none' }), ['pow', { exponent: 2 }]],
    ['bce with logits', () => F.binaryCrossEntropyWithLogits(x, sigmoid(y.detach()), { reduction: 'sum', posWeight: Float32Array.of(2, 1, 0.5) }), ['binaryCrossEntropyWithLogits', { reduction: 'sum', posWeight: [2, 1, 0.5] }]],
    ['rnnSequence', () => rnnSequence(seq, randn([3, 3], { requiresGrad: true }), randn([2, 3]), 'relu'), ['rnnSequence', { hiddenSize: 3, nonlinearity: 'relu' }]],
    ['gruSequence', () => gruSequence(randn([4, 2, 9], { requiresGrad: true }), randn([9, 3]), null, randn([2, 3])), ['gruSequence', { hiddenSize: 3 }]],
    ['lstmSequence', () => lstmSequence(randn([4, 2, 12], { requiresGrad: true }), randn([12, 3]), randn([2, 3]), randn([2, 3])), ['lstmSequence', { hiddenSize: 3 }]],
    ['swapLeadingDims', () => swapLeadingDims(seq), ['swapLeadingDims', {}]],
    ['sliceRows', () => sliceRows(seq, 1, 2), ['sliceRows', { start: 1, length: 2 }]],
    ['penalty, composed', () => F.l2Penalty([x, row]), ['mul', { scalar: 0.5 }]],
    ['log', () => log(positive()), ['log', {}]],
  ];
  it.each(cases)('%s', (_, make, expected) => {
    const out = make();
    const graph = graphOf(out);
    expect(entries(graph).at(-1)).toEqual(expected);
    expectPlain(graph);
  });

  it('argmax records nothing: it has no gradient', () => {
    expect(argmax(x, 1)).toBeInstanceOf(Int32Array);
  });
});

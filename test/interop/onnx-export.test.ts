// onnx.exportModel against ONNX Runtime: every layer type and each model the CLI trains, exported
// once, run by onnxruntime-node at three batch sizes on random inputs; outputs equal tensorgrad's
// evaluation outputs within 1e-5 of the largest magnitude. Every file also passes
// onnx.checker.check_model(full_check=True).
import { beforeAll, describe, expect, it } from 'vitest';
import { manualSeed, nn, noGrad, onnx, rand, randn, Tensor } from '../../lib';
import { convModelFrom } from '../../lib/train/conv-spec';
import { buildModel, type ActivationName } from '../../lib/train/model-spec';
import { describeWithPeers } from '../peers';
import { checkModels, expectWithinLargest, type Feed, runOrt } from './onnx-helpers';

const BATCHES = [1, 3, 17];

/* eslint-disable @typescript-eslint/no-explicit-any */
interface Case {
  name: string;
  make: () => nn.Module<any>;
  /** One sample's shape (exportModel's inputShape) and the concrete one used for a batch. */
  inputShape: (number | string | null)[];
  sample: number[];
  opset?: number;
  /** Batch sizes other than BATCHES (batch statistics need two rows). */
  batches?: number[];
  /** Integer ids below this instead of floats. */
  ids?: number;
  /** tensorgrad's outputs by ONNX output name. */
  run?: (model: nn.Module<any>, x: Tensor) => Record<string, Tensor>;
}

const single = (model: nn.Module<any>, x: Tensor) => ({ output: model.call(x) as Tensor });
const recurrent = (model: nn.Module<any>, x: Tensor) => {
  const out = model.call(x) as unknown as nn.RecurrentOutput;
  return { output: out.output, h: out.h, ...(out.c ? { c: out.c } : {}) };
};
const charLm = (model: nn.Module<any>, x: Tensor) => {
  const out = (model as nn.CharLM).forward(x);
  return { logits: out.logits, h: out.state.h, ...(out.state.c ? { c: out.state.c } : {}) };
};

/** Running statistics away from 0 and 1, so a mix-up of mean and variance shows. */
function withStatistics<B extends nn.BatchNorm1d | nn.BatchNorm2d>(bn: B): B {
  bn.runningMean!.data.set(randn([bn.numFeatures]).data);
  bn.runningVar!.data.set(rand([bn.numFeatures], { low: 0.5, high: 2 }).data);
  bn.weight!.data.set(randn([bn.numFeatures]).data);
  bn.bias!.data.set(randn([bn.numFeatures]).data);
  return bn;
}

const LAYERS: Case[] = [
  { name: 'Linear (Gemm)', make: () => new nn.Linear(6, 4), inputShape: [6], sample: [6] },
  { name: 'Linear without bias', make: () => new nn.Linear(6, 4, { bias: false }), inputShape: [6], sample: [6] },
  { name: 'Linear with fused ReLU', make: () => new nn.Linear(6, 4, { activation: 'relu' }), inputShape: [6], sample: [6] },
  { name: 'Linear with fused Leaky ReLU', make: () => new nn.Linear(6, 4, { activation: 'leakyRelu', slope: 0.2 }), inputShape: [6], sample: [6] },
  { name: 'Linear on [N, T, F] (MatMul + Add)', make: () => new nn.Linear(6, 4), inputShape: [5, 6], sample: [5, 6] },
  { name: 'ReLU', make: () => new nn.ReLU(), inputShape: [7], sample: [7] },
  { name: 'Sigmoid', make: () => new nn.Sigmoid(), inputShape: [7], sample: [7] },
  { name: 'Tanh', make: () => new nn.Tanh(), inputShape: [7], sample: [7] },
  { name: 'LeakyReLU(0.2)', make: () => new nn.LeakyReLU(0.2), inputShape: [7], sample: [7] },
  { name: 'PReLU per channel', make: () => { const m = new nn.PReLU(4); m.weight.data.set([0.1, -0.3, 0.5, 2]); return m; }, inputShape: [4], sample: [4] },
  { name: 'PReLU per channel on [N, C, L]', make: () => { const m = new nn.PReLU(3); m.weight.data.set([0.1, -0.3, 0.5]); return m; }, inputShape: [3, 5], sample: [3, 5] },
  { name: 'PReLU shared', make: () => new nn.PReLU(), inputShape: [2, 3], sample: [2, 3] },
  { name: 'RReLU at evaluation (mean slope)', make: () => new nn.RReLU(0.1, 0.3), inputShape: [7], sample: [7] },
  { name: 'NoisyReLU at evaluation (ReLU)', make: () => new nn.NoisyReLU(0.5), inputShape: [7], sample: [7] },
  { name: 'ELU(0.7)', make: () => new nn.ELU(0.7), inputShape: [7], sample: [7] },
  { name: 'Softplus', make: () => new nn.Softplus(), inputShape: [7], sample: [7] },
  { name: 'Softplus(beta 2, threshold 1.5)', make: () => new nn.Softplus(2, 1.5), inputShape: [7], sample: [7] },
  { name: 'GELU (erf decomposition, opset 17)', make: () => new nn.GELU(), inputShape: [7], sample: [7] },
  { name: 'GELU tanh (decomposition, opset 17)', make: () => new nn.GELU('tanh'), inputShape: [7], sample: [7] },
  { name: 'GELU (Gelu op, opset 20)', make: () => new nn.GELU(), inputShape: [7], sample: [7], opset: 20 },
  { name: 'GELU tanh (Gelu op, opset 20)', make: () => new nn.GELU('tanh'), inputShape: [7], sample: [7], opset: 20 },
  { name: 'LogSigmoid', make: () => new nn.LogSigmoid(), inputShape: [7], sample: [7] },
  { name: 'BatchNorm1d (running statistics)', make: () => withStatistics(new nn.BatchNorm1d(5)), inputShape: [5], sample: [5] },
  { name: 'BatchNorm1d on [N, C, L]', make: () => withStatistics(new nn.BatchNorm1d(3, { eps: 1e-3 })), inputShape: [3, 4], sample: [3, 4] },
  { name: 'BatchNorm1d without running statistics', make: () => new nn.BatchNorm1d(5, { trackRunningStats: false, affine: false }), inputShape: [5], sample: [5], batches: [2, 3, 17] },
  { name: 'BatchNorm1d without running statistics, opset 18', make: () => new nn.BatchNorm1d(3, { trackRunningStats: false }), inputShape: [3, 2], sample: [3, 2], batches: [2, 3, 17], opset: 18 },
  { name: 'Dropout (removed) inside Sequential', make: () => new nn.Sequential(new nn.Linear(5, 3), new nn.Dropout(0.5)), inputShape: [5], sample: [5] },
  { name: 'Dropout alone (Identity)', make: () => new nn.Dropout(0.3), inputShape: [5], sample: [5] },
  { name: 'Flatten then Linear', make: () => new nn.Sequential(new nn.Flatten(), new nn.Linear(12, 3)), inputShape: [3, 4], sample: [3, 4] },
  { name: 'Flatten(1, 2) of [N, 2, 3, 4] (Reshape)', make: () => new nn.Flatten(1, 2), inputShape: [2, 3, 4], sample: [2, 3, 4] },
  { name: 'Flatten(2, 3) of [N, 2, 3, 4] (Reshape)', make: () => new nn.Flatten(2, 3), inputShape: [2, 3, 4], sample: [2, 3, 4] },
  { name: 'Identity', make: () => new nn.Identity(), inputShape: [3], sample: [3] },
  { name: 'Embedding (Gather)', make: () => new nn.Embedding(11, 4), inputShape: [null], sample: [6], ids: 11 },
  { name: 'RNN tanh, 2 layers', make: () => new nn.RNN({ inputSize: 4, hiddenSize: 5, numLayers: 2 }), inputShape: ['time', 4], sample: [6, 4], run: recurrent },
  { name: 'RNN relu, time-major', make: () => new nn.RNN({ inputSize: 4, hiddenSize: 5, nonlinearity: 'relu', batchFirst: false }), inputShape: [3, 4], sample: [3, 4], run: recurrent },
  { name: 'LSTM, 2 layers', make: () => new nn.LSTM({ inputSize: 4, hiddenSize: 5, numLayers: 2 }), inputShape: ['time', 4], sample: [6, 4], run: recurrent },
  { name: 'LSTM without bias', make: () => new nn.LSTM({ inputSize: 4, hiddenSize: 3, bias: false }), inputShape: [5, 4], sample: [5, 4], run: recurrent },
  { name: 'GRU, 2 layers', make: () => new nn.GRU({ inputSize: 4, hiddenSize: 5, numLayers: 2 }), inputShape: ['time', 4], sample: [6, 4], run: recurrent },
  { name: 'GRU time-major', make: () => new nn.GRU({ inputSize: 3, hiddenSize: 4, batchFirst: false }), inputShape: [5, 3], sample: [5, 3], run: recurrent },
  {
    name: 'HierarchicalSoftmax logProbs (balanced tree)',
    make: () => { const m = new nn.HierarchicalSoftmax(6, 13); m.bias!.data.set(randn([12]).data); return m; },
    inputShape: [6], sample: [6], run: (m, x) => ({ output: (m as nn.HierarchicalSoftmax).logProbs(x) }),
  },
  {
    name: 'HierarchicalSoftmax logProbs (unbalanced tree, no bias)',
    make: () => new nn.HierarchicalSoftmax(5, 4, { tree: [0, [1, [2, 3]]], bias: false }),
    inputShape: [5], sample: [5], run: (m, x) => ({ output: (m as nn.HierarchicalSoftmax).logProbs(x) }),
  },
];

const conv = (inC: number, outC: number, k: number | [number, number], options: nn.Conv2dOptions = {}) => new nn.Conv2d(inC, outC, k, options);

const CONV_LAYERS: Case[] = [
  { name: 'Conv2d 3x3, padding 1', make: () => conv(3, 4, 3, { padding: 1 }), inputShape: [3, 7, 6], sample: [3, 7, 6] },
  { name: 'Conv2d without bias, stride 2, rectangular kernel', make: () => conv(2, 3, [3, 2], { stride: [2, 1], bias: false }), inputShape: [2, 9, 8], sample: [2, 9, 8] },
  { name: 'Conv2d dilation 2, padding [2, 1]', make: () => conv(2, 3, 3, { dilation: [2, 1], padding: [2, 1] }), inputShape: [2, 8, 7], sample: [2, 8, 7] },
  { name: 'Conv2d groups 2', make: () => conv(4, 6, 3, { groups: 2, padding: 1 }), inputShape: [4, 5, 5], sample: [4, 5, 5] },
  { name: 'Conv2d depthwise (groups = channels), stride 2', make: () => conv(3, 3, 3, { groups: 3, stride: 2 }), inputShape: [3, 9, 9], sample: [3, 9, 9] },
  { name: "Conv2d padding 'same', even kernel (asymmetric pads)", make: () => conv(2, 3, 4, { padding: 'same' }), inputShape: [2, 6, 7], sample: [2, 6, 7] },
  { name: "Conv2d padding 'same', even kernel, dilation 3", make: () => conv(2, 2, 2, { padding: 'same', dilation: 3 }), inputShape: [2, 7, 7], sample: [2, 7, 7] },
  { name: "Conv2d padding 'valid'", make: () => conv(1, 2, 5, { padding: 'valid' }), inputShape: [1, 8, 9], sample: [1, 8, 9] },
  { name: 'Conv2d with fused ReLU', make: () => conv(2, 4, 3, { activation: 'relu', padding: 1 }), inputShape: [2, 5, 5], sample: [2, 5, 5] },
  { name: 'MaxPool2d 2', make: () => new nn.MaxPool2d(2), inputShape: [3, 8, 7], sample: [3, 8, 7] },
  { name: 'MaxPool2d 3, stride 2, padding 1, dilation 2', make: () => new nn.MaxPool2d(3, { stride: 2, padding: 1, dilation: 2 }), inputShape: [2, 9, 10], sample: [2, 9, 10] },
  { name: 'MaxPool2d ceil mode', make: () => new nn.MaxPool2d(3, { stride: 2, ceilMode: true }), inputShape: [2, 8, 9], sample: [2, 8, 9] },
  { name: 'MaxPool2d ceil mode, padding 1', make: () => new nn.MaxPool2d(2, { stride: 2, padding: 1, ceilMode: true }), inputShape: [1, 7, 6], sample: [1, 7, 6] },
  { name: 'MaxPool2d ceil mode adding a window in one dimension only', make: () => new nn.MaxPool2d(3, { stride: 3, padding: 1, ceilMode: true }), inputShape: [2, 8, 9], sample: [2, 8, 9] },
  { name: 'MaxPool2d ceil mode on a symbolic size', make: () => new nn.MaxPool2d(3, { stride: 2, ceilMode: true }), inputShape: [2, 'height', 9], sample: [2, 8, 9] },
  { name: 'AvgPool2d 2', make: () => new nn.AvgPool2d(2), inputShape: [3, 8, 6], sample: [3, 8, 6] },
  { name: 'AvgPool2d padding 1, counting the padding', make: () => new nn.AvgPool2d(3, { stride: 2, padding: 1 }), inputShape: [2, 7, 8], sample: [2, 7, 8] },
  { name: 'AvgPool2d padding 1, not counting the padding', make: () => new nn.AvgPool2d(3, { stride: 2, padding: 1, countIncludePad: false }), inputShape: [2, 7, 8], sample: [2, 7, 8] },
  { name: 'AvgPool2d ceil mode, counting the padding', make: () => new nn.AvgPool2d(2, { stride: 2, padding: 1, ceilMode: true }), inputShape: [1, 7, 6], sample: [1, 7, 6] },
  { name: 'AvgPool2d ceil mode, not counting the padding', make: () => new nn.AvgPool2d(3, { stride: 2, ceilMode: true, countIncludePad: false }), inputShape: [2, 8, 9], sample: [2, 8, 9] },
  { name: 'AvgPool2d ceil mode in one dimension only, not counting the padding', make: () => new nn.AvgPool2d(3, { stride: 3, padding: 1, ceilMode: true, countIncludePad: false }), inputShape: [2, 9, 8], sample: [2, 9, 8] },
  { name: 'AvgPool2d divisor override (depthwise Conv)', make: () => new nn.AvgPool2d(3, { stride: 2, padding: 1, divisorOverride: 4 }), inputShape: [3, 7, 8], sample: [3, 7, 8] },
  { name: 'AvgPool2d divisor override, ceil mode', make: () => new nn.AvgPool2d(2, { stride: 2, ceilMode: true, divisorOverride: 3 }), inputShape: [2, 7, 5], sample: [2, 7, 5] },
  { name: 'AdaptiveAvgPool2d 1 (GlobalAveragePool)', make: () => new nn.AdaptiveAvgPool2d(1), inputShape: [4, 5, 7], sample: [4, 5, 7] },
  { name: 'AdaptiveAvgPool2d 1 on a symbolic size', make: () => new nn.AdaptiveAvgPool2d([1, 1]), inputShape: [3, 'height', 'width'], sample: [3, 6, 5] },
  { name: 'AdaptiveAvgPool2d [2, 3] dividing 8x9 (AveragePool)', make: () => new nn.AdaptiveAvgPool2d([2, 3]), inputShape: [2, 8, 9], sample: [2, 8, 9] },
  { name: 'AdaptiveAvgPool2d [null, 1]', make: () => new nn.AdaptiveAvgPool2d([null, 1]), inputShape: [2, 4, 6], sample: [2, 4, 6] },
  { name: 'BatchNorm2d (running statistics)', make: () => withStatistics(new nn.BatchNorm2d(3, { eps: 1e-3 })), inputShape: [3, 4, 5], sample: [3, 4, 5] },
  { name: 'BatchNorm2d without running statistics', make: () => new nn.BatchNorm2d(3, { trackRunningStats: false }), inputShape: [3, 4, 5], sample: [3, 4, 5] },
  { name: 'BatchNorm2d without running statistics, opset 18', make: () => new nn.BatchNorm2d(2, { trackRunningStats: false, affine: false }), inputShape: [2, 3, 3], sample: [2, 3, 3], opset: 18 },
  { name: 'Dropout2d (removed) between convolutions', make: () => new nn.Sequential(conv(2, 3, 3), new nn.Dropout2d(0.5), conv(3, 2, 1)), inputShape: [2, 6, 6], sample: [2, 6, 6] },
  { name: 'ZeroPad2d then Conv2d (Pad, constant)', make: () => new nn.Sequential(new nn.ZeroPad2d([1, 0, 2, 1]), conv(2, 3, 3)), inputShape: [2, 5, 6], sample: [2, 5, 6] },
  { name: 'ConstantPad2d 0.75', make: () => new nn.ConstantPad2d(2, 0.75), inputShape: [3, 4, 4], sample: [3, 4, 4] },
  { name: 'ReflectionPad2d then Conv2d (Pad, reflect)', make: () => new nn.Sequential(new nn.ReflectionPad2d([2, 1, 1, 3]), conv(2, 3, 3)), inputShape: [2, 5, 6], sample: [2, 5, 6] },
  { name: 'ReplicationPad2d on a symbolic size (Pad, edge)', make: () => new nn.ReplicationPad2d([3, 0, 1, 2]), inputShape: [2, 'height', 'width'], sample: [2, 4, 5] },
  { name: 'Unflatten then Conv2d', make: () => new nn.Sequential(new nn.Unflatten(1, [2, 4, 5]), conv(2, 3, 3)), inputShape: [40], sample: [40] },
  { name: 'Conv2d, opset 21', make: () => new nn.Sequential(conv(2, 3, 3, { groups: 1, padding: 'same' }), new nn.MaxPool2d(2), new nn.AdaptiveAvgPool2d(1)), inputShape: [2, 6, 6], sample: [2, 6, 6], opset: 21 },
];

/** The convolutional models of `tensorgrad train --model <spec>`: flat rows in, unflattened first. */
const CONV_SPECS: [string, [number, number, number]][] = [
  ['c32k3-bn-relu-p2-c64k3-bn-relu-p2-f-128-10', [1, 28, 28]],
  ['c8k3s2-tanh-a2-drop0.3-f-32-16-10', [1, 12, 12]],
  ['c8k3d2-bn-gelu-c8k3g2-relu-c8k3dw-elu-gap-f-10', [3, 9, 9]],
  ['c6k5valid-sigmoid-p2s1-c4k2same-lrelu-a3s2-f-10', [1, 16, 16]],
];

function withAllStatistics(m: nn.Sequential): nn.Sequential {
  for (const [, child] of m.namedModules()) if (child instanceof nn.BatchNorm1d || child instanceof nn.BatchNorm2d) withStatistics(child);
  return m;
}

const ACTIVATIONS: ActivationName[] = ['relu', 'leakyRelu', 'tanh', 'sigmoid', 'elu', 'gelu'];

/** The models `tensorgrad train` and `train-lm` build. */
const CLI_MODELS: Case[] = [
  ...ACTIVATIONS.map((activation): Case => ({
    name: `CLI MLP 64-32-16-10 ${activation}`,
    make: () => buildModel({ sizes: [64, 32, 16, 10], activation, batchNorm: false, dropout: 0.2 }),
    inputShape: [64], sample: [64],
  })),
  {
    name: 'CLI MLP 784-256-128-10 relu, batch norm, dropout',
    make: () => {
      const m = buildModel({ sizes: [784, 256, 128, 10], activation: 'relu', batchNorm: true, dropout: 0.2 });
      for (const [, child] of m.namedModules()) if (child instanceof nn.BatchNorm1d) withStatistics(child);
      return m;
    },
    inputShape: [784], sample: [784],
  },
  ...CONV_SPECS.map(([spec, image]): Case => ({
    name: `CLI CNN ${spec} on ${image.join('x')}`,
    make: () => withAllStatistics(convModelFrom(spec, image, 10, { flatInput: true }).model),
    inputShape: [image[0] * image[1] * image[2]], sample: [image[0] * image[1] * image[2]],
  })),
  ...(['lstm', 'gru', 'rnn'] as const).map((cell): Case => ({
    name: `CLI char LM (${cell}, 2 layers)`,
    make: () => new nn.CharLM({ vocabSize: 17, embeddingDim: 8, hiddenSize: 12, numLayers: 2, cell }),
    inputShape: ['time'], sample: [7], ids: 17, run: charLm,
  })),
];

function inputs(c: Case, batch: number): { x: Tensor; feed: Feed } {
  const dims = [batch, ...c.sample];
  if (c.ids !== undefined) {
    const ids = rand(dims, { low: 0, high: c.ids }).data.map(Math.floor);
    return { x: new Tensor(Float32Array.from(ids), dims), feed: { data: BigInt64Array.from(ids, (v) => BigInt(v)), dims } };
  }
  // Wide enough to reach Softplus's threshold and both sides of every activation.
  const x = randn(dims, { std: 3 });
  return { x, feed: { data: x.data as Float32Array, dims } };
}

const exported: Record<string, Uint8Array> = {};

describeWithPeers('onnxruntime', 'onnx.exportModel: ONNX Runtime gives our outputs', () => {
  for (const c of [...LAYERS, ...CONV_LAYERS, ...CLI_MODELS]) {
    it(c.name, async () => {
      manualSeed(7);
      const model = c.make();
      model.eval();
      const bytes = onnx.exportModel(model, { inputShape: c.inputShape, ...(c.opset ? { opset: c.opset } : {}) });
      exported[c.name] = bytes;
      for (const batch of c.batches ?? BATCHES) {
        const { x, feed } = inputs(c, batch);
        const ours = noGrad(() => (c.run ?? single)(model, x));
        const theirs = await runOrt(bytes, { input: feed });
        expect(Object.keys(theirs).sort()).toEqual(Object.keys(ours).sort());
        for (const [name, t] of Object.entries(ours)) {
          expectWithinLargest(`${c.name}, batch ${batch}, ${name}`, t.data, t.shape, theirs[name]!.data, theirs[name]!.dims);
        }
      }
    });
  }
});

describeWithPeers(['onnxruntime', 'onnx'], 'every exported file passes onnx.checker.check_model(full_check=True)', () => {
  let refused: Record<string, string> = {};
  beforeAll(() => {
    // The files of the suite above, or made here when it was filtered out.
    for (const c of [...LAYERS, ...CONV_LAYERS, ...CLI_MODELS]) {
      if (exported[c.name]) continue;
      manualSeed(7);
      exported[c.name] = onnx.exportModel(c.make(), { inputShape: c.inputShape, ...(c.opset ? { opset: c.opset } : {}) });
    }
    // onnx 1.12 (Debian's) knows opsets up to 17: the opset-18 and -20 files are checked by Runtime only.
    const checkable = Object.fromEntries(Object.entries(exported).filter(([name]) => !/opset (18|20|21)/.test(name)));
    refused = checkModels(checkable);
  }, 120_000);
  it('no file refused', () => {
    expect(refused).toEqual({});
    expect(Object.keys(exported).length).toBe(LAYERS.length + CONV_LAYERS.length + CLI_MODELS.length);
  });
});

describe('onnx.exportModel: what it refuses', () => {
  it('a module without an exporter, naming it and where it is', () => {
    class Custom extends nn.Module { forward(x: Tensor) { return x; } }
    expect(() => onnx.exportModel(new nn.Sequential(new nn.ReLU(), new Custom()), { inputShape: [3] }))
      .toThrow(/no ONNX exporter for Custom at 1/);
  });
  it('opsets before 17 and after 21, and bad input shapes', () => {
    expect(() => onnx.exportModel(new nn.ReLU(), { inputShape: [3], opset: 13 })).toThrow(/opset from 17 to 21 but received 13/);
    expect(() => onnx.exportModel(new nn.ReLU(), { inputShape: [0] })).toThrow(RangeError);
    expect(() => onnx.exportModel(new nn.ReLU(), { inputShape: 3 as unknown as number[] })).toThrow(/inputShape/);
  });
  it('a width that does not fit the layer', () => {
    expect(() => onnx.exportModel(new nn.Linear(4, 2), { inputShape: [5] })).toThrow(/Linear\(4, 2\): Expected an input \[\.\.\., 4\]/);
  });
  it('pooling that ONNX cannot write, naming the layer and where it is', () => {
    expect(() => onnx.exportModel(new nn.Sequential(new nn.ReLU(), new nn.AdaptiveAvgPool2d(3)), { inputShape: [2, 8, 8] }))
      .toThrow(/AdaptiveAvgPool2d\(3\) at 1: the input 8×8 does not divide evenly into 3×3 bins/);
    expect(() => onnx.exportModel(new nn.AdaptiveAvgPool2d(2), { inputShape: [2, 'h', 8] })).toThrow(/AdaptiveAvgPool2d\(2\): needs a fixed size for dimension "h"/);
    expect(() => onnx.exportModel(new nn.AvgPool2d(3, { stride: 3, padding: 1, ceilMode: true }), { inputShape: [1, 8, 9] }))
      .toThrow(/AvgPool2d.*ceil mode adds a window in one dimension of \[batch, 1, 8, 9\] only/);
  });
  it('a convolution input of the wrong rank or channels', () => {
    expect(() => onnx.exportModel(new nn.Conv2d(3, 4, 3), { inputShape: [2, 8, 8] })).toThrow(/Conv2d\(3, 4, kernelSize=\[3, 3\]\): Expected an input \[N, 3, H, W\] but received \[batch, 2, 8, 8\]/);
    expect(() => onnx.exportModel(new nn.MaxPool2d(2), { inputShape: [8] })).toThrow(/MaxPool2d.*Expected an input \[N, C, H, W\]/);
    expect(() => onnx.exportModel(new nn.Conv2d(1, 1, 5), { inputShape: [1, 3, 3] })).toThrow(/does not fit the input \[batch, 1, 3, 3\]/);
    expect(() => onnx.exportModel(new nn.BatchNorm2d(3), { inputShape: [3] })).toThrow(/BatchNorm2d\(3\): Expected an input \[N, 3, H, W\]/);
  });
  it('float input into an Embedding', () => {
    expect(() => onnx.exportModel(new nn.Embedding(5, 2), { inputShape: [3], inputType: 'float32' })).toThrow(/integer ids/);
  });
  it('an RNN in the middle of a Sequential (several outputs)', () => {
    expect(() => onnx.exportModel(new nn.Sequential(new nn.LSTM({ inputSize: 2, hiddenSize: 2 }) as unknown as nn.Module, new nn.ReLU()), { inputShape: [3, 2] }))
      .toThrow(/produces several outputs \(output, h, c\)/);
  });
});

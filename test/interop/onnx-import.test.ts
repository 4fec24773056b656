// onnx.importModel on files PyTorch 1.13's torch.onnx.export wrote in the test setup (an MLP of
// Linear, ReLU, Dropout, BatchNorm1d, Tanh, LeakyReLU, ELU and Sigmoid; LSTM and GRU models
// reading their last step; CNNs exported in eval and in training mode, with grouped, strided and
// dilated convolutions, batch norm, max/average/global pooling, view(), GELU, ReLU6, Hardswish;
// an MLP with both GELUs): outputs equal PyTorch's within 1e-5 of the largest magnitude at three
// batch sizes (and in training mode, with batch statistics); fine-tuning an imported model lowers
// its loss; ops without an entry are errors naming the op and the node. Also our own exports
// (conv models included) read back.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualSeed, nn, noGrad, onnx, optim, randn, Tensor } from '../../lib';
import { describeWithPeers } from '../peers';
import { sum } from '../../lib/autograd/ops/reduce';
import { type NodeProto, encodeModel } from '../../lib/interop/onnx/proto';
import { expectWithinLargest } from './onnx-helpers';

interface Run { x: number[]; dims: number[]; y: number[]; ydims: number[] }
interface Exported {
  file: string;
  runs: Run[];
  /** PyTorch's training-mode outputs (batch statistics) of the files exported in training mode. */
  trainRuns: Run[];
}

const CNNS = ['cnn', 'cnn_bn_eval', 'cnn_bn_training', 'cnn_view', 'cnn_view_training', 'cnn_adaptive', 'cnn_pads'];

describeWithPeers(['torch', 'onnx'], 'onnx.importModel reads what PyTorch 1.13 exports', () => {
  let dir = '';
  let made: Record<string, Exported> = {};
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tensorgrad-onnx-import-'));
    const script = path.join(__dirname, 'torch-onnx-models.py');
    made = JSON.parse(execFileSync('/usr/bin/python3', [script, dir], { encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'ignore'] }));
  }, 180_000);
  afterAll(() => { if (dir) fs.rmSync(dir, { recursive: true, force: true }); });

  for (const name of ['mlp', 'mlp_default_bn', 'lstm', 'gru', ...CNNS, 'gelu_mlp', 'mlp_dropout_training']) {
    it(`${name}: PyTorch's outputs at batch 1, 3 and 17`, () => {
      const model = onnx.importModel(made[name]!.file);
      model.eval();
      for (const run of made[name]!.runs) {
        const y = noGrad(() => model.call(new Tensor(Float32Array.from(run.x), run.dims)));
        expectWithinLargest(`${name} batch ${run.dims[0]}`, y.data, y.shape, run.y, run.ydims);
      }
    });
  }

  for (const name of ['cnn_bn_training', 'cnn_view_training']) {
    it(`${name}: in training mode, PyTorch's batch-statistics outputs`, () => {
      const model = onnx.importModel(made[name]!.file);
      model.train();
      const run = made[name]!.trainRuns[0]!;
      const y = noGrad(() => model.call(new Tensor(Float32Array.from(run.x), run.dims)));
      expectWithinLargest(`${name} training mode`, y.data, y.shape, run.y, run.ydims);
    });
  }

  it('the CNNs become PyTorch\'s layers: Conv2d, BatchNorm2d, with PyTorch\'s keys', () => {
    const model = onnx.importModel(made['cnn_bn_training']!.file);
    const children = Object.fromEntries(model.namedModules().map(([k, m]) => [k, m.constructor.name]));
    expect(children).toMatchObject({ 0: 'Conv2d', 1: 'BatchNorm2d', 4: 'Conv2d', 7: 'Conv2d', 8: 'BatchNorm2d', 12: 'Linear' });
    expect(Object.keys(model.stateDict())).toEqual(expect.arrayContaining(['0.weight', '0.bias', '1.runningMean', '4.weight', '7.weight', '8.runningVar', '12.bias']));
    expect((model as unknown as Record<string, nn.Conv2d>)['4']!.groups).toBe(2);
    expect((model as unknown as Record<string, nn.Conv2d>)['7']!.dilation).toEqual([2, 2]);
    // GELU's Erf pattern is one Gelu step: the file has no other way to run.
    const gelu = onnx.importModel(made['gelu_mlp']!.file);
    expect(gelu.namedParameters().map(([k]) => k).sort()).toEqual(['0.bias', '0.weight', '2.bias', '2.weight', '4.bias', '4.weight']);
  });

  it('Dropout exported in training mode is a Dropout layer of the file\'s ratio, on in train() only', () => {
    const model = onnx.importModel(made['mlp_dropout_training']!.file);
    const dropouts = model.namedModules().filter(([, m]) => m instanceof nn.Dropout).map(([, m]) => m as nn.Dropout);
    expect(dropouts).toHaveLength(1);
    expect(dropouts[0]!.p).toBeCloseTo(0.3, 6);
    const x = randn([64, 6]);
    model.eval();
    const a = noGrad(() => model.call(x));
    expect(Array.from(noGrad(() => model.call(x)).data)).toEqual(Array.from(a.data));
    model.train();
    manualSeed(1);
    const b = noGrad(() => model.call(x));
    manualSeed(2);
    const c = noGrad(() => model.call(x));
    expect(Array.from(b.data)).not.toEqual(Array.from(c.data));
    expect(Array.from(b.data)).not.toEqual(Array.from(a.data));
  });

  it('the MLP keeps PyTorch\'s state-dict keys, and its parameters are trainable', () => {
    const model = onnx.importModel(made['mlp']!.file);
    const keys = model.namedParameters().map(([k]) => k);
    expect(keys).toEqual(expect.arrayContaining(['0.weight', '0.bias', '3.weight', '4.weight', '4.bias', '12.weight']));
    expect(Object.keys(model.stateDict())).toEqual(expect.arrayContaining(['4.runningMean', '4.runningVar']));
  });

  for (const name of ['mlp', 'lstm', 'cnn_bn_training', 'cnn_view']) {
    it(`fine-tuning the imported ${name} lowers the loss`, () => {
      manualSeed(3);
      const model = onnx.importModel(made[name]!.file);
      model.train();
      const dims = made[name]!.runs[2]!.dims;
      const x = randn([32, ...dims.slice(1)]);
      const classes = made[name]!.runs[0]!.ydims[1]!;
      const target = Int32Array.from({ length: 32 }, (_, i) => (i * 7) % classes);
      const optimizer = new optim.Adam(model.parameters(), { lr: 0.03 });
      const losses: number[] = [];
      for (let step = 0; step < 60; step++) {
        optimizer.zeroGrad();
        const loss = nn.functional.crossEntropy(model.call(x), target);
        loss.backward();
        optimizer.step();
        losses.push(loss.item());
      }
      expect(losses.at(-1)!).toBeLessThan(0.7 * losses[0]!);
      for (const p of model.parameters()) expect(p.grad, 'every parameter got a gradient').not.toBeNull();
    });
  }

});

describe('onnx.importModel reads back what onnx.exportModel wrote', () => {
  it.each([
    ['an MLP', () => new nn.Sequential(new nn.Linear(5, 7), new nn.ReLU(), new nn.Linear(7, 3), new nn.Sigmoid()), [5]],
    ['a batch-normed MLP', () => new nn.Sequential(new nn.Linear(4, 6), new nn.BatchNorm1d(6), new nn.Tanh(), new nn.Linear(6, 2)), [4]],
    ['a two-layer LSTM', () => new nn.LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2 }), [5, 3]],
    ['a GRU', () => new nn.GRU({ inputSize: 3, hiddenSize: 4 }), [5, 3]],
    ['an RNN with ReLU', () => new nn.RNN({ inputSize: 3, hiddenSize: 4, nonlinearity: 'relu' }), [5, 3]],
    ['a CNN (GELU as Erf, divisor override as a depthwise Conv)', () => new nn.Sequential(
      new nn.Conv2d(2, 4, 3, { padding: 'same', activation: 'relu' }), new nn.BatchNorm2d(4), new nn.GELU(), new nn.MaxPool2d(3, { stride: 2, padding: 1, ceilMode: true }),
      new nn.Conv2d(4, 4, 2, { groups: 2, padding: 'same', dilation: 2 }), new nn.AvgPool2d(2, { divisorOverride: 3 }), new nn.Dropout2d(0.2), new nn.AdaptiveAvgPool2d(1), new nn.Flatten(), new nn.Linear(4, 3)), [2, 9, 8]],
    ['a CNN of flat rows (Unflatten, average pooling without the padding)', () => new nn.Sequential(
      new nn.Unflatten(1, [1, 6, 6]), new nn.Conv2d(1, 3, 3, { stride: 2, padding: 1 }), new nn.AvgPool2d(2, { padding: 1, countIncludePad: false }), new nn.Flatten(), new nn.Linear(12, 2)), [36]],
    ['Softplus(β 2, threshold 1.5): Greater and Where', () => new nn.Sequential(new nn.Linear(3, 5), new nn.Softplus(2, 1.5)), [3]],
    ['GELU at opset 20 (the Gelu op)', () => new nn.Sequential(new nn.Linear(3, 4), new nn.GELU('tanh')), [3], 20],
  ] as [string, () => nn.Module<any>, number[], number?][])('%s', (_name, make, sample, opset) => { // eslint-disable-line @typescript-eslint/no-explicit-any
    manualSeed(11);
    const model = make();
    model.eval();
    const back = onnx.importModel(onnx.exportModel(model, { inputShape: sample, ...(opset ? { opset } : {}) }));
    back.eval();
    const x = randn([4, ...sample]);
    const ours = noGrad(() => model.call(x) as unknown);
    const theirs = noGrad(() => back.run(x));
    const expected = ours instanceof Tensor ? { output: ours } : (ours as Record<string, Tensor>);
    for (const [key, t] of Object.entries(expected)) expectWithinLargest(key, theirs[key]!.data, theirs[key]!.shape, t.data, t.shape);
  });
});

/** A graph of one [N, 2, 4, 4] input, the given initializers and nodes, ending in "y". */
function graph(nodes: NodeProto[], initializer: { name: string; dims: number[]; values: number[]; type?: 1 | 7 }[] = []): Uint8Array {
  return encodeModel({
    ir_version: 8, opset_import: [{ domain: '', version: 17 }],
    graph: {
      name: 'g',
      input: [{ name: 'x', type: { tensor_type: { elem_type: 1, shape: { dim: [{ dim_param: 'N' }, { dim_value: 2 }, { dim_value: 4 }, { dim_value: 4 }] } } } }],
      output: [{ name: 'y', type: { tensor_type: { elem_type: 1 } } }],
      initializer: initializer.map((t) => (t.type === 7 ? { name: t.name, dims: t.dims, data_type: 7, int64_data: t.values } : { name: t.name, dims: t.dims, data_type: 1, float_data: t.values })),
      node: nodes,
    },
  });
}
const ints = (name: string, v: number[]) => ({ name, type: 7, ints: v });
const text = (name: string, v: string) => ({ name, type: 3, s: new Uint8Array(Buffer.from(v)) });

describe('onnx.importModel: convolutional graphs it refuses, naming the node and why', () => {
  const x = new Tensor(Float32Array.from({ length: 32 }, (_, i) => Math.sin(i)), [1, 2, 4, 4]);
  it('an op without an entry, naming it and the node, and listing what is supported', () => {
    const bytes = graph([{ name: '/up/Resize', op_type: 'Resize', input: ['x'], output: ['y'] }]);
    expect(() => onnx.importModel(bytes)).toThrow(/^onnx\.importModel: unsupported op Resize at node "\/up\/Resize"; supported: Abs Add AveragePool .* Conv .* MaxPool .* Where$/);
    expect(onnx.SUPPORTED_OPS).toEqual(expect.arrayContaining(['Conv', 'MaxPool', 'AveragePool', 'GlobalAveragePool', 'BatchNormalization', 'Pad', 'Where', 'Gelu', 'Constant']));
    expect(onnx.SUPPORTED_OPS).not.toContain('Erf');
  });
  it('Pad in reflect and edge mode: the pad op\'s values; reflect as wide as the input and wrap before opset 19 refused', () => {
    const pad = (mode: string, pads: number[]) => graph([{ name: '/0/Pad', op_type: 'Pad', input: ['x', 'p'], output: ['y'], attribute: [text('mode', mode)] }], [{ name: 'p', dims: [8], values: pads, type: 7 }]);
    const reflect = onnx.importModel(pad('reflect', [0, 0, 1, 3, 0, 0, 2, 1])).call(x);
    expect(Array.from(reflect.data)).toEqual(Array.from(nn.functional.pad(x, [3, 1, 1, 2], { mode: 'reflect' }).data));
    const edge = onnx.importModel(pad('edge', [0, 0, 0, 2, 0, 0, 3, 0])).call(x);
    expect(Array.from(edge.data)).toEqual(Array.from(nn.functional.pad(x, [2, 0, 0, 3], { mode: 'replicate' }).data));
    expect(() => onnx.importModel(pad('reflect', [0, 0, 4, 0, 0, 0, 0, 0])).call(x)).toThrow(/node "\/0\/Pad" \(Pad\): reflect padding must be smaller than the dimension it pads, but dimension 2 of \[1, 2, 4, 4\] is 4/);
    expect(() => onnx.importModel(pad('wrap', [0, 0, 1, 1, 0, 0, 1, 1]))).toThrow(/node "\/0\/Pad" \(Pad\): Expected mode "constant", "reflect", "edge" \(or "wrap" from opset 19\) but received "wrap"/);
    expect(() => onnx.importModel(pad('mirror', [0, 0, 1, 1, 0, 0, 1, 1]))).toThrow(/received "mirror"/);
  });
  it('an Erf outside GELU\'s pattern', () => {
    expect(() => onnx.importModel(graph([{ name: 'e', op_type: 'Erf', input: ['x'], output: ['y'] }]))).toThrow(/node "e" \(Erf\): Erf is supported as part of GELU only/);
  });
  it('a 1-D convolution, and a kernel_shape that is not the weight\'s', () => {
    const w = { name: 'w', dims: [3, 2, 3], values: new Array(18).fill(0.1) };
    expect(() => onnx.importModel(graph([{ name: 'c', op_type: 'Conv', input: ['x', 'w'], output: ['y'] }], [w]))).toThrow(/node "c" \(Conv\): Expected a 4-D float weight .* \(only 2-D convolution is supported\)/);
    const w4 = { name: 'w', dims: [3, 2, 3, 3], values: new Array(54).fill(0.1) };
    expect(() => onnx.importModel(graph([{ name: 'c', op_type: 'Conv', input: ['x', 'w'], output: ['y'], attribute: [ints('kernel_shape', [2, 2])] }], [w4]))).toThrow(/kernel_shape \[2, 2\] differs from the weight's \[3, 3\]/);
  });
  it('a window that does not fit, at run time', () => {
    const model = onnx.importModel(graph([{ name: 'm', op_type: 'MaxPool', input: ['x'], output: ['y'], attribute: [ints('kernel_shape', [5, 5])] }]));
    expect(() => model.call(x)).toThrow(/node "m" \(MaxPool\): the window 5×5 .* does not fit the input \[1, 2, 4, 4\]/);
  });
  it('the MaxPool Indices output, and an average over asymmetric pads that do not count', () => {
    expect(() => onnx.importModel(graph([{ name: 'm', op_type: 'MaxPool', input: ['x'], output: ['y', 'i'], attribute: [ints('kernel_shape', [2, 2])] }]))).toThrow(/the Indices output is not supported/);
    const model = onnx.importModel(graph([{ name: 'a', op_type: 'AveragePool', input: ['x'], output: ['y'], attribute: [ints('kernel_shape', [2, 2]), ints('pads', [0, 0, 1, 1])] }]));
    expect(() => model.call(x)).toThrow(/node "a" \(AveragePool\): pads \[0, 0, 1, 1\] that are asymmetric .* only with count_include_pad = 1/);
  });
});

describe('onnx.importModel: asymmetric and automatic pads are kept exactly', () => {
  it('Conv with pads [0, 1, 2, 0] and SAME_UPPER equal the explicitly padded convolution', () => {
    manualSeed(2);
    const wv = Array.from(randn([3, 2, 3, 3]).data);
    const w = { name: 'w', dims: [3, 2, 3, 3], values: wv };
    const x = randn([2, 2, 4, 4]);
    const asym = onnx.importModel(graph([{ name: 'c', op_type: 'Conv', input: ['x', 'w'], output: ['y'], attribute: [ints('pads', [0, 1, 2, 0])] }], [w]));
    const same = onnx.importModel(graph([{ name: 'c', op_type: 'Conv', input: ['x', 'w'], output: ['y'], attribute: [ints('strides', [2, 2]), text('auto_pad', 'SAME_UPPER')] }], [w]));
    // The reference: the same weights as a Conv2d on the input padded by hand (zeros at the top-left: index arithmetic).
    const conv = new nn.Conv2d(2, 3, 3, { bias: false });
    conv.weight.data.set(wv);
    const pad = (t: Tensor, top: number, left: number, bottom: number, right: number) => {
      const [n, c, h, wd] = t.shape as [number, number, number, number];
      const H = h + top + bottom;
      const W = wd + left + right;
      const out = new Float32Array(n * c * H * W);
      for (let p = 0; p < n * c; p++) for (let i = 0; i < h; i++) for (let j = 0; j < wd; j++) out[(p * H + i + top) * W + j + left] = t.data[(p * h + i) * wd + j]!;
      return new Tensor(out, [n, c, H, W]);
    };
    const a = noGrad(() => asym.call(x));
    const ra = noGrad(() => conv.call(pad(x, 0, 1, 2, 0)));
    expectWithinLargest('pads [0, 1, 2, 0]', a.data, a.shape, ra.data, ra.shape);
    // SAME_UPPER with stride 2 on 4×4: output 2×2, total padding 1 per side pair, all of it at the end.
    const strided = new nn.Conv2d(2, 3, 3, { bias: false, stride: 2 });
    strided.weight.data.set(wv);
    const b = noGrad(() => same.call(x));
    const rb = noGrad(() => strided.call(pad(x, 0, 0, 1, 1)));
    expectWithinLargest('SAME_UPPER', b.data, b.shape, rb.data, rb.shape);
  });
});

describe('onnx.importModel: Where picks without mixing the sides', () => {
  it('Where(x > 0, x, −∞) keeps the picked values exactly, and the gradient reaches only the picked side', () => {
    const bytes = graph([
      { name: 'g', op_type: 'Greater', input: ['x', 'zero'], output: ['m'] },
      { name: 'w', op_type: 'Where', input: ['m', 'x', 'minus_inf'], output: ['y'] },
    ], [{ name: 'zero', dims: [], values: [0] }, { name: 'minus_inf', dims: [1], values: [-Infinity] }]);
    const model = onnx.importModel(bytes);
    const x = new Tensor(Float32Array.from({ length: 32 }, (_, i) => Math.sin(i)), [1, 2, 4, 4]);
    x.requiresGrad = true;
    const y = model.call(x);
    for (let i = 0; i < 32; i++) expect(y.data[i]).toBe(x.data[i]! > 0 ? x.data[i] : -Infinity);
    sum(y).backward();
    for (let i = 0; i < 32; i++) expect(x.grad!.data[i]).toBe(x.data[i]! > 0 ? 1 : 0);
  });
});

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
import { expectWithinLargest } from './onnx-helpers';

interface Run { x: number[]; dims: number[]; y: number[]; ydims: number[] }
interface Exported {
  file: string;
  runs: Run[];
  /** PyTorch's training-mode outputs (batch statistics) of the files exported in training mode. */
  trainRuns: Run[];
}

const CNNS = ['cnn', 'cnn_bn_eval', 'cnn_bn_training', 'cnn_view', 'cnn_view_training', 'cnn_adaptive'];

describeWithPeers(['torch', 'onnx'], 'onnx.importModel reads what PyTorch 1.13 exports', () => {
  let dir = '';
  let made: Record<string, Exported> = {};
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tensorgrad-onnx-import-'));
    const script = path.join(__dirname, 'torch-onnx-models.py');
    made = JSON.parse(execFileSync('/usr/bin/python3', [script, dir], { encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'ignore'] }));
  }, 180_000);
  afterAll(() => { if (dir) fs.rmSync(dir, { recursive: true, force: true }); });

  for (const name of ['mlp', 'mlp_default_bn', 'lstm', 'gru', ...CNNS, 'gelu_mlp']) {
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

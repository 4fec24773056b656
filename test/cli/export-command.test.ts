// tensorgrad export --onnx: the run directories of train (an MLP with batch norm and dropout, a
// CNN of a conv spec) and train-lm (a character LM) exported; ONNX Runtime runs each file at three batch sizes with the
// outputs of the model the run saved, within 1e-5 of the largest magnitude; bad runs are refused.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualSeed, noGrad, randn, Tensor } from '../../lib';
import { resolveConfig } from '../../lib/cli/config';
import { runExport } from '../../lib/cli/export-command';
import { runTraining } from '../../lib/train/run-training';
import { runTrainLm } from '../../lib/cli/train-lm-command';
import { loadTrainedModel } from '../../lib/cli/trained-model';
import { checkModels, expectWithinLargest, runOrt } from '../interop/onnx-helpers';
import { describeWithPeers } from '../peers';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tensorgrad-export-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
const quiet = { write: () => true };
const mlpRun = path.join(root, 'mlp');
const lmRun = path.join(root, 'lm');
const cnnRun = path.join(root, 'cnn');
const CNN_SPEC = 'c4k3-bn-relu-p2-c6k3g2s2-gelu-drop0.2-a2-f-12-10';

beforeAll(async () => {
  await runTraining(resolveConfig({}, { epochs: 1, out: mlpRun, model: '64-24-10', batchNorm: true, dropout: 0.2, activation: 'gelu' }), { out: quiet });
  await runTraining(resolveConfig({}, { epochs: 1, out: cnnRun, model: CNN_SPEC }), { out: quiet });
  const text = path.join(root, 'tiny.txt');
  fs.writeFileSync(text, 'abcabcabd abcabcabd '.repeat(20));
  await runTrainLm({ text, hidden: 12, embedding: 6, seq: 8, batch: 4, epochs: 1, sampleLength: 5, cell: 'gru', layers: 2, out: lmRun }, { out: quiet });
}, 120_000);

describe('tensorgrad export --onnx', () => {
  it('writes model.onnx into the run directory and says what it holds', () => {
    const lines: string[] = [];
    const file = runExport({ onnx: mlpRun, output: { write: (t: string) => lines.push(t) } });
    expect(file).toBe(path.join(mlpRun, 'model.onnx'));
    expect(fs.statSync(file).size).toBeGreaterThan(64 * 24 * 4);
    expect(lines.join('')).toMatch(/ONNX opset 17\) from .*best\.safetensors: input float32 \[batch, 64\] → output \[batch, 10\]/);
  });
  it('a convolutional run (digits, 8×8 images): the flat rows in, unflattened in the graph', () => {
    const lines: string[] = [];
    const file = runExport({ onnx: cnnRun, output: { write: (t: string) => lines.push(t) } });
    expect(file).toBe(path.join(cnnRun, 'model.onnx'));
    expect(lines.join('')).toMatch(/input float32 \[batch, 64\] \(images \[1, 8, 8\], unflattened in the graph\) → output \[batch, 10\]/);
  });
  it('from the bin script, with --out and --opset', () => {
    const out = path.join(root, 'lm.onnx');
    const r = spawnSync(process.execPath, ['bin/tensorgrad.js', 'export', '--onnx', lmRun, '--out', out, '--opset', '18'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/logits \[batch, time, 5\], h$/m);
    expect(fs.existsSync(out)).toBe(true);
  });
  it('refuses what is not a run', () => {
    expect(() => runExport({ onnx: path.join(root, 'nothing'), output: quiet })).toThrow(/export: .*nothing is neither a model file nor a run directory/);
    const r = spawnSync(process.execPath, ['bin/tensorgrad.js', 'export', '--onnx', mlpRun, '--opset', '9'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/opset from 17 to 21 but received 9/);
  });
});

describeWithPeers('onnxruntime', 'an exported run in ONNX Runtime gives the saved model\'s outputs', () => {
  it.each([['mlp', mlpRun], ['cnn', cnnRun], ['char LM', lmRun]])('%s', async (kind, run) => {
    const file = runExport({ onnx: run, output: quiet, out: path.join(root, `${kind}.onnx`) });
    const bytes = new Uint8Array(fs.readFileSync(file));
    const trained = loadTrainedModel(run, 'test');
    trained.model.eval();
    manualSeed(5);
    for (const batch of [1, 4, 33]) {
      if (trained.kind === 'mlp') {
        const x = randn([batch, 64]);
        const ours = noGrad(() => trained.model.call(x));
        const theirs = await runOrt(bytes, { input: { data: x.data as Float32Array, dims: x.shape } });
        expectWithinLargest(`${kind} batch ${batch}`, ours.data, ours.shape, theirs['output']!.data, theirs['output']!.dims);
      } else {
        const ids = Array.from({ length: batch * 9 }, (_, i) => (i * 7 + batch) % 5);
        const out = noGrad(() => trained.model.forward(new Tensor(Float32Array.from(ids), [batch, 9])));
        const theirs = await runOrt(bytes, { input: { data: BigInt64Array.from(ids, BigInt), dims: [batch, 9] } });
        expectWithinLargest(`${kind} batch ${batch} logits`, out.logits.data, out.logits.shape, theirs['logits']!.data, theirs['logits']!.dims);
        expectWithinLargest(`${kind} batch ${batch} h`, out.state.h.data, out.state.h.shape, theirs['h']!.data, theirs['h']!.dims);
      }
    }
  });
});

describeWithPeers('onnx', 'exported runs pass onnx.checker.check_model(full_check=True)', () => {
  it('the MLP, the CNN and the char LM', () => {
    const files = Object.fromEntries([['mlp', mlpRun], ['cnn', cnnRun], ['lm', lmRun]].map(([name, run]) => {
      const file = runExport({ onnx: run!, output: quiet, out: path.join(root, `${name}-checked.onnx`) });
      return [name, new Uint8Array(fs.readFileSync(file))];
    }));
    expect(checkModels(files)).toEqual({});
  });
});

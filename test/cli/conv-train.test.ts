// Convolutional models from the command line: bin/tensorgrad.js spawned on image files the test
// writes (an IDX directory of bar images, CIFAR-10 binary batches) and, where it is installed, a
// subset of the real Fashion-MNIST. The run directory, the layer diagnostics per channel, the
// report, evaluate on the saved model, seeded augmentation and the errors of bad specs and flags.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { io } from '../../lib';
import { readIdx } from '../../lib/data/readers/idx';
import { FASHION_MNIST_DIR } from '../../lib/data/datasets/fashion-mnist';
import { describeWithPeers } from '../peers';
import { idxBytes, writeBarImages, writeCifarBatches } from './image-files';

const BIN = path.join(__dirname, '..', '..', 'bin', 'tensorgrad.js');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tensorgrad-conv-cli-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function tensorgrad(...args: string[]) {
  const run = spawnSync(process.execPath, [BIN, ...args], { cwd: root, encoding: 'utf8', timeout: 240_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

const json = (file: string) => JSON.parse(fs.readFileSync(path.join(root, file), 'utf8'));
const jsonl = (file: string) => fs.readFileSync(path.join(root, file), 'utf8').trim().split('\n').map((l) => JSON.parse(l));

const bars = writeBarImages(path.join(root, 'bars'), 400, 100);
const SPEC = 'c4k3-bn-relu-p2-c8k3-bn-relu-p2-f-10';

describe('tensorgrad train --model <conv spec>', () => {
  it('trains a CNN on an IDX directory of images with --augment crop1,flip, and evaluate scores it again', () => {
    const run = tensorgrad('train', '--data', bars, '--model', SPEC, '--augment', 'crop1,flip', '--epochs', '3', '--batch-size', '32', '--out', 'bars-run');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    // The layers and the shapes they output, then the sanity checks' verdicts and the epochs.
    expect(run.stdout).toContain(`Model ${SPEC}:\n  Unflatten(1, [1, 28, 28]) → [1, 28, 28]\n  Conv2d(1, 4, kernelSize=[3, 3], padding=same) → [4, 28, 28]`);
    expect(run.stdout).toContain('MaxPool2d(kernelSize=[2, 2], stride=[2, 2]) → [8, 7, 7]\n  Flatten → [392]\n  Linear(392, 10) → [10]');
    expect(run.stdout).toMatch(/PASS initial loss ≈ ln C/);
    expect(run.stdout).toMatch(/PASS overfits 20 examples/);
    const summary = json('bars-run/summary.json');
    expect(summary.sizes).toEqual([784, 10]);
    // A bar's row is all a CNN has to find: chance is 10%.
    expect(summary.bestTest.metrics.accuracy).toBeGreaterThan(0.8);
    const config = json('bars-run/config.json');
    expect(config.config).toMatchObject({ model: SPEC, augment: ['crop1', 'flip'], dropout: 0 });

    // Diagnostics per channel: Conv2d outputs are feature maps [N, C, H, W].
    const layers = jsonl('bars-run/layers.jsonl');
    expect(layers).toHaveLength(3);
    const last = layers[2].layers as { name: string; type: string; dead: number | null; channels?: { mean: number[]; std: number[]; dead: number[] } }[];
    expect(last.map((l) => l.type)).toEqual(['Unflatten', 'Conv2d', 'BatchNorm2d', 'ReLU', 'MaxPool2d', 'Conv2d', 'BatchNorm2d', 'ReLU', 'MaxPool2d', 'Flatten', 'Linear']);
    const relu = last[3]!;
    expect(relu.channels!.mean).toHaveLength(4);
    expect(relu.channels!.std).toHaveLength(4);
    expect(relu.dead).toBe(relu.channels!.dead.length / 4);
    // BatchNorm2d in evaluation mode with running statistics: each channel's mean near β (0 at the start, small after 3 epochs).
    const bn = last[2]!;
    for (const m of bn.channels!.mean) expect(Math.abs(m)).toBeLessThan(1);
    expect(last[10]!.channels ?? null).toBeNull();
    const report = fs.readFileSync(path.join(root, 'bars-run/report.html'), 'utf8');
    expect(report).toContain(`tensorgrad: ${SPEC} on ${bars}`);
    expect(report).toMatch(/<svg[^>]*aria-label="3 \(ReLU\) per channel, epoch 3"/);
    expect(report).toMatch(/<td>\d\/4 channels/);

    const scored = tensorgrad('evaluate', '--model', 'bars-run');
    expect(scored.stderr).toBe('');
    expect(scored.stdout).toContain(`best.safetensors on ${bars} test (100 samples): loss `);
    const accuracy = Number(/accuracy ([\d.]+)%/.exec(scored.stdout)![1]);
    expect(accuracy).toBeCloseTo(100 * summary.bestTest.metrics.accuracy, 2);
  }, 240_000);

  it('augments reproducibly: the same seed gives the same weights, no --augment other ones', () => {
    const common = ['--data', 'digits', '--model', 'c4k3-relu-p2-f-10', '--epochs', '1'];
    for (const [out, extra] of [['aug-a', ['--augment', 'crop,flip,erase']], ['aug-b', ['--augment', 'crop,flip,erase']], ['plain', []]] as const) {
      const run = tensorgrad('train', ...common, ...extra, '--out', out);
      expect(run.stderr).toBe('');
    }
    // The tensors (the files' metadata name their run directories).
    const weights = (dir: string) => Object.entries(io.load(path.join(root, dir, 'model.safetensors')).tensors).map(([name, t]) => [name, Array.from(t.data)]);
    expect(weights('aug-a')).toEqual(weights('aug-b'));
    expect(weights('aug-a')).not.toEqual(weights('plain'));
    // Digits are 8×8: crop pads ⌈8/8⌉ = 1 pixel.
    expect(json('aug-a/config.json').config.augment).toEqual(['crop', 'flip', 'erase']);
  }, 240_000);

  it('reads a CIFAR-10 binary directory as [3, 32, 32] images with its class names', () => {
    const dir = writeCifarBatches(path.join(root, 'cifar'), 300, 60);
    const run = tensorgrad('train', '--data', dir, '--model', 'c4k3s2-relu-p2-f-10', '--epochs', '2', '--out', 'cifar-run');
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('Unflatten(1, [3, 32, 32]) → [3, 32, 32]\n  Conv2d(3, 4, kernelSize=[3, 3], stride=[2, 2], padding=[1, 1], relu) → [4, 16, 16]\n  ReLU (fused into the Conv2d) → [4, 16, 16]');
    expect(run.stdout).toMatch(/on .*cifar: 270 train, 30 validation, 60 test/);
    expect(fs.readFileSync(path.join(root, 'cifar-run/report.html'), 'utf8')).toContain('truck');
  }, 240_000);

  it('a JSON model file, and errors that name the layer, the flag and what was expected', () => {
    fs.writeFileSync(path.join(root, 'model.json'), JSON.stringify({ layers: [
      { type: 'conv2d', outChannels: 4, kernelSize: 3, stride: 2 }, { type: 'batchNorm2d' }, { type: 'relu' }, { type: 'adaptiveAvgPool2d' }, { type: 'flatten' }, { type: 'linear', outFeatures: 10 },
    ] }));
    const ok = tensorgrad('check', '--model', 'model.json');
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toMatch(/^Sanity checks of model.json \(relu\) on digits\nPASS initial loss/);

    const cases: [string[], RegExp][] = [
      [['--model', 'c8k3-bn-relu-p2-x7-10'], /--model: token 5 "x7" of "c8k3-bn-relu-p2-x7-10": expected c<filters>k<kernel>/],
      [['--model', 'c8k9valid-f-10'], /layer 1 \(conv2d\) of "c8k9valid-f-10": input \[1, 1, 8, 8\] with padding \[0, 0\] is 8×8, smaller than the kernel 9×9/],
      [['--model', 'c8k3-p2-f-12'], /must end with a Linear layer to the data's 10 classes .* but its output is \[12\]/],
      [['--model', 'c8k3-f-10', '--batch-norm'], /--batch-norm: applies to MLP widths; a conv spec places its BatchNorm layers itself \(bn\)/],
      [['--model', 'c8k3-f-10', '--dropout', '0.3'], /--dropout: applies to MLP widths; a conv spec places its dropout itself \(drop0.3\)/],
      [['--augment', 'crop,spin'], /--augment: Expected crop, crop<p>, flip, erase but received "spin"/],
      [['--augment', 'flip,flip'], /--augment: "flip" is given twice/],
    ];
    for (const [flags, message] of cases) {
      const run = tensorgrad('train', '--epochs', '1', ...flags);
      expect(run.stderr, flags.join(' ')).toMatch(message);
      expect(run.stderr.split('\n').filter(Boolean), flags.join(' ')).toHaveLength(1);
      expect(run.status).toBe(1);
    }
    fs.writeFileSync(path.join(root, 'table.csv'), 'a,b,label\n1,2,x\n3,4,y\n5,6,x\n7,8,y\n9,10,x\n11,12,y\n13,14,x\n15,16,y\n17,18,x\n19,20,y\n');
    const table = tensorgrad('train', '--data', 'table.csv', '--target', 'label', '--model', 'c8k3-f-2', '--epochs', '1');
    expect(table.stderr).toMatch(/--model: a convolutional model needs images .* but table.csv is a table/);
    const augmentTable = tensorgrad('train', '--data', 'table.csv', '--target', 'label', '--augment', 'flip', '--epochs', '1');
    expect(augmentTable.stderr).toMatch(/--augment: crops and flips are for images; table.csv is a table/);
    expect(fs.existsSync(path.join(root, 'runs'))).toBe(false);
  }, 240_000);
});

/** The first n images of a Fashion-MNIST split, written back as an IDX pair. */
function fashionSubset(dir: string, train: number, test: number): string {
  fs.mkdirSync(dir, { recursive: true });
  for (const [prefix, n] of [['train', train], ['t10k', test]] as const) {
    const images = readIdx(path.join(FASHION_MNIST_DIR, `${prefix}-images-idx3-ubyte.gz`));
    const labels = readIdx(path.join(FASHION_MNIST_DIR, `${prefix}-labels-idx1-ubyte.gz`));
    fs.writeFileSync(path.join(dir, `${prefix}-images-idx3-ubyte`), idxBytes([n, 28, 28], (images.data as Uint8Array).subarray(0, n * 784)));
    fs.writeFileSync(path.join(dir, `${prefix}-labels-idx1-ubyte`), idxBytes([n], (labels.data as Uint8Array).subarray(0, n)));
  }
  return dir;
}

describeWithPeers('fashion-mnist', 'a CNN on Fashion-MNIST', () => {
  it('the issue\'s two conv blocks (narrowed) on the first 600 training images: well above chance in 3 epochs', () => {
    const dir = fashionSubset(path.join(root, 'fashion'), 600, 200);
    const run = tensorgrad('train', '--data', dir, '--model', 'c4k3-bn-relu-p2-c8k3-bn-relu-p2-f-32-10', '--augment', 'crop,flip', '--epochs', '3', '--lr', '3e-3', '--batch-size', '16', '--out', 'fashion-run');
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('Linear(392, 32) → [32]\n  ReLU → [32]\n  Linear(32, 10) → [10]');
    expect(json('fashion-run/summary.json').bestTest.metrics.accuracy).toBeGreaterThan(0.45); // 58% here; chance 10%
  }, 240_000);

  it('examples/cnn-fashion-mnist.mjs trains and reports each epoch', () => {
    const script = path.join(__dirname, '..', '..', 'examples', 'cnn-fashion-mnist.mjs');
    // 2 epochs on the first 600 images with 4 and 8 filters (1 000 test images).
    const run = spawnSync(process.execPath, [script, '2', '600', '4'], { encoding: 'utf8', timeout: 240_000 });
    expect(run.stderr).toBe('');
    const epochs = [...run.stdout.matchAll(/^epoch (\d): loss ([\d.]+), test accuracy ([\d.]+)%, (\d+) images\/s$/gm)];
    expect(epochs.map((e) => Number(e[1])), run.stdout).toEqual([1, 2]);
    expect(Number(epochs[1]![2])).toBeLessThan(Number(epochs[0]![2]));
    expect(Number(epochs[1]![3])).toBeGreaterThan(20); // 30.6% here; chance 10%
  }, 240_000);
});

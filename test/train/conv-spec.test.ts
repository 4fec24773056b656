// The convolutional model spec of --model: the short syntax, the JSON file, shape inference and
// the errors that name the layer.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manualSeed, nn, randn } from '../../lib';
import { buildConvModel, convModelFrom, isConvModel, parseConvSpec } from '../../lib/train/conv-spec';

describe('parseConvSpec', () => {
  it('reads the issue example into layers', () => {
    expect(parseConvSpec('c32k3-bn-relu-p2-c64k3-bn-relu-p2-f-128-10')).toEqual([
      { type: 'conv2d', outChannels: 32, kernelSize: 3 }, { type: 'batchNorm' }, { type: 'relu' }, { type: 'maxPool2d', kernelSize: 2 },
      { type: 'conv2d', outChannels: 64, kernelSize: 3 }, { type: 'batchNorm' }, { type: 'relu' }, { type: 'maxPool2d', kernelSize: 2 },
      { type: 'flatten' }, { type: 'linear', outFeatures: 128 }, { type: 'linear', outFeatures: 10 },
    ]);
  });

  it('reads conv options, pools with strides, dropout and global pooling', () => {
    expect(parseConvSpec('c16k5s2p1d2g2-c16k3dw-c8k1valid-a3s2-gap-drop0.25-lrelu')).toEqual([
      { type: 'conv2d', outChannels: 16, kernelSize: 5, stride: 2, padding: 1, dilation: 2, groups: 2 },
      { type: 'conv2d', outChannels: 16, kernelSize: 3, groups: 'depthwise' },
      { type: 'conv2d', outChannels: 8, kernelSize: 1, padding: 'valid' },
      { type: 'avgPool2d', kernelSize: 3, stride: 2 }, { type: 'globalAvgPool' }, { type: 'dropout', p: 0.25 }, { type: 'leakyRelu' },
    ]);
  });

  it('names an unknown token and where it is', () => {
    expect(() => parseConvSpec('c32k3-bn-pool2-f-10')).toThrow(/token 3 "pool2" of "c32k3-bn-pool2-f-10": expected c<filters>k<kernel>/);
    expect(() => parseConvSpec('')).toThrow(RangeError);
    expect(isConvModel('784-256-10')).toBe(false);
    expect(isConvModel('c8k3-f-10')).toBe(true);
    expect(isConvModel('model.json')).toBe(true);
  });
});

describe('buildConvModel', () => {
  it('builds the CNN of the issue for [1, 28, 28]: same padding, pools to 7×7, a 3136-input head', () => {
    manualSeed(0);
    const { model, summary } = convModelFrom('c32k3-bn-relu-p2-c64k3-bn-relu-p2-f-128-10', [1, 28, 28], 10);
    const layers = Array.from({ length: model.length }, (_, i) => model[i]!);
    expect(layers.map((m) => m.constructor.name)).toEqual([
      'Conv2d', 'BatchNorm2d', 'ReLU', 'MaxPool2d', 'Conv2d', 'BatchNorm2d', 'ReLU', 'MaxPool2d', 'Flatten', 'Linear', 'ReLU', 'Linear',
    ]);
    expect((layers[9] as nn.Linear).inFeatures).toBe(64 * 7 * 7);
    expect(summary[7]!.replace(/ /g, '')).toContain('→[64,7,7]');
    expect(model.call(randn([2, 1, 28, 28])).shape).toEqual([2, 10]);
  });

  it('fuses a ReLU right after a convolution, and takes BatchNorm1d and Dropout after f', () => {
    const { model, summary } = convModelFrom('c8k3-relu-p2-f-bn-drop0.5-10', [3, 8, 8], 10);
    expect((model[0] as nn.Conv2d).activation).toBe('relu');
    expect(model[1]).toBeInstanceOf(nn.MaxPool2d);
    expect(model[3]).toBeInstanceOf(nn.BatchNorm1d);
    expect(model[4]).toBeInstanceOf(nn.Dropout);
    expect(summary[1]).toMatch(/fused/);
    expect(model.call(randn([4, 3, 8, 8])).shape).toEqual([4, 10]);
  });

  it('stride 2 without padding given pads by k/2, depthwise takes the channels it gets', () => {
    const { model } = convModelFrom('c8k3s2-c8k3dw-gap-f-4', [2, 9, 9], 4);
    expect((model[0] as nn.Conv2d).padding).toEqual([1, 1]);
    expect((model[1] as nn.Conv2d).groups).toBe(8);
    expect(model.call(randn([1, 2, 9, 9])).shape).toEqual([1, 4]);
  });

  it('names the layer whose input does not fit, and checks the classes', () => {
    expect(() => convModelFrom('c8k3valid-p2-c8k5valid-f-10', [1, 6, 6], 10)).toThrow(/layer 3 \(conv2d\).*is 2×2, smaller than the kernel 5×5/);
    expect(() => convModelFrom('c8k3-10', [1, 6, 6], 10)).toThrow(/layer 2 \(linear\).*Expected f \(Flatten\) before the first Linear layer, whose input here is \[8, ?6, ?6\]/);
    expect(() => convModelFrom('c8k3-f-c8k3-10', [1, 6, 6], 10)).toThrow(/layer 3 \(conv2d\).*feature maps \[C, H, W\]/);
    expect(() => convModelFrom('c8k3-f-12', [1, 6, 6], 10)).toThrow(/must end with a Linear layer to the data's 10 classes/);
    expect(() => buildConvModel([{ type: 'conv2d', outChannels: 0, kernelSize: 3 }], [1, 4, 4], 2)).toThrow(/outChannels/);
  });

  it('reads a JSON model file with PyTorch names', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tg-spec-'));
    try {
      const file = join(dir, 'model.json');
      writeFileSync(file, JSON.stringify({ layers: [
        { type: 'conv2d', outChannels: 4, kernelSize: 3, padding: 'valid', bias: false }, { type: 'batchNorm2d' }, { type: 'relu' },
        { type: 'adaptiveAvgPool2d' }, { type: 'flatten' }, { type: 'linear', outFeatures: 3 },
      ] }));
      const { model } = convModelFrom(file, [1, 5, 5], 3);
      expect((model[0] as nn.Conv2d).bias).toBeNull();
      expect(model.call(randn([2, 1, 5, 5])).shape).toEqual([2, 3]);
      writeFileSync(file, JSON.stringify({ layers: [{ type: 'conv3d' }] }));
      expect(() => convModelFrom(file, [1, 5, 5], 3)).toThrow(/layer 1 of .*model.json: Expected a type among conv2d/);
      writeFileSync(file, '{ not json');
      expect(() => convModelFrom(file, [1, 5, 5], 3)).toThrow(/readable JSON model file/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

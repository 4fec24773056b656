/**
 * Convolutional models from a short spec or a JSON file (docs/convolution.md, "The CLI"):
 *
 *   c32k3-bn-relu-p2-c64k3-bn-relu-p2-f-128-10
 *
 * tokens, separated by '-': c<filters>k<kernel>[s<stride>][p<padding>][d<dilation>][g<groups>|dw]
 * (Conv2d; padding keeps the size by default, 'same'), bn (BatchNorm2d, or BatchNorm1d after f),
 * relu, lrelu, tanh, sigmoid, elu, gelu, p<k>[s<stride>] (MaxPool2d), a<k>[s<stride>]
 * (AvgPool2d), gap (global average pooling), drop<p> (Dropout2d, or Dropout after f), f
 * (Flatten) and <n> (Linear to n features; consecutive Linear layers get the run's activation
 * between them). The last token is the Linear layer to the classes. A Conv2d followed by relu
 * fuses the ReLU into the convolution's output pass.
 */
import * as fs from 'node:fs';
import type { Padding } from '../autograd/ops/conv-geometry';
import { convGeometry, poolGeometry } from '../autograd/ops/conv-geometry';
import { formatShape } from '../autograd/tensor';
import { BatchNorm1d } from '../nn/layers/batch-norm';
import { BatchNorm2d } from '../nn/layers/batch-norm2d';
import { Conv2d } from '../nn/layers/conv';
import { Dropout } from '../nn/layers/dropout';
import { Dropout2d } from '../nn/layers/dropout2d';
import { Linear } from '../nn/layers/linear';
import { AdaptiveAvgPool2d, AvgPool2d, MaxPool2d } from '../nn/layers/pooling';
import { Flatten, Unflatten } from '../nn/layers/shape';
import type { Module } from '../nn/module';
import { Sequential } from '../nn/sequential';
import { ACTIVATION_NAMES, type ActivationName, activationModule } from './model-spec';

export const LAYER_ACTIVATIONS = ACTIVATION_NAMES;
export type LayerActivation = ActivationName;

/** One layer of a convolutional model, as the JSON file writes it (PyTorch's names). */
export type LayerSpec =
  | { type: 'conv2d'; outChannels: number; kernelSize: number; stride?: number; padding?: Padding; dilation?: number; groups?: number | 'depthwise'; bias?: boolean }
  | { type: 'batchNorm' }
  | { type: LayerActivation }
  | { type: 'maxPool2d' | 'avgPool2d'; kernelSize: number; stride?: number }
  | { type: 'globalAvgPool' }
  | { type: 'dropout'; p: number }
  | { type: 'flatten' }
  | { type: 'linear'; outFeatures: number };

const ACTIVATION_TOKENS: Record<string, LayerActivation> = {
  relu: 'relu', lrelu: 'leakyRelu', tanh: 'tanh', sigmoid: 'sigmoid', elu: 'elu', gelu: 'gelu',
};

/** Whether --model names a convolutional model (a spec with letters, or a .json file) rather than MLP widths. */
export function isConvModel(text: string): boolean {
  return /\.json$/i.test(text.trim()) || /[a-z]/i.test(text);
}

function tokenError(text: string, index: number, token: string, expected: string): RangeError {
  return new RangeError(`--model: token ${index + 1} "${token}" of "${text}": expected ${expected}`);
}

/** Parses the short syntax into layers. */
export function parseConvSpec(text: string): LayerSpec[] {
  if (typeof text !== 'string' || text.trim() === '') throw new RangeError('--model: Expected a model spec such as c32k3-bn-relu-p2-f-10');
  return text.trim().split('-').map((raw, i): LayerSpec => {
    const token = raw.trim().toLowerCase();
    const conv = /^c(\d+)k(\d+)((?:s\d+|p\d+|d\d+|g\d+|dw|same|valid)*)$/.exec(token);
    if (conv) {
      const layer: LayerSpec & { type: 'conv2d' } = { type: 'conv2d', outChannels: Number(conv[1]), kernelSize: Number(conv[2]) };
      for (const [, key, value] of conv[3]!.matchAll(/(dw|same|valid|[spdg])(\d*)/g)) {
        if (key === 's') layer.stride = Number(value);
        else if (key === 'p') layer.padding = Number(value);
        else if (key === 'd') layer.dilation = Number(value);
        else if (key === 'g') layer.groups = Number(value);
        else if (key === 'dw') layer.groups = 'depthwise';
        else layer.padding = key as 'same' | 'valid';
      }
      return layer;
    }
    const pool = /^([pa])(\d+)(?:s(\d+))?$/.exec(token);
    if (pool) {
      return { type: pool[1] === 'p' ? 'maxPool2d' : 'avgPool2d', kernelSize: Number(pool[2]), ...(pool[3] ? { stride: Number(pool[3]) } : {}) };
    }
    const drop = /^drop(0?\.\d+|0|1)$/.exec(token);
    if (drop) return { type: 'dropout', p: Number(drop[1]) };
    if (/^\d+$/.test(token)) return { type: 'linear', outFeatures: Number(token) };
    if (token === 'bn') return { type: 'batchNorm' };
    if (token === 'f') return { type: 'flatten' };
    if (token === 'gap') return { type: 'globalAvgPool' };
    const activation = ACTIVATION_TOKENS[token];
    if (activation) return { type: activation };
    throw tokenError(text, i, raw, 'c<filters>k<kernel>[s,p,d,g,dw], bn, relu, lrelu, tanh, sigmoid, elu, gelu, p<k>[s], a<k>[s], gap, drop<p>, f or a width');
  });
}

const TYPES = ['conv2d', 'batchNorm', 'batchNorm2d', 'batchNorm1d', ...LAYER_ACTIVATIONS, 'maxPool2d', 'avgPool2d', 'globalAvgPool', 'adaptiveAvgPool2d', 'dropout', 'dropout2d', 'flatten', 'linear'];

/** Reads a JSON model file: { "layers": [ { "type": "conv2d", "outChannels": 32, "kernelSize": 3 }, … ] }. */
export function readModelFile(file: string): LayerSpec[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new RangeError(`--model: Expected a readable JSON model file at ${file}: ${(e as Error).message}`);
  }
  const layers = (parsed as { layers?: unknown })?.layers;
  if (!Array.isArray(layers) || layers.length === 0) throw new RangeError(`--model: Expected ${file} to hold { "layers": [ … ] } with at least one layer`);
  return layers.map((layer, i) => {
    const type = (layer as { type?: unknown })?.type;
    if (typeof type !== 'string' || !TYPES.includes(type)) {
      throw new RangeError(`--model: layer ${i + 1} of ${file}: Expected a type among ${TYPES.join(', ')} but received ${JSON.stringify(type)}`);
    }
    // PyTorch's explicit names map onto the spec's dimension-agnostic ones.
    const alias: Record<string, string> = { batchNorm2d: 'batchNorm', batchNorm1d: 'batchNorm', dropout2d: 'dropout', adaptiveAvgPool2d: 'globalAvgPool' };
    return { ...(layer as object), type: alias[type] ?? type } as LayerSpec;
  });
}

export interface ConvModelOptions {
  /** Between two Linear layers in a row (default relu). */
  activation?: LayerActivation;
  /** The model takes flat rows [N, C·H·W] and unflattens them first (what the command's data gives). */
  flatInput?: boolean;
}

export interface ConvModel {
  model: Sequential;
  /** Each layer with the shape it outputs (for one example), for the log. */
  summary: string[];
}

/** A layer's own description (Conv2d(1, 32, …)), or its class name. */
function describeLayer(m: Module): string {
  const text = String(m);
  return text === '[object Object]' ? m.constructor.name : text;
}

function positive(label: string, name: string, value: unknown): number {
  if (!Number.isInteger(value) || (value as number) < 1) throw new RangeError(`${label}: Expected ${name} as a positive integer but received ${JSON.stringify(value)}`);
  return value as number;
}

/**
 * The Sequential of the layers for images of `input` = [C, H, W] and `classes` outputs, every
 * shape checked on the way (an error names the layer and the shape it would receive).
 */
export function buildConvModel(layers: readonly LayerSpec[], input: readonly [number, number, number], classes: number, options: ConvModelOptions & { name?: string } = {}): ConvModel {
  const name = options.name ?? 'model';
  const activation = options.activation ?? 'relu';
  let shape: number[] = [...input];
  const modules: Module[] = [];
  const summary: string[] = [];
  const push = (m: Module) => {
    modules.push(m);
    summary.push(`${describeLayer(m)} → ${formatShape(shape)}`);
  };
  if (options.flatInput) push(new Unflatten(1, input));
  layers.forEach((layer, i) => {
    const label = `--model: layer ${i + 1} (${layer.type}) of ${name}`;
    const spatial = shape.length === 3;
    const need = (what: string) => {
      if (!spatial) throw new RangeError(`${label}: Expected feature maps [C, H, W] but the input here is ${formatShape(shape)} (${what} before f)`);
    };
    switch (layer.type) {
      case 'conv2d': {
        need('convolutions come');
        const groups = layer.groups === 'depthwise' ? shape[0]! : layer.groups ?? 1;
        const padding = layer.padding ?? ((layer.stride ?? 1) === 1 ? 'same' : Math.floor(((layer.dilation ?? 1) * (layer.kernelSize - 1)) / 2));
        const fuse = layers[i + 1]?.type === 'relu';
        const conv = new Conv2d(shape[0]!, positive(label, 'outChannels', layer.outChannels), positive(label, 'kernelSize', layer.kernelSize), {
          stride: layer.stride ?? 1, padding, dilation: layer.dilation ?? 1, groups, bias: layer.bias ?? true, activation: fuse ? 'relu' : 'none',
        });
        const g = convGeometry(label, [1, ...shape], conv.weight.shape, conv);
        shape = [g.outC, g.oh, g.ow];
        push(conv);
        break;
      }
      case 'batchNorm':
        push(spatial ? new BatchNorm2d(shape[0]!) : new BatchNorm1d(shape[0]!));
        break;
      case 'maxPool2d':
      case 'avgPool2d': {
        need('pooling comes');
        const k = positive(label, 'kernelSize', layer.kernelSize);
        const pool = layer.type === 'maxPool2d' ? new MaxPool2d(k, { stride: layer.stride ?? k }) : new AvgPool2d(k, { stride: layer.stride ?? k });
        const g = poolGeometry(label, [1, ...shape], { kernelSize: k, stride: layer.stride ?? k });
        shape = [shape[0]!, g.oh, g.ow];
        push(pool);
        break;
      }
      case 'globalAvgPool':
        need('pooling comes');
        shape = [shape[0]!, 1, 1];
        push(new AdaptiveAvgPool2d(1));
        break;
      case 'dropout':
        if (!(typeof layer.p === 'number' && layer.p >= 0 && layer.p < 1)) throw new RangeError(`${label}: Expected p in [0, 1) but received ${JSON.stringify(layer.p)}`);
        push(spatial ? new Dropout2d(layer.p) : new Dropout(layer.p));
        break;
      case 'flatten':
        shape = [shape.reduce((a, b) => a * b, 1)];
        push(new Flatten());
        break;
      case 'linear': {
        if (spatial) throw new RangeError(`${label}: Expected f (Flatten) before the first Linear layer, whose input here is ${formatShape(shape)}`);
        const previous = layers[i - 1]?.type;
        if (previous === 'linear') {
          // Two Linear layers in a row: the run's activation between them, as in an MLP spec.
          const between = activationModule(activation);
          modules.push(between);
          summary.push(`${describeLayer(between)} → ${formatShape(shape)}`);
        }
        const linear = new Linear(shape[0]!, positive(label, 'outFeatures', layer.outFeatures));
        shape = [linear.outFeatures];
        push(linear);
        break;
      }
      default: {
        if (!(LAYER_ACTIVATIONS as readonly string[]).includes(layer.type)) throw new RangeError(`${label}: Expected a known layer type`);
        // Fused into the convolution just before.
        if (layer.type === 'relu' && layers[i - 1]?.type === 'conv2d') {
          summary.push(`ReLU (fused into the Conv2d) → ${formatShape(shape)}`);
          break;
        }
        push(activationModule(layer.type as LayerActivation));
      }
    }
  });
  const last = layers[layers.length - 1];
  if (last?.type !== 'linear' || shape.length !== 1 || shape[0] !== classes) {
    throw new RangeError(`--model: ${name} must end with a Linear layer to the data's ${classes} classes (such as …-f-${classes}) but its output is ${formatShape(shape)}`);
  }
  return { model: new Sequential(...modules), summary };
}

/** A --model value: a .json file or the short syntax. */
export function convModelFrom(text: string, input: readonly [number, number, number], classes: number, options: ConvModelOptions = {}): ConvModel {
  const file = /\.json$/i.test(text.trim());
  const layers = file ? readModelFile(text.trim()) : parseConvSpec(text);
  return buildConvModel(layers, input, classes, { ...options, name: file ? text.trim() : `"${text}"` });
}

/** The command's model: an MLP described as "784-256-128-10" and an activation name. */
import { Module } from '../nn/module';
import { Sequential } from '../nn/sequential';
import { Linear } from '../nn/layers/linear';
import { BatchNorm1d } from '../nn/layers/batch-norm';
import { Dropout } from '../nn/layers/dropout';
import { ELU, GELU, LeakyReLU, ReLU, Sigmoid, Tanh } from '../nn/layers/activations';

export const ACTIVATION_NAMES = ['relu', 'leakyRelu', 'tanh', 'sigmoid', 'elu', 'gelu'] as const;
export type ActivationName = (typeof ACTIVATION_NAMES)[number];

export interface ModelSpec {
  /** Layer widths, input first and classes last. */
  sizes: number[];
  activation: ActivationName;
  /** BatchNorm1d after each hidden Linear. */
  batchNorm: boolean;
  /** Dropout probability after each hidden activation (0: none). */
  dropout: number;
}

/**
 * Widths from "784-256-128-10" (input and output included) or "256-128" (hidden layers only,
 * completed with the data's input and class counts). An empty string means no hidden layer.
 */
export function parseSizes(text: string, inputs: number, classes: number): number[] {
  const parts = text.trim() === '' ? [] : text.split('-').map((p) => p.trim());
  const sizes = parts.map((p) => {
    const n = Number(p);
    if (!/^\d+$/.test(p) || !Number.isSafeInteger(n) || n < 1) {
      throw new RangeError(`--model: Expected layer widths like 784-256-128-10 but "${text}" has "${p}"`);
    }
    return n;
  });
  if (sizes.length >= 2 && sizes[0] === inputs && sizes[sizes.length - 1] === classes) return sizes;
  if (sizes.length >= 2 && (sizes[0] === inputs || sizes[sizes.length - 1] === classes)) {
    throw new RangeError(`--model: "${text}" must start with the data's ${inputs} inputs and end with its ${classes} classes`);
  }
  return [inputs, ...sizes, classes];
}

function activationModule(name: ActivationName): Module {
  switch (name) {
    case 'relu': return new ReLU();
    case 'leakyRelu': return new LeakyReLU();
    case 'tanh': return new Tanh();
    case 'sigmoid': return new Sigmoid();
    case 'elu': return new ELU();
    case 'gelu': return new GELU();
  }
}

/**
 * The MLP: Linear layers with the activation between them. ReLU and Leaky ReLU without batch
 * norm are fused into the Linear layer's GEMM pass; the last layer outputs logits.
 */
export function buildModel(spec: ModelSpec): Sequential {
  if (!(ACTIVATION_NAMES as readonly string[]).includes(spec.activation)) {
    throw new RangeError(`--activation: Expected one of ${ACTIVATION_NAMES.join(', ')} but received "${spec.activation}"`);
  }
  if (!(spec.dropout >= 0 && spec.dropout < 1)) throw new RangeError(`--dropout: Expected a probability in [0, 1) but received ${spec.dropout}`);
  const layers: Module[] = [];
  const { sizes } = spec;
  for (let i = 0; i + 1 < sizes.length; i++) {
    const last = i + 2 === sizes.length;
    const fuse = !last && !spec.batchNorm && (spec.activation === 'relu' || spec.activation === 'leakyRelu');
    layers.push(new Linear(sizes[i]!, sizes[i + 1]!, fuse ? { activation: spec.activation as 'relu' | 'leakyRelu' } : {}));
    if (last) break;
    if (spec.batchNorm) layers.push(new BatchNorm1d(sizes[i + 1]!));
    if (!fuse) layers.push(activationModule(spec.activation));
    if (spec.dropout > 0) layers.push(new Dropout(spec.dropout));
  }
  return new Sequential(...layers);
}

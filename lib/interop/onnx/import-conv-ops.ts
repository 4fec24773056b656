/**
 * What the convolutional ops become on import (as torch.onnx.export writes CNNs): Conv a Conv2d
 * layer, BatchNormalization a BatchNorm2d (BatchNorm1d off feature maps), MaxPool, AveragePool
 * and GlobalAveragePool the pooling ops, Pad (constant, reflect, edge and wrap) the pad op,
 * and the small activations PyTorch writes for CNNs (Clip for ReLU6, HardSigmoid, HardSwish, Pow,
 * Gelu — what fuse-gelu.ts makes of the Erf pattern). Asymmetric pads, and auto_pad, become
 * explicit padding in front of the op, so every file's arithmetic is kept exactly.
 */
import { add, mul, sub } from '../../autograd/ops/arithmetic';
import { gelu, relu } from '../../autograd/ops/activation';
import { outputSize } from '../../autograd/ops/conv-geometry';
import { pow } from '../../autograd/ops/math';
import { type PadMode, padAxes } from '../../autograd/ops/pad';
import { adaptiveAvgPool2d, avgPool2d, maxPool2d } from '../../autograd/ops/pool';
import { reshape } from '../../autograd/ops/shape';
import { Tensor } from '../../autograd/tensor';
import { BatchNorm1d } from '../../nn/layers/batch-norm';
import { BatchNorm2d } from '../../nn/layers/batch-norm2d';
import { Conv2d } from '../../nn/layers/conv';
import {
  type ImportContext, type OpEntry, type Value, attribute, checkSize, constantValue, count, fail, intsIn, tensorIn, unaryOp,
} from './import-ops';
import { type CheckedNode, MAX_ELEMENTS } from './read-graph';

/** x padded with `value` by before[a] and after[a] along each axis a (concatenation keeps the gradient). */
function padTensor(node: CheckedNode, x: Tensor, before: readonly number[], after: readonly number[], value = 0): Tensor {
  checkSize(node, x.shape.map((d, a) => d + before[a]! + after[a]!));
  return padAxes(x, before, after, 'constant', value);
}

function four(node: CheckedNode, x: Tensor): [number, number, number, number] {
  if (x.ndim !== 4) fail(node, `Expected a 4-D input [N, C, H, W] but received [${x.shape.join(', ')}] (only 2-D convolution and pooling are supported)`);
  return x.shape as [number, number, number, number];
}

/** A list attribute of two positive (or, for pads, four non-negative) integers. */
function spatialAttribute(node: CheckedNode, name: string, length: 2 | 4, fallback: number[], min: number): number[] {
  const v = attribute<number[]>(node, name, 'ints', fallback);
  if (v.length !== length || !v.every((d) => Number.isSafeInteger(d) && d >= min && d <= MAX_ELEMENTS)) {
    fail(node, `Expected ${name} as ${length} integers ≥ ${min} (2-D) but received [${v.join(', ')}]`);
  }
  return v;
}

interface Window {
  kernel: [number, number];
  stride: [number, number];
  dilation: [number, number];
  /** Static pads [top, left, bottom, right], or the auto_pad rule applied per input. */
  pads: number[] | 'SAME_UPPER' | 'SAME_LOWER';
}

function windowAttributes(node: CheckedNode, kernel: [number, number], hasDilation: boolean): Window {
  const stride = spatialAttribute(node, 'strides', 2, [1, 1], 1) as [number, number];
  const dilation = (hasDilation ? spatialAttribute(node, 'dilations', 2, [1, 1], 1) : [1, 1]) as [number, number];
  if (!hasDilation && node.attributes.has('dilations') && spatialAttribute(node, 'dilations', 2, [1, 1], 1).some((d) => d !== 1)) fail(node, 'dilations other than 1 are not supported');
  const auto = attribute<string>(node, 'auto_pad', 'string', 'NOTSET');
  if (auto === 'SAME_UPPER' || auto === 'SAME_LOWER') return { kernel, stride, dilation, pads: auto };
  if (auto === 'VALID') return { kernel, stride, dilation, pads: [0, 0, 0, 0] };
  if (auto !== 'NOTSET') fail(node, `Expected auto_pad NOTSET, VALID, SAME_UPPER or SAME_LOWER but received ${JSON.stringify(auto.slice(0, 40))}`);
  return { kernel, stride, dilation, pads: spatialAttribute(node, 'pads', 4, [0, 0, 0, 0], 0) };
}

/** The pads of `w` for an input of spatial size [h, w]. */
function padsFor(w: Window, h: number, width: number): number[] {
  if (Array.isArray(w.pads)) return w.pads;
  const out: number[] = [0, 0, 0, 0];
  [h, width].forEach((size, i) => {
    const total = Math.max(0, (Math.ceil(size / w.stride[i]!) - 1) * w.stride[i]! + w.dilation[i]! * (w.kernel[i]! - 1) + 1 - size);
    const small = Math.floor(total / 2);
    out[i] = w.pads === 'SAME_UPPER' ? small : total - small;
    out[i + 2] = total - out[i]!;
  });
  return out;
}

/**
 * Splits pads into the symmetric part the op takes (at most `cap` per side) and what goes in
 * front as explicit padding; checks the output fits the element bound.
 */
function splitPads(node: CheckedNode, x: Tensor, w: Window, cap: [number, number], ceil = false, channelsOut?: number, columnRows = 1) {
  const [n, c, h, width] = four(node, x);
  const pads = padsFor(w, h, width);
  const sym: [number, number] = [0, 1].map((i) => Math.min(pads[i]!, pads[i + 2]!, cap[i]!)) as [number, number];
  const before = [0, 0, pads[0]! - sym[0], pads[1]! - sym[1]];
  const after = [0, 0, pads[2]! - sym[0], pads[3]! - sym[1]];
  const [oh, ow] = [0, 1].map((i) => outputSize([h, width][i]!, w.kernel[i]!, w.stride[i]!, pads[i]!, pads[i + 2]!, w.dilation[i]!, ceil));
  if (!(oh! > 0 && ow! > 0)) fail(node, `the window ${w.kernel.join('×')} (dilation [${w.dilation.join(', ')}]) does not fit the input [${x.shape.join(', ')}] with pads [${pads.join(', ')}]`);
  if (count([n, channelsOut ?? c, oh!, ow!]) > MAX_ELEMENTS || count([columnRows, oh!, ow!]) > MAX_ELEMENTS) fail(node, `the output [${[n, channelsOut ?? c, oh, ow].join(', ')}] is too large`);
  const padded = before.some((p) => p > 0) || after.some((p) => p > 0);
  return { sym, before, after, padded };
}

const conv: OpEntry = {
  weights: [1, 2],
  compile(node, context) {
    const W = constantValue(node, context.constant(node.inputs[1] ?? ''), 'the weight W');
    if (W.kind !== 'float' || W.dims.length !== 4 || W.dims.some((d) => d < 1)) fail(node, `Expected a 4-D float weight [M, C/group, kH, kW] but received [${W.dims.join(', ')}] (only 2-D convolution is supported)`);
    const [M, perGroup, kh, kw] = W.dims as [number, number, number, number];
    const group = attribute<number>(node, 'group', 'number', 1);
    if (!(Number.isSafeInteger(group) && group >= 1 && M % group === 0) || perGroup * group > MAX_ELEMENTS) fail(node, `Expected group ≥ 1 dividing the ${M} output channels but received ${group}`);
    const kernel = spatialAttribute(node, 'kernel_shape', 2, [kh, kw], 1);
    if (kernel[0] !== kh || kernel[1] !== kw) fail(node, `kernel_shape [${kernel.join(', ')}] differs from the weight's [${kh}, ${kw}]`);
    const w = windowAttributes(node, [kh, kw], true);
    const B = node.inputs[2] ? constantValue(node, context.constant(node.inputs[2]), 'the bias B') : null;
    if (B && (B.kind !== 'float' || B.dims.length !== 1 || B.dims[0] !== M)) fail(node, `Expected a bias of ${M} floats but received [${B.dims.join(', ')}]`);
    // The layer pads symmetrically by the static pads' common part; the rest is explicit.
    const staticSym: [number, number] = Array.isArray(w.pads) ? [Math.min(w.pads[0]!, w.pads[2]!), Math.min(w.pads[1]!, w.pads[3]!)] : [0, 0];
    const layer = context.addLayer(node.inputs[1]!, new Conv2d(perGroup * group, M, [kh, kw], {
      stride: w.stride, dilation: w.dilation, groups: group, padding: staticSym, bias: B !== null,
    }));
    layer.weight.data.set(W.data as Float32Array);
    if (B) layer.bias!.data.set(B.data as Float32Array);
    return (inputs) => {
      const x = tensorIn(node, inputs, 0);
      const [, c] = four(node, x);
      if (c !== perGroup * group) fail(node, `Expected ${perGroup * group} input channels (the weight's ${perGroup} × group ${group}) but received [${x.shape.join(', ')}]`);
      const { before, after, padded } = splitPads(node, x, w, staticSym, false, M, perGroup * kh * kw);
      return [layer.forward(padded ? padTensor(node, x, before, after) : x)];
    };
  },
};

function pool(kind: 'max' | 'average'): OpEntry {
  return {
    compile(node) {
      if (node.outputs.length > 1 && node.outputs[1] !== '') fail(node, 'the Indices output is not supported');
      if (attribute<number>(node, 'storage_order', 'number', 0) !== 0) fail(node, 'only storage_order 0 is supported');
      const kernel = spatialAttribute(node, 'kernel_shape', 2, [], 1) as [number, number];
      const w = windowAttributes(node, kernel, kind === 'max');
      const ceilMode = attribute<number>(node, 'ceil_mode', 'number', 0) === 1;
      const countPad = kind === 'average' && attribute<number>(node, 'count_include_pad', 'number', 0) === 1;
      // Our ops pad by at most half the kernel, symmetrically: the rest is explicit padding, −∞
      // for max and zeros for an average that counts them; an average that does not cannot.
      const cap: [number, number] = [Math.floor(kernel[0] / 2), Math.floor(kernel[1] / 2)];
      return (inputs) => {
        const x = tensorIn(node, inputs, 0);
        const { sym, before, after, padded } = splitPads(node, x, w, cap, ceilMode);
        if (padded && kind === 'average' && !countPad) fail(node, `pads [${padsFor(w, x.shape[2]!, x.shape[3]!).join(', ')}] that are asymmetric or more than half the kernel are supported only with count_include_pad = 1`);
        const input = padded ? padTensor(node, x, before, after, kind === 'max' ? -Infinity : 0) : x;
        const options = { kernelSize: kernel, stride: w.stride, padding: sym, ceilMode, label: `node ${node.label} (${node.op})` };
        return [kind === 'max' ? maxPool2d(input, { ...options, dilation: w.dilation }) : avgPool2d(input, { ...options, countIncludePad: countPad })];
      };
    },
  };
}

/** Whether `name` holds feature maps [N, C, H, W]: made by a convolution or pooling, through elementwise ops. */
function fromFeatureMaps(context: ImportContext, name: string): boolean {
  const spatial = new Set(['Conv', 'MaxPool', 'AveragePool', 'GlobalAveragePool', 'Pad']);
  const elementwise = new Set(['Relu', 'LeakyRelu', 'Elu', 'Sigmoid', 'Tanh', 'Clip', 'HardSigmoid', 'HardSwish', 'Gelu', 'Add', 'Sub', 'Mul', 'Div', 'Identity', 'Dropout', 'BatchNormalization', 'PRelu', 'Neg', 'Abs', 'Softplus']);
  let value = name;
  for (let depth = 0; depth < 64; depth++) {
    const node = context.producer(value);
    if (!node) return context.inputRank === 4 && context.constant(value) === undefined;
    if (spatial.has(node.op)) return true;
    if (!elementwise.has(node.op)) return false;
    value = node.inputs[0] ?? '';
  }
  return false;
}

/**
 * BatchNormalization: a BatchNorm2d on feature maps, else a BatchNorm1d (ONNX's momentum
 * converted to PyTorch's). training_mode = 1 (a file exported in training mode) is the same
 * layer: its train()/eval() decides batch or running statistics; the running-statistics
 * outputs are not supported.
 */
const batchNorm: OpEntry = {
  weights: [1, 2, 3, 4],
  compile(node, context) {
    const training = attribute<number>(node, 'training_mode', 'number', 0);
    if (training !== 0 && training !== 1) fail(node, `Expected training_mode 0 or 1 but received ${training}`);
    if (node.outputs.slice(1).some((o) => o !== '' && context.isRead(o))) fail(node, 'the running mean and variance outputs are read by the graph, which is not supported');
    const parts = [1, 2, 3, 4].map((i) => constantValue(node, context.constant(node.inputs[i] ?? ''), `input ${i}`));
    const C = count(parts[0]!.dims);
    if (C < 1 || !parts.every((p) => p.kind === 'float' && count(p.dims) === C)) fail(node, `Expected scale, bias, mean and variance of ${C} floats each`);
    const eps = attribute<number>(node, 'epsilon', 'number', 1e-5);
    const momentum = attribute<number>(node, 'momentum', 'number', 0.9);
    if (!(eps > 0) || !(momentum >= 0 && momentum <= 1)) fail(node, `Expected epsilon > 0 and momentum in [0, 1] but received ${eps} and ${momentum}`);
    // ONNX's momentum weighs the old statistics, PyTorch's (ours) the new batch.
    const options = { eps, momentum: 1 - momentum };
    const spatial = fromFeatureMaps(context, node.inputs[0] ?? '');
    const layer = context.addLayer(node.inputs[1]!, spatial ? new BatchNorm2d(C, options) : new BatchNorm1d(C, options));
    const [scale, bias, mean, variance] = parts.map((p) => p.data as Float32Array);
    layer.weight!.data.set(scale!);
    layer.bias!.data.set(bias!);
    layer.runningMean!.data.set(mean!);
    layer.runningVar!.data.set(variance!);
    return (inputs) => {
      const x = tensorIn(node, inputs, 0);
      if (x.ndim < 2 || x.ndim > 4 || x.shape[1] !== C) fail(node, `Expected an input [N, ${C}], [N, ${C}, L] or [N, ${C}, H, W] but received [${x.shape.join(', ')}]`);
      // A BatchNorm2d fed [N, C] or [N, C, L] normalizes it as [N, C, L, 1]: the same statistics.
      if (layer instanceof BatchNorm2d && x.ndim !== 4) return [reshape(layer.forward(reshape(x, [x.shape[0]!, C, x.ndim === 3 ? x.shape[2]! : 1, 1])), x.shape)];
      return [layer.forward(x)];
    };
  },
};

/** A scalar input (Clip's min and max, Pad's constant value, Pow's exponent), or undefined when absent. */
function scalarIn(node: CheckedNode, inputs: (Value | undefined)[], i: number, what: string): number | undefined {
  const v = inputs[i];
  if (v === undefined) return undefined;
  const values = v instanceof Tensor ? v.data : v.data;
  if (values.length !== 1) fail(node, `Expected ${what} to be one value but it has ${values.length}`);
  return Number(values[0]);
}

/** min(max(x, lo), hi) as a + relu(x − a) and b − relu(b − y): exact where it matters, and differentiable. */
function clip(x: Tensor, lo: number | undefined, hi: number | undefined): Tensor {
  const low = lo === undefined ? x : add(relu(sub(x, lo)), lo);
  return hi === undefined ? low : sub(hi, relu(sub(hi, low)));
}

function hardSigmoid(x: Tensor, alpha: number, beta: number): Tensor {
  return clip(add(mul(x, alpha), beta), 0, 1);
}

/** ONNX's Pad modes as ours: edge is PyTorch's replicate, wrap (opset 19) its circular. */
const PAD_MODE: Record<string, PadMode> = { constant: 'constant', reflect: 'reflect', edge: 'replicate', wrap: 'circular' };

const padOp: OpEntry = {
  compile(node, context) {
    const name = attribute<string>(node, 'mode', 'string', 'constant');
    const mode = Object.hasOwn(PAD_MODE, name) ? PAD_MODE[name]! : undefined;
    if (!mode || (name === 'wrap' && context.opset < 19)) fail(node, `Expected mode "constant", "reflect", "edge" (or "wrap" from opset 19) but received ${JSON.stringify(name.slice(0, 40))}`);
    if (context.opset < 11) fail(node, 'Expected the pads as an input (opset 11 on)');
    return (inputs) => {
      const x = tensorIn(node, inputs, 0);
      const pads = intsIn(node, inputs, 1).data;
      const value = scalarIn(node, inputs, 2, 'constant_value') ?? 0;
      const axes = inputs[3] === undefined ? x.shape.map((_, a) => a) : intsIn(node, inputs, 3).data.map((a) => (a < 0 ? a + x.ndim : a));
      if (pads.length !== 2 * axes.length || !axes.every((a) => a >= 0 && a < x.ndim)) fail(node, `Expected ${2 * axes.length} pads for the axes of [${x.shape.join(', ')}] but received ${pads.length}`);
      if (pads.some((p) => p < 0)) fail(node, `negative pads (cropping) are not supported: [${pads.join(', ')}]`);
      const before = new Array<number>(x.ndim).fill(0);
      const after = new Array<number>(x.ndim).fill(0);
      axes.forEach((a, i) => { before[a] = pads[i]!; after[a] = pads[i + axes.length]!; });
      if (mode === 'constant') return [padTensor(node, x, before, after, value)];
      checkSize(node, x.shape.map((d, a) => d + before[a]! + after[a]!));
      try {
        return [padAxes(x, before, after, mode)];
      } catch (error) {
        return fail(node, (error as Error).message.replace(/^pad: /, ''));
      }
    };
  },
};

export const CONV_OPS: Record<string, OpEntry> = {
  Conv: conv,
  MaxPool: pool('max'),
  AveragePool: pool('average'),
  GlobalAveragePool: {
    compile: (node) => (inputs) => {
      const x = tensorIn(node, inputs, 0);
      four(node, x);
      return [adaptiveAvgPool2d(x, 1, { label: `node ${node.label} (GlobalAveragePool)` })];
    },
  },
  BatchNormalization: batchNorm,
  Pad: padOp,
  Clip: {
    compile: (node) => (inputs) => {
      const lo = scalarIn(node, inputs, 1, 'min');
      const hi = scalarIn(node, inputs, 2, 'max');
      if (lo !== undefined && hi !== undefined && !(lo <= hi)) fail(node, `Expected min ≤ max but received ${lo} and ${hi}`);
      return [clip(tensorIn(node, inputs, 0), lo, hi)];
    },
  },
  HardSigmoid: unaryOp((x, node) => hardSigmoid(x, attribute<number>(node, 'alpha', 'number', 0.2), attribute<number>(node, 'beta', 'number', 0.5))),
  HardSwish: unaryOp((x) => mul(x, hardSigmoid(x, 1 / 6, 0.5))),
  Pow: {
    compile: (node) => (inputs) => {
      const exponent = scalarIn(node, inputs, 1, 'the exponent');
      if (exponent === undefined || !Number.isFinite(exponent)) fail(node, 'Expected a finite scalar exponent');
      return [pow(tensorIn(node, inputs, 0), exponent!)];
    },
  },
  /** ONNX's own Gelu (opset 20), and what fuse-gelu.ts makes of PyTorch's Erf pattern. */
  Gelu: unaryOp((x, node) => {
    const approximate = attribute<string>(node, 'approximate', 'string', 'none');
    if (approximate !== 'none' && approximate !== 'tanh') fail(node, `Expected approximate "none" or "tanh" but received ${JSON.stringify(approximate.slice(0, 40))}`);
    return gelu(x, approximate as 'none' | 'tanh');
  }),
  Erf: {
    compile: (node) => fail(node, 'Erf is supported as part of GELU only, x·(1 + erf(x/√2))/2 as torch.onnx.export writes it (Div or Mul by a constant, Erf, Add 1, Mul by x and by 0.5)'),
  },
};

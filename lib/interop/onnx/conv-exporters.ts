/**
 * The table entries of the convolutional layers, in evaluation mode: Conv2d (Conv, a fused ReLU
 * as Relu), MaxPool2d (MaxPool), AvgPool2d (AveragePool; a divisor override as a depthwise Conv),
 * AdaptiveAvgPool2d (GlobalAveragePool for 1×1, AveragePool where the bins divide the input
 * evenly), Dropout2d (removed) and Unflatten (Reshape). BatchNorm2d is beside BatchNorm1d in
 * layer-exporters.ts. ONNX writes pads as [top, left, bottom, right], as the geometry does.
 */
import { outputSize } from '../../autograd/ops/conv-geometry';
import { Conv2d } from '../../nn/layers/conv';
import { Dropout2d } from '../../nn/layers/dropout2d';
import { AdaptiveAvgPool2d, AvgPool2d, MaxPool2d } from '../../nn/layers/pooling';
import { Unflatten } from '../../nn/layers/shape';
import { type Dim, type GraphBuilder, type Value, attr, formatDims } from './graph-builder';
import { registerExporter, staticDims, unaryNode } from './exporters';

/** The layer and where it is in the model, as errors name it: "AvgPool2d(…) at 3". */
function owner(b: GraphBuilder, layer: { toString(): string }): string {
  return `${layer.toString()}${b.path ? ` at ${b.path}` : ''}`;
}

/** x checked to be [N, C, H, W] (C = channels when given). */
function spatialInput(b: GraphBuilder, layer: { toString(): string }, x: Value, channels?: number): void {
  if (x.shape.length !== 4 || (channels !== undefined && x.shape[1] !== channels)) {
    throw new RangeError(`onnx.exportModel: ${owner(b, layer)}: Expected an input [N, ${channels ?? 'C'}, H, W] but received ${formatDims(x.shape)}`);
  }
}

/** One output dimension: its size when the input's is known, else a name saying how it is made. */
function outDim(d: Dim, taps: number, stride: number, before: number, after: number, dilation: number, ceil = false): Dim {
  if (typeof d === 'number') return outputSize(d, taps, stride, before, after, dilation, ceil);
  return `${d}_out`;
}

/** The output shape of a window op over [N, C, H, W]; a clear error when the window does not fit. */
function windowShape(b: GraphBuilder, layer: { toString(): string }, x: Value, channels: number, kernel: readonly number[], stride: readonly number[], pads: readonly number[], dilation: readonly number[], ceil = false): Dim[] {
  const h = outDim(x.shape[2]!, kernel[0]!, stride[0]!, pads[0]!, pads[2]!, dilation[0]!, ceil);
  const w = outDim(x.shape[3]!, kernel[1]!, stride[1]!, pads[1]!, pads[3]!, dilation[1]!, ceil);
  if (h === 0 || w === 0) {
    throw new RangeError(`onnx.exportModel: ${owner(b, layer)}: the window ${kernel.join('×')} does not fit the input ${formatDims(x.shape)} with padding [${pads.join(', ')}]`);
  }
  return [x.shape[0]!, channels, h, w];
}

/** Conv2d: Conv with its pads (PyTorch's split for 'same': the extra row and column at the end). */
registerExporter(Conv2d, (m, x, { builder: b }) => {
  spatialInput(b, m, x, m.inChannels);
  const [kh, kw] = m.kernelSize;
  const [dh, dw] = m.dilation;
  let pads: number[];
  if (m.padding === 'valid') pads = [0, 0, 0, 0];
  else if (m.padding === 'same') {
    const th = dh * (kh - 1);
    const tw = dw * (kw - 1);
    pads = [Math.floor(th / 2), Math.floor(tw / 2), th - Math.floor(th / 2), tw - Math.floor(tw / 2)];
  } else pads = [m.padding[0], m.padding[1], m.padding[0], m.padding[1]];
  const shape = windowShape(b, m, x, m.outChannels, m.kernelSize, m.stride, pads, m.dilation);
  const inputs = [x.name, b.weight('weight', m.weight.data, [m.outChannels, m.inChannels / m.groups, kh, kw])];
  if (m.bias) inputs.push(b.weight('bias', m.bias.data, [m.outChannels]));
  const y = b.op('Conv', inputs, shape, {
    kernel_shape: attr.ints([kh, kw]), strides: attr.ints(m.stride), pads: attr.ints(pads), dilations: attr.ints(m.dilation), group: attr.int(m.groups),
  });
  return m.activation === 'relu' ? unaryNode(b, 'Relu', y) : y;
});

/**
 * A pooling window's ONNX attributes. PyTorch's ceil mode drops a last window that would start in
 * the end padding; ONNX Runtime does too, but onnx 1.12's shape inference does not, so ceil_mode
 * is written only for a dimension where it adds a window (and then both agree). Where one
 * dimension needs it and the other would lose a window, the first gets that window from extra
 * end padding instead, which is exact when padding never counts (max, or average without
 * counting the padding).
 */
function poolAttributes(b: GraphBuilder, m: MaxPool2d | AvgPool2d, x: Value, dilation: readonly number[], padCounts: boolean) {
  const pads = [m.padding[0], m.padding[1], m.padding[0], m.padding[1]];
  const shape = windowShape(b, m, x, x.shape[1] as number, m.kernelSize, m.stride, pads, dilation, m.ceilMode);
  let ceil = m.ceilMode;
  const sizes = x.shape.slice(2);
  if (ceil && sizes.every((d) => typeof d === 'number')) {
    const floorShape = windowShape(b, m, x, x.shape[1] as number, m.kernelSize, m.stride, pads, dilation, false);
    const adds = [0, 1].map((i) => shape[2 + i] !== floorShape[2 + i]);
    ceil = adds[0]! && adds[1]!;
    if (adds[0] !== adds[1]) {
      const k = adds[0] ? 0 : 1;
      if (padCounts) {
        throw new RangeError(`onnx.exportModel: ${owner(b, m)}: ceil mode adds a window in one dimension of ${formatDims(x.shape)} only, which ONNX cannot write when the padding counts in the average`);
      }
      const effective = dilation[k]! * (m.kernelSize[k]! - 1) + 1;
      pads[2 + k] = ((shape[2 + k] as number) - 1) * m.stride[k]! + effective - (sizes[k] as number) - pads[k]!;
    }
  }
  return {
    shape,
    attributes: { kernel_shape: attr.ints(m.kernelSize), strides: attr.ints(m.stride), pads: attr.ints(pads), ceil_mode: attr.int(ceil ? 1 : 0) },
  };
}

/** MaxPool2d: MaxPool (−∞ padding, as ours). */
registerExporter(MaxPool2d, (m, x, { builder: b }) => {
  spatialInput(b, m, x);
  const { shape, attributes } = poolAttributes(b, m, x, m.dilation, false);
  return b.op('MaxPool', [x.name], shape, { ...attributes, dilations: attr.ints(m.dilation) });
});

/**
 * AvgPool2d: AveragePool with count_include_pad as the layer has it. ONNX has no divisor
 * override: then each window's sum is a depthwise Conv with weights 1/divisor (the zero padding
 * adds nothing, so ceil mode's last partial windows are extra padding at the end).
 */
registerExporter(AvgPool2d, (m, x, { builder: b }) => {
  spatialInput(b, m, x);
  if (m.divisorOverride === null) {
    const { shape, attributes } = poolAttributes(b, m, x, [1, 1], m.countIncludePad);
    return b.op('AveragePool', [x.name], shape, { ...attributes, count_include_pad: attr.int(m.countIncludePad ? 1 : 0) });
  }
  const pads = [m.padding[0], m.padding[1], m.padding[0], m.padding[1]];
  const shape = windowShape(b, m, x, x.shape[1] as number, m.kernelSize, m.stride, pads, [1, 1], m.ceilMode);
  const [C, H, W] = staticDims(owner(b, m), x.shape.slice(1));
  const [kh, kw] = m.kernelSize;
  const [oh, ow] = shape.slice(2) as [number, number];
  // The end padding that makes floor-mode windows reach every output of ceil mode.
  const end = (size: number, k: number, s: number, p: number, o: number) => Math.max(p, (o - 1) * s + k - size - p);
  const convPads = [pads[0]!, pads[1]!, end(H!, kh, m.stride[0], pads[2]!, oh), end(W!, kw, m.stride[1], pads[3]!, ow)];
  const weight = new Float32Array(C! * kh * kw).fill(1 / m.divisorOverride);
  return b.op('Conv', [x.name, b.weight('sum_weight', weight, [C!, 1, kh, kw])], shape, {
    kernel_shape: attr.ints(m.kernelSize), strides: attr.ints(m.stride), pads: attr.ints(convPads), dilations: attr.ints([1, 1]), group: attr.int(C!),
  });
});

/**
 * AdaptiveAvgPool2d: 1×1 is GlobalAveragePool (any input size); another output size is an
 * AveragePool whose kernel and stride are input/output, which needs both to be known and to
 * divide evenly (PyTorch's bins overlap otherwise, which no ONNX pooling op has).
 */
registerExporter(AdaptiveAvgPool2d, (m, x, { builder: b }) => {
  spatialInput(b, m, x);
  const wanted = typeof m.outputSize === 'number' ? [m.outputSize, m.outputSize] : m.outputSize;
  const out = [wanted[0] ?? x.shape[2]!, wanted[1] ?? x.shape[3]!];
  if (out[0] === 1 && out[1] === 1) return b.op('GlobalAveragePool', [x.name], [x.shape[0]!, x.shape[1]!, 1, 1]);
  const where = owner(b, m);
  const [H, W] = staticDims(where, x.shape.slice(2));
  const [oh, ow] = staticDims(where, out);
  if (H! % oh! !== 0 || W! % ow! !== 0) {
    throw new RangeError(`onnx.exportModel: ${where}: the input ${H}×${W} does not divide evenly into ${oh}×${ow} bins; ONNX has no adaptive pooling, so only output sizes that divide the input (or 1×1) export`);
  }
  const kernel = [H! / oh!, W! / ow!];
  return b.op('AveragePool', [x.name], [x.shape[0]!, x.shape[1]!, oh!, ow!], { kernel_shape: attr.ints(kernel), strides: attr.ints(kernel) });
});

/** Dropout2d is the identity in evaluation: no node at all. */
registerExporter(Dropout2d, (_m, x) => x);

/** Unflatten(dim, sizes): a Reshape copying the dimensions before `dim` (0), so the batch stays dynamic. */
registerExporter(Unflatten, (m, x, { builder: b }) => {
  const rank = x.shape.length;
  const dim = m.dim < 0 ? m.dim + rank : m.dim;
  const size = x.shape[dim];
  const product = m.sizes.reduce((a, c) => a * c, 1);
  if (!(dim >= 1 && dim < rank) || (typeof size === 'number' && size !== product)) {
    throw new RangeError(`onnx.exportModel: Unflatten(${m.dim}, [${m.sizes.join(', ')}]): cannot split dimension ${m.dim} of ${formatDims(x.shape)} into [${m.sizes.join(', ')}]`);
  }
  const after = staticDims('Unflatten', x.shape.slice(dim + 1));
  const target = [...x.shape.slice(0, dim).map(() => 0), ...m.sizes, ...after];
  return b.op('Reshape', [x.name, b.int64('shape', target)], [...x.shape.slice(0, dim), ...m.sizes, ...after]);
});

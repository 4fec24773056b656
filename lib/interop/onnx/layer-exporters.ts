/**
 * The table entries of the feed-forward layers, in evaluation mode: Sequential, Linear, the
 * activations, BatchNorm1d and BatchNorm2d, Dropout (removed), Flatten, Identity, Embedding and the hierarchical
 * softmax (its logProbs). Where ONNX has no op of its own the decomposition is written beside the
 * entry (and in docs/interop.md).
 */
import {
  ELU, GELU, LeakyReLU, LogSigmoid, NoisyReLU, PReLU, ReLU, RReLU, Sigmoid, Softplus, Tanh,
} from '../../nn/layers/activations';
import { BatchNorm1d, type BatchNormBase } from '../../nn/layers/batch-norm';
import { BatchNorm2d } from '../../nn/layers/batch-norm2d';
import { Dropout } from '../../nn/layers/dropout';
import { Embedding } from '../../nn/layers/embedding';
import { HierarchicalSoftmax } from '../../nn/layers/hierarchical-softmax';
import { Linear } from '../../nn/layers/linear';
import { Flatten, Identity } from '../../nn/layers/shape';
import { Sequential } from '../../nn/sequential';
import { type Dim, type GraphBuilder, type Value, attr, formatDims } from './graph-builder';
import { DataType } from './proto';
import {
  expectFeatures, logSigmoidNodes, negate, registerExporter, scale, single, staticDims, unaryNode,
} from './exporters';

registerExporter(Sequential, (m, input, context) => {
  let x = input;
  for (let i = 0; i < m.length; i++) x = single(context.child(m[i]!, String(i), x), `${m[i]!.constructor.name} at position ${i}`);
  return x;
});

registerExporter(Identity, (_m, x) => x);
/** Dropout is the identity in evaluation: no node at all. */
registerExporter(Dropout, (_m, x) => x);

/**
 * Linear: Gemm (transB = 1, the weight stays [out, in] as PyTorch writes it) for [N, in]; for
 * more dimensions MatMul with the transposed weight, then Add. A fused activation follows.
 */
registerExporter(Linear, (m, x, { builder: b }) => {
  expectFeatures(`Linear(${m.inFeatures}, ${m.outFeatures})`, x, m.inFeatures);
  const shape = [...x.shape.slice(0, -1), m.outFeatures];
  let y: Value;
  if (x.shape.length === 2) {
    const inputs = [x.name, b.weight('weight', m.weight.data, [m.outFeatures, m.inFeatures])];
    if (m.bias) inputs.push(b.weight('bias', m.bias.data, [m.outFeatures]));
    y = b.op('Gemm', inputs, shape, { transB: attr.int(1) });
  } else {
    const w = m.weight.data;
    const transposed = new Float32Array(w.length);
    for (let o = 0; o < m.outFeatures; o++) for (let i = 0; i < m.inFeatures; i++) transposed[i * m.outFeatures + o] = w[o * m.inFeatures + i]!;
    y = b.op('MatMul', [x.name, b.weight('weight_t', transposed, [m.inFeatures, m.outFeatures])], shape);
    if (m.bias) y = b.op('Add', [y.name, b.weight('bias', m.bias.data, [m.outFeatures])], shape);
  }
  if (m.activation === 'relu') return unaryNode(b, 'Relu', y);
  if (m.activation === 'leakyRelu') return unaryNode(b, 'LeakyRelu', y, { alpha: attr.float(m.slope) });
  return y;
});

registerExporter(ReLU, (_m, x, { builder: b }) => unaryNode(b, 'Relu', x));
/** NoisyReLU adds noise in training only: at evaluation it is ReLU. */
registerExporter(NoisyReLU, (_m, x, { builder: b }) => unaryNode(b, 'Relu', x));
registerExporter(Sigmoid, (_m, x, { builder: b }) => unaryNode(b, 'Sigmoid', x));
registerExporter(Tanh, (_m, x, { builder: b }) => unaryNode(b, 'Tanh', x));
registerExporter(LeakyReLU, (m, x, { builder: b }) => unaryNode(b, 'LeakyRelu', x, { alpha: attr.float(m.negativeSlope) }));
/** RReLU at evaluation: the mean slope (lower + upper)/2, a LeakyRelu. */
registerExporter(RReLU, (m, x, { builder: b }) => unaryNode(b, 'LeakyRelu', x, { alpha: attr.float((m.lower + m.upper) / 2) }));
registerExporter(ELU, (m, x, { builder: b }) => unaryNode(b, 'Elu', x, { alpha: attr.float(m.alpha) }));
/** log σ(x) = −Softplus(−x). */
registerExporter(LogSigmoid, (_m, x, { builder: b }) => logSigmoidNodes(b, x));

/** PReLU: PRelu with the slope shaped [C, 1, …] so it broadcasts over dimension 1 of [N, C, …]. */
registerExporter(PReLU, (m, x, { builder: b }) => {
  const channels = m.weight.size;
  if (channels > 1 && (x.shape.length < 2 || x.shape[1] !== channels)) {
    throw new RangeError(`onnx.exportModel: PReLU(${channels}): Expected an input with ${channels} channels in dimension 1 but received ${formatDims(x.shape)}`);
  }
  const dims = channels > 1 ? [channels, ...x.shape.slice(2).map(() => 1)] : [1];
  return b.op('PRelu', [x.name, b.weight('weight', m.weight.data, dims)], x.shape);
});

/**
 * Softplus(β, threshold) = x where βx > threshold, else Softplus(βx)/β: ONNX's Softplus has
 * neither parameter, so the cut-over is a Where, as PyTorch defines it (but see below).
 */
registerExporter(Softplus, (m, x, { builder: b }) => {
  // β = 1 and a threshold of 20 or more: above it log(1 + eˣ) − x < 2.1e-9, below float32's
  // resolution of x, so the plain op is exact (PyTorch exports it so too).
  if (m.beta === 1 && m.threshold >= 20) return unaryNode(b, 'Softplus', x);
  const bx = scale(b, x, m.beta, 'beta');
  const soft = unaryNode(b, 'Softplus', bx);
  const smooth = m.beta === 1 ? soft : b.op('Div', [soft.name, b.scalar('beta_divisor', m.beta)], x.shape);
  const above = b.op('Greater', [bx.name, b.scalar('threshold', m.threshold)], x.shape, {}, DataType.BOOL);
  return b.op('Where', [above.name, x.name, smooth.name], x.shape);
});

/**
 * GELU: opset 20 has Gelu; before it, x·(1 + erf(x/√2))/2, or for approximate "tanh"
 * x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))/2.
 */
registerExporter(GELU, (m, x, { builder: b }) => {
  if (b.opset >= 20) return unaryNode(b, 'Gelu', x, { approximate: attr.string(m.approximate) });
  let inner: Value;
  if (m.approximate === 'none') {
    inner = unaryNode(b, 'Erf', scale(b, x, Math.SQRT1_2, 'inv_sqrt2'));
  } else {
    const cube = b.op('Mul', [b.op('Mul', [x.name, x.name], x.shape).name, x.name], x.shape);
    const sum = b.op('Add', [x.name, scale(b, cube, 0.044715, 'cubic').name], x.shape);
    inner = unaryNode(b, 'Tanh', scale(b, sum, Math.sqrt(2 / Math.PI), 'sqrt_2_over_pi'));
  }
  const onePlus = b.op('Add', [inner.name, b.scalar('one', 1)], x.shape);
  const half = scale(b, x, 0.5, 'half');
  return b.op('Mul', [half.name, onePlus.name], x.shape);
});

/**
 * BatchNorm1d and BatchNorm2d with running statistics: BatchNormalization (inference mode) on
 * them. Without (trackRunningStats false) evaluation normalizes by the batch's own biased
 * statistics, so those are computed in the graph: ReduceMean over every dimension but the channels.
 */
function batchNormNodes(b: GraphBuilder, m: BatchNormBase, x: Value, label: string, ranks: readonly number[], expected: string): Value {
  const C = m.numFeatures;
  if (!ranks.includes(x.shape.length) || x.shape[1] !== C) {
    throw new RangeError(`onnx.exportModel: ${label}(${C}): Expected an input ${expected} but received ${formatDims(x.shape)}`);
  }
  const channelDims = [C, ...x.shape.slice(2).map(() => 1)];
  const ones = new Float32Array(C).fill(1);
  const gamma = m.weight ? m.weight.data : ones;
  const beta = m.bias ? m.bias.data : new Float32Array(C);
  if (m.runningMean && m.runningVar) {
    const inputs = [
      x.name, b.weight('weight', gamma, [C]), b.weight('bias', beta, [C]),
      b.weight('running_mean', m.runningMean.data, [C]), b.weight('running_var', m.runningVar.data, [C]),
    ];
    return b.op('BatchNormalization', inputs, x.shape, { epsilon: attr.float(m.eps) });
  }
  const axes = x.shape.map((_, i) => i).filter((i) => i !== 1);
  const meanShape: Dim[] = [1, ...channelDims];
  // ReduceMean takes its axes as an attribute before opset 18, as an input from 18 on.
  const reduceMean = (v: Value) => (b.opset >= 18
    ? b.op('ReduceMean', [v.name, b.int64('reduce_axes', axes)], meanShape)
    : b.op('ReduceMean', [v.name], meanShape, { axes: attr.ints(axes) }));
  const mean = reduceMean(x);
  const centered = b.op('Sub', [x.name, mean.name], x.shape);
  const variance = reduceMean(b.op('Mul', [centered.name, centered.name], x.shape));
  const std = unaryNode(b, 'Sqrt', b.op('Add', [variance.name, b.scalar('eps', m.eps)], meanShape));
  const normalized = b.op('Div', [centered.name, std.name], x.shape);
  const scaled = b.op('Mul', [normalized.name, b.weight('weight', gamma, channelDims)], x.shape);
  return b.op('Add', [scaled.name, b.weight('bias', beta, channelDims)], x.shape);
}

registerExporter(BatchNorm1d, (m, x, { builder: b }) => batchNormNodes(b, m, x, 'BatchNorm1d', [2, 3], `[N, ${m.numFeatures}] or [N, ${m.numFeatures}, L]`));
registerExporter(BatchNorm2d, (m, x, { builder: b }) => batchNormNodes(b, m, x, 'BatchNorm2d', [4], `[N, ${m.numFeatures}, H, W]`));

/**
 * Flatten(startDim, endDim): ONNX's Flatten when the flattening runs to the last dimension from
 * dimension 1 (its 2-D output); otherwise a Reshape that copies the leading dimensions (0) and
 * merges the middle ones (−1).
 */
registerExporter(Flatten, (m, x, { builder: b }) => {
  const rank = x.shape.length;
  const norm = (d: number) => (d < 0 ? d + rank : d);
  const start = norm(m.startDim);
  const end = norm(m.endDim);
  if (!(start >= 0 && end < rank && start <= end)) {
    throw new RangeError(`onnx.exportModel: Flatten: dimensions ${m.startDim}..${m.endDim} do not fit an input of shape ${formatDims(x.shape)}`);
  }
  const merged = x.shape.slice(start, end + 1);
  const size: Dim = merged.every((d) => typeof d === 'number') ? (merged as number[]).reduce((a, c) => a * c, 1) : `${merged.join('*')}`;
  const shape = [...x.shape.slice(0, start), size, ...x.shape.slice(end + 1)];
  if (start === 1 && end === rank - 1) return b.op('Flatten', [x.name], shape, { axis: attr.int(1) });
  const target = [...x.shape.slice(0, start).map(() => 0), -1, ...staticDims('Flatten', x.shape.slice(end + 1))];
  return b.op('Reshape', [x.name, b.int64('shape', target)], shape);
});

/** Embedding: Gather of the weight's rows by the int64 ids. */
registerExporter(Embedding, (m, ids, { builder: b }) => {
  if (ids.type !== DataType.INT64 && ids.type !== DataType.INT32) {
    throw new TypeError(`onnx.exportModel: Embedding: Expected integer ids (an int64 input) but received a float input; pass inputType: 'int64'`);
  }
  const weight = b.weight('weight', m.weight.data, [m.numEmbeddings, m.embeddingDim]);
  return b.op('Gather', [weight, ids.name], [...ids.shape, m.embeddingDim], { axis: attr.int(0) });
});

/**
 * HierarchicalSoftmax exports its logProbs: s = x·Wᵀ + b per inner node, then for every class
 * the sum of log σ(∓s) along its path. The path terms come from one Gather over
 * [log σ(−s) | log σ(s)] with indices [C, depth] (padding masked out), then ReduceSum.
 */
registerExporter(HierarchicalSoftmax, (m, x, { builder: b }) => {
  expectFeatures(`HierarchicalSoftmax(${m.inFeatures}, ${m.numClasses})`, x, m.inFeatures);
  if (x.shape.length !== 2) throw new RangeError(`onnx.exportModel: HierarchicalSoftmax: Expected an input [N, ${m.inFeatures}] but received ${formatDims(x.shape)}`);
  return hsoftmaxLogProbs(b, m, x);
});

function hsoftmaxLogProbs(b: GraphBuilder, m: HierarchicalSoftmax, x: Value): Value {
  const nodes = m.numClasses - 1;
  const C = m.numClasses;
  const N = x.shape[0]!;
  const inputs = [x.name, b.weight('weight', m.weight.data, [nodes, m.inFeatures])];
  if (m.bias) inputs.push(b.weight('bias', m.bias.data, [nodes]));
  const s = b.op('Gemm', inputs, [N, nodes], { transB: attr.int(1) });
  const sides = b.op('Concat', [logSigmoidNodes(b, negate(b, s)).name, logSigmoidNodes(b, s).name], [N, 2 * nodes], { axis: attr.int(1) });
  const { pathOffsets, pathNodes, pathCodes, depth } = m.tree;
  const index = new Array<number>(C * depth).fill(0);
  const mask = new Float32Array(C * depth);
  for (let c = 0; c < C; c++) {
    for (let p = pathOffsets[c]!, k = 0; p < pathOffsets[c + 1]!; p++, k++) {
      index[c * depth + k] = pathCodes[p]! * nodes + pathNodes[p]!; // code 0 → log σ(−s), 1 → log σ(s)
      mask[c * depth + k] = 1;
    }
  }
  const terms = b.op('Gather', [sides.name, b.int64('path_index', index, [C, depth])], [N, C, depth], { axis: attr.int(1) });
  const masked = b.op('Mul', [terms.name, b.weight('path_mask', mask, [C, depth])], [N, C, depth]);
  return b.op('ReduceSum', [masked.name, b.int64('path_axis', [2])], [N, C], { keepdims: attr.int(0) });
}

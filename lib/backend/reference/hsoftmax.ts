/**
 * Reference hierarchical softmax: the paths walked with plain loops in double, each result
 * rounded once to float32. The tree's checks run in the order of native/exports/hsoftmax.cc, so
 * both backends refuse a bad tree with the same message (the other checks come from the
 * declarations).
 */
import type { Floats, ReferenceContext } from '../declare';

interface Tree {
  offsets: Int32Array;
  nodes: Int32Array;
  codes: Int32Array;
  classes: number;
}

/** log σ(u) = min(u, 0) − log1p(exp(−|u|)): never exp of a large positive number. */
const logSigmoid = (u: number) => Math.min(u, 0) - Math.log1p(Math.exp(-Math.abs(u)));
const sigmoid = (u: number) => (u >= 0 ? 1 / (1 + Math.exp(-u)) : Math.exp(u) / (1 + Math.exp(u)));

/** pathOffsets starts at 0 and ends at pathNodes.length. */
function tree(context: ReferenceContext, offsets: Int32Array, nodes: Int32Array, codes: Int32Array, classes: number): Tree {
  if (offsets[0] !== 0) throw context.rangeError(`Expected pathOffsets[0] = 0 but received ${offsets[0]}`);
  if (offsets[classes] !== nodes.length) {
    throw context.rangeError(`Expected pathOffsets[classes] = pathNodes.length = ${nodes.length} but received ${offsets[classes]}`);
  }
  return { offsets, nodes, codes, classes };
}

/** Class c's path: offsets ascending inside pathNodes, no longer than depth, nodes in [0, classes − 1), codes 0 or 1. */
function checkPath(context: ReferenceContext, t: Tree, c: number, depth: number): void {
  const begin = t.offsets[c]!;
  const end = t.offsets[c + 1]!;
  if (begin < 0 || end < begin || end > t.nodes.length) {
    throw context.rangeError(`Expected pathOffsets ascending within [0, pathNodes.length] but pathOffsets[${c}..${c + 1}] are ${begin}, ${end}`);
  }
  if (end - begin > depth) {
    throw context.rangeError(`Expected paths no longer than depth = ${depth} but class ${c}'s has ${end - begin} nodes`);
  }
  for (let p = begin; p < end; p++) {
    const node = t.nodes[p]!;
    if (node < 0 || node >= t.classes - 1) {
      throw context.rangeError(`Expected pathNodes in [0, classes-1) = [0, ${t.classes - 1}) but pathNodes[${p}] is ${node}`);
    }
    const code = t.codes[p]!;
    if (code !== 0 && code !== 1) throw context.rangeError(`Expected pathCodes of 0 or 1 but pathCodes[${p}] is ${code}`);
  }
}

const dot = (a: Floats, ao: number, b: Floats, bo: number, n: number) => {
  let sum = 0;
  for (let j = 0; j < n; j++) sum += a[ao + j]! * b[bo + j]!;
  return sum;
};

export function hsoftmaxLoss(
  this: ReferenceContext, x: Floats, labels: Int32Array, weight: Floats, bias: Floats,
  pathOffsets: Int32Array, pathNodes: Int32Array, pathCodes: Int32Array,
  rows: number, features: number, classes: number, depth: number, dz: Floats, losses: Floats,
): void {
  const t = tree(this, pathOffsets, pathNodes, pathCodes, classes);
  for (const label of labels) checkPath(this, t, label, depth);
  for (let i = 0; i < rows; i++) {
    const label = labels[i]!;
    const begin = t.offsets[label]!;
    const length = t.offsets[label + 1]! - begin;
    let loss = 0;
    for (let k = 0; k < length; k++) {
      const node = t.nodes[begin + k]!;
      const code = t.codes[begin + k]!;
      let z = dot(weight, node * features, x, i * features, features);
      if (bias.length) z += bias[node]!;
      loss -= logSigmoid(code ? z : -z);
      dz[i * depth + k] = sigmoid(z) - code;
    }
    for (let k = length; k < depth; k++) dz[i * depth + k] = 0;
    losses[i] = loss;
  }
}

export function hsoftmaxBackward(
  this: ReferenceContext, x: Floats, labels: Int32Array, weight: Floats,
  pathOffsets: Int32Array, pathNodes: Int32Array, pathCodes: Int32Array, dz: Floats, dlosses: Floats,
  rows: number, features: number, classes: number, depth: number, dx: Floats, dweight: Floats, dbias: Floats,
): void {
  const t = tree(this, pathOffsets, pathNodes, pathCodes, classes);
  for (const label of labels) checkPath(this, t, label, depth);
  // Per touched node, a double accumulator filled in row order, added to its row once.
  const rowSums = new Map<number, { w: Float64Array; b: number }>();
  const acc = new Float64Array(features);
  for (let i = 0; i < rows; i++) {
    const label = labels[i]!;
    const begin = t.offsets[label]!;
    const length = t.offsets[label + 1]! - begin;
    const g = dlosses[i]!;
    acc.fill(0);
    for (let k = 0; k < length; k++) {
      const node = t.nodes[begin + k]!;
      const c = g * dz[i * depth + k]!;
      for (let f = 0; f < features; f++) acc[f] += c * weight[node * features + f]!;
      let sum = rowSums.get(node);
      if (!sum) rowSums.set(node, (sum = { w: new Float64Array(features), b: 0 }));
      for (let f = 0; f < features; f++) sum.w[f] += c * x[i * features + f]!;
      sum.b += c;
    }
    for (let f = 0; f < features; f++) dx[i * features + f] = acc[f]!;
  }
  for (const [node, sum] of rowSums) {
    for (let f = 0; f < features; f++) dweight[node * features + f] = dweight[node * features + f]! + sum.w[f]!;
    if (dbias.length) dbias[node] = dbias[node]! + sum.b;
  }
}

export function hsoftmaxLogProbs(
  this: ReferenceContext, x: Floats, weight: Floats, bias: Floats,
  pathOffsets: Int32Array, pathNodes: Int32Array, pathCodes: Int32Array,
  rows: number, features: number, classes: number, out: Floats,
): void {
  const t = tree(this, pathOffsets, pathNodes, pathCodes, classes);
  for (let c = 0; c < classes; c++) checkPath(this, t, c, classes - 1);
  const nodes = classes - 1;
  const side = new Float64Array(2 * nodes);
  for (let i = 0; i < rows; i++) {
    for (let n = 0; n < nodes; n++) {
      const z = dot(weight, n * features, x, i * features, features) + (bias.length ? bias[n]! : 0);
      side[2 * n] = logSigmoid(-z);
      side[2 * n + 1] = logSigmoid(z);
    }
    for (let c = 0; c < classes; c++) {
      let sum = 0;
      for (let p = t.offsets[c]!; p < t.offsets[c + 1]!; p++) sum += side[2 * t.nodes[p]! + t.codes[p]!]!;
      out[i * classes + c] = sum;
    }
  }
}

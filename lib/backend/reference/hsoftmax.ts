/**
 * Reference hierarchical softmax: the paths walked with plain loops in double, each result
 * rounded once to float32. Checks run in the order of native/exports/hsoftmax.cc, so both
 * backends refuse a bad call with the same message.
 */
import type { HsoftmaxKernels } from '../contract/hsoftmax';
import { checkCount, checkDisjoint, checkLength, describe, f32, i32, index, product } from '../validate';

interface Tree {
  offsets: Int32Array;
  nodes: Int32Array;
  codes: Int32Array;
  classes: number;
}

/** log σ(u) = min(u, 0) − log1p(exp(−|u|)): never exp of a large positive number. */
const logSigmoid = (u: number) => Math.min(u, 0) - Math.log1p(Math.exp(-Math.abs(u)));
const sigmoid = (u: number) => (u >= 0 ? 1 / (1 + Math.exp(-u)) : Math.exp(u) / (1 + Math.exp(u)));

function matrix(fn: string, name: string, a: Float32Array, rows: number, cols: number, expr: string): void {
  checkLength(fn, name, a, product(fn, rows, cols, expr), expr);
}

function optionalPerNode(fn: string, name: string, a: Float32Array, nodes: number): Float32Array {
  if (a.length !== 0 && a.length !== nodes) {
    throw new RangeError(`${fn}: Expected a Float32Array of length classes-1 = ${nodes} or 0 for ${name} but received ${describe(a)}`);
  }
  return a;
}

function treeArgs(fn: string, offsets: unknown, nodes: unknown, codes: unknown, classes: number): Tree {
  const t = { offsets: i32(fn, 'pathOffsets', offsets), nodes: i32(fn, 'pathNodes', nodes), codes: i32(fn, 'pathCodes', codes), classes };
  if (classes === 0) throw new RangeError(`${fn}: Expected classes >= 1 but received 0`);
  checkLength(fn, 'pathOffsets', t.offsets, classes + 1, 'classes+1');
  checkLength(fn, 'pathCodes', t.codes, t.nodes.length, 'pathNodes.length');
  if (t.offsets[0] !== 0) throw new RangeError(`${fn}: Expected pathOffsets[0] = 0 but received ${t.offsets[0]}`);
  if (t.offsets[classes] !== t.nodes.length) {
    throw new RangeError(`${fn}: Expected pathOffsets[classes] = pathNodes.length = ${t.nodes.length} but received ${t.offsets[classes]}`);
  }
  return t;
}

function checkPath(fn: string, t: Tree, c: number, depth: number): void {
  const begin = t.offsets[c]!;
  const end = t.offsets[c + 1]!;
  if (begin < 0 || end < begin || end > t.nodes.length) {
    throw new RangeError(`${fn}: Expected pathOffsets ascending within [0, pathNodes.length] but pathOffsets[${c}..${c + 1}] are ${begin}, ${end}`);
  }
  if (end - begin > depth) {
    throw new RangeError(`${fn}: Expected paths no longer than depth = ${depth} but class ${c}'s has ${end - begin} nodes`);
  }
  for (let p = begin; p < end; p++) {
    const node = t.nodes[p]!;
    if (node < 0 || node >= t.classes - 1) {
      throw new RangeError(`${fn}: Expected pathNodes in [0, classes-1) = [0, ${t.classes - 1}) but pathNodes[${p}] is ${node}`);
    }
    const code = t.codes[p]!;
    if (code !== 0 && code !== 1) throw new RangeError(`${fn}: Expected pathCodes of 0 or 1 but pathCodes[${p}] is ${code}`);
  }
}

function checkLabelPaths(fn: string, labels: Int32Array, t: Tree, depth: number): void {
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    if (label < 0 || label >= t.classes) {
      throw new RangeError(`${fn}: Expected labels in [0, classes) = [0, ${t.classes}) but labels[${i}] is ${label}`);
    }
  }
  for (const label of labels) checkPath(fn, t, label, depth);
}

function checkOutputs(fn: string, outputs: [string, ArrayBufferView][], inputs: [string, ArrayBufferView][]): void {
  for (const [outName, out] of outputs) for (const [name, input] of inputs) checkDisjoint(fn, outName, out, name, input);
}

const dot = (a: Float32Array, ao: number, b: Float32Array, bo: number, n: number) => {
  let sum = 0;
  for (let j = 0; j < n; j++) sum += a[ao + j]! * b[bo + j]!;
  return sum;
};

export const referenceHsoftmax: HsoftmaxKernels = {
  hsoftmaxLoss(xArg, labelsArg, weightArg, biasArg, pathOffsets, pathNodes, pathCodes, rowsArg, featuresArg, classesArg, depthArg, dzArg, lossesArg) {
    const fn = 'hsoftmaxLoss';
    checkCount(fn, arguments.length, 13);
    const x = f32(fn, 'x', xArg);
    const labels = i32(fn, 'labels', labelsArg);
    const weight = f32(fn, 'weight', weightArg);
    const bias = f32(fn, 'bias', biasArg);
    const rows = index(fn, 'rows', rowsArg);
    const features = index(fn, 'features', featuresArg);
    const classes = index(fn, 'classes', classesArg);
    const depth = index(fn, 'depth', depthArg);
    const t = treeArgs(fn, pathOffsets, pathNodes, pathCodes, classes);
    matrix(fn, 'x', x, rows, features, 'rows*features');
    checkLength(fn, 'labels', labels, rows, 'rows');
    matrix(fn, 'weight', weight, classes - 1, features, '(classes-1)*features');
    optionalPerNode(fn, 'bias', bias, classes - 1);
    const dz = f32(fn, 'dz', dzArg);
    matrix(fn, 'dz', dz, rows, depth, 'rows*depth');
    const losses = f32(fn, 'losses', lossesArg);
    checkLength(fn, 'losses', losses, rows, 'rows');
    checkOutputs(fn, [['dz', dz], ['losses', losses]], [
      ['x', x], ['labels', labels], ['weight', weight], ['bias', bias],
      ['pathOffsets', t.offsets], ['pathNodes', t.nodes], ['pathCodes', t.codes],
    ]);
    checkDisjoint(fn, 'losses', losses, 'dz', dz);
    checkLabelPaths(fn, labels, t, depth);
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
  },

  hsoftmaxBackward(xArg, labelsArg, weightArg, pathOffsets, pathNodes, pathCodes, dzArg, dlossesArg, rowsArg, featuresArg, classesArg, depthArg, dxArg, dweightArg, dbiasArg) {
    const fn = 'hsoftmaxBackward';
    checkCount(fn, arguments.length, 15);
    const x = f32(fn, 'x', xArg);
    const labels = i32(fn, 'labels', labelsArg);
    const weight = f32(fn, 'weight', weightArg);
    const dz = f32(fn, 'dz', dzArg);
    const dlosses = f32(fn, 'dlosses', dlossesArg);
    const rows = index(fn, 'rows', rowsArg);
    const features = index(fn, 'features', featuresArg);
    const classes = index(fn, 'classes', classesArg);
    const depth = index(fn, 'depth', depthArg);
    const t = treeArgs(fn, pathOffsets, pathNodes, pathCodes, classes);
    matrix(fn, 'x', x, rows, features, 'rows*features');
    checkLength(fn, 'labels', labels, rows, 'rows');
    matrix(fn, 'weight', weight, classes - 1, features, '(classes-1)*features');
    matrix(fn, 'dz', dz, rows, depth, 'rows*depth');
    checkLength(fn, 'dlosses', dlosses, rows, 'rows');
    const dx = f32(fn, 'dx', dxArg);
    matrix(fn, 'dx', dx, rows, features, 'rows*features');
    const dweight = f32(fn, 'dweight', dweightArg);
    matrix(fn, 'dweight', dweight, classes - 1, features, '(classes-1)*features');
    const dbias = optionalPerNode(fn, 'dbias', f32(fn, 'dbias', dbiasArg), classes - 1);
    checkOutputs(fn, [['dx', dx], ['dweight', dweight], ['dbias', dbias]], [
      ['x', x], ['labels', labels], ['weight', weight],
      ['pathOffsets', t.offsets], ['pathNodes', t.nodes], ['pathCodes', t.codes], ['dz', dz], ['dlosses', dlosses],
    ]);
    checkDisjoint(fn, 'dweight', dweight, 'dx', dx);
    checkDisjoint(fn, 'dbias', dbias, 'dx', dx);
    checkDisjoint(fn, 'dbias', dbias, 'dweight', dweight);
    if (rows > 0xffffffff || depth > 0xffffffff) throw new RangeError(`${fn}: Expected rows and depth below 2^32`);
    checkLabelPaths(fn, labels, t, depth);
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
  },

  hsoftmaxLogProbs(xArg, weightArg, biasArg, pathOffsets, pathNodes, pathCodes, rowsArg, featuresArg, classesArg, outArg) {
    const fn = 'hsoftmaxLogProbs';
    checkCount(fn, arguments.length, 10);
    const x = f32(fn, 'x', xArg);
    const weight = f32(fn, 'weight', weightArg);
    const bias = f32(fn, 'bias', biasArg);
    const rows = index(fn, 'rows', rowsArg);
    const features = index(fn, 'features', featuresArg);
    const classes = index(fn, 'classes', classesArg);
    const t = treeArgs(fn, pathOffsets, pathNodes, pathCodes, classes);
    matrix(fn, 'x', x, rows, features, 'rows*features');
    matrix(fn, 'weight', weight, classes - 1, features, '(classes-1)*features');
    optionalPerNode(fn, 'bias', bias, classes - 1);
    const out = f32(fn, 'out', outArg);
    matrix(fn, 'out', out, rows, classes, 'rows*classes');
    checkOutputs(fn, [['out', out]], [
      ['x', x], ['weight', weight], ['bias', bias], ['pathOffsets', t.offsets], ['pathNodes', t.nodes], ['pathCodes', t.codes],
    ]);
    for (let c = 0; c < classes; c++) checkPath(fn, t, c, classes - 1);
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
  },
};

/**
 * The notes' learned hierarchy (Mnih & Hinton 2008, "A Scalable Hierarchical Distributed
 * Language Model"): train with a random tree, represent each class by a feature vector (the
 * mean of the hidden vectors h that predicted it: the notes' hW), then derive the tree by
 * recursive bi-partitioning. At each node a mixture of two spherical Gaussians is fitted to the
 * node's class vectors by EM and the classes are split by which component explains them
 * better; `balanced` (the paper's BALANCED variant, the default) instead sorts them by that
 * preference and cuts at the middle, so the tree stays ⌈log₂ C⌉ deep.
 */
import { Tensor, formatShape } from '../../autograd/tensor';
import { treeFromSplits } from './builder';
import type { HsmTree } from './tree';

export interface PartitionOptions {
  /** Halve every node by preference (depth ⌈log₂ C⌉) instead of splitting by the EM's assignment. Default true. */
  balanced?: boolean;
  /** EM iterations per node (default 10; fewer when the assignment stops changing). */
  iterations?: number;
}

type Vectors = Tensor | readonly (readonly number[])[];

function readVectors(vectors: Vectors): { data: Float64Array; classes: number; dim: number } {
  if (vectors instanceof Tensor) {
    if (vectors.ndim !== 2) throw new RangeError(`partitionTree: Expected class vectors of shape [C, D] but received ${formatShape(vectors.shape)}`);
    const [classes, dim] = vectors.shape as [number, number];
    return { data: Float64Array.from(vectors.data), classes, dim };
  }
  if (!Array.isArray(vectors) || vectors.length === 0 || !Array.isArray(vectors[0])) {
    throw new TypeError('partitionTree: Expected class vectors as a [C, D] Tensor or an array of number arrays');
  }
  const dim = vectors[0]!.length;
  const data = new Float64Array(vectors.length * dim);
  vectors.forEach((row, c) => {
    if (!Array.isArray(row) || row.length !== dim) throw new RangeError(`partitionTree: Expected every class vector to have ${dim} values but vector ${c} does not`);
    row.forEach((v, j) => (data[c * dim + j] = v));
  });
  return { data, classes: vectors.length, dim };
}

/**
 * Log-odds ℓ_i = log(π₁·N(x_i | μ₁, σ₁²I)) − log(π₂·N(x_i | μ₂, σ₂²I)) of a two-component
 * spherical Gaussian mixture fitted by EM, started from the means one standard deviation either
 * side of the centroid along the principal direction (power iteration): no randomness, so the
 * same vectors give the same tree.
 */
export function twoWayLogOdds(x: Float64Array, dim: number, list: number[], iterations: number): Float64Array {
  const n = list.length;
  const mean = new Float64Array(dim);
  for (const c of list) for (let j = 0; j < dim; j++) mean[j] += x[c * dim + j]! / n;
  // Principal direction, from the farthest vector from the centroid.
  const u = new Float64Array(dim);
  let farthest = -1;
  for (const c of list) {
    let d = 0;
    for (let j = 0; j < dim; j++) d += (x[c * dim + j]! - mean[j]!) ** 2;
    if (d > farthest) {
      farthest = d;
      for (let j = 0; j < dim; j++) u[j] = x[c * dim + j]! - mean[j]!;
    }
  }
  const logOdds = new Float64Array(n);
  if (!(farthest > 0)) return logOdds; // all vectors equal: no preference
  const next = new Float64Array(dim);
  for (let it = 0; it < 20; it++) {
    next.fill(0);
    for (const c of list) {
      let t = 0;
      for (let j = 0; j < dim; j++) t += (x[c * dim + j]! - mean[j]!) * u[j]!;
      for (let j = 0; j < dim; j++) next[j] += t * (x[c * dim + j]! - mean[j]!);
    }
    let norm = 0;
    for (let j = 0; j < dim; j++) norm += next[j]! ** 2;
    norm = Math.sqrt(norm);
    if (!(norm > 0)) break;
    for (let j = 0; j < dim; j++) u[j] = next[j]! / norm;
  }
  let spread = 0;
  let total = 0;
  for (const c of list) {
    let t = 0;
    for (let j = 0; j < dim; j++) {
      const d = x[c * dim + j]! - mean[j]!;
      t += d * u[j]!;
      total += d * d;
    }
    spread += (t * t) / n;
  }
  const s = Math.sqrt(spread);
  const mu = [Float64Array.from(mean, (m, j) => m + s * u[j]!), Float64Array.from(mean, (m, j) => m - s * u[j]!)];
  const floor = 1e-12 * (total / (n * dim)) + 1e-300;
  const variance = [total / (n * dim) + floor, total / (n * dim) + floor];
  const weight = [0.5, 0.5];
  const sq = [new Float64Array(n), new Float64Array(n)];
  let previous: Uint8Array | null = null;
  for (let it = 0; it < iterations; it++) {
    // E step: squared distances and log-odds.
    for (let k = 0; k < 2; k++) {
      list.forEach((c, i) => {
        let d = 0;
        for (let j = 0; j < dim; j++) d += (x[c * dim + j]! - mu[k]![j]!) ** 2;
        sq[k]![i] = d;
      });
    }
    const logp = (k: number, i: number) => Math.log(weight[k]!) - 0.5 * dim * Math.log(variance[k]!) - sq[k]![i]! / (2 * variance[k]!);
    for (let i = 0; i < n; i++) logOdds[i] = logp(0, i) - logp(1, i);
    const assignment = Uint8Array.from(logOdds, (l) => (l > 0 ? 1 : 0));
    if (previous && assignment.every((a, i) => a === previous![i])) break;
    previous = assignment;
    // M step with responsibilities r = σ(ℓ).
    for (let k = 0; k < 2; k++) {
      let mass = 0;
      const m = new Float64Array(dim);
      list.forEach((c, i) => {
        const r = k === 0 ? 1 / (1 + Math.exp(-logOdds[i]!)) : 1 / (1 + Math.exp(logOdds[i]!));
        mass += r;
        for (let j = 0; j < dim; j++) m[j] += r * x[c * dim + j]!;
      });
      if (!(mass > 1e-9)) return logOdds; // one component took everything: keep the last log-odds
      for (let j = 0; j < dim; j++) m[j] /= mass;
      let v = 0;
      list.forEach((c, i) => {
        const r = k === 0 ? 1 / (1 + Math.exp(-logOdds[i]!)) : 1 / (1 + Math.exp(logOdds[i]!));
        let d = 0;
        for (let j = 0; j < dim; j++) d += (x[c * dim + j]! - m[j]!) ** 2;
        v += r * d;
      });
      mu[k] = m;
      variance[k] = v / (mass * dim) + floor;
      weight[k] = mass / n;
    }
  }
  return logOdds;
}

/** Halves `list` by log-odds, most left-leaning first (ties by class id). */
function halve(list: number[], logOdds: Float64Array): [number[], number[]] {
  const order = list.map((_, i) => i).sort((a, b) => logOdds[b]! - logOdds[a]! || list[a]! - list[b]!);
  const half = Math.ceil(list.length / 2);
  return [order.slice(0, half).map((i) => list[i]!), order.slice(half).map((i) => list[i]!)];
}

/** The tree derived from class vectors [C, D] (row c describes class c) by recursive two-way EM splits. */
export function partitionTree(vectors: Vectors, options: PartitionOptions = {}): HsmTree {
  const { data, classes, dim } = readVectors(vectors);
  if (classes < 2) throw new RangeError(`partitionTree: Expected at least 2 class vectors but received ${classes}`);
  for (let k = 0; k < data.length; k++) {
    if (!Number.isFinite(data[k]!)) throw new RangeError(`partitionTree: Expected finite class vectors but vector ${Math.floor(k / dim)} holds ${data[k]}`);
  }
  const balanced = options.balanced ?? true;
  const iterations = options.iterations ?? 10;
  if (!Number.isInteger(iterations) || iterations < 1) throw new RangeError(`partitionTree: Expected iterations to be a positive integer but received ${String(iterations)}`);
  const all = Array.from({ length: classes }, (_, c) => c);
  return treeFromSplits(all, (list) => {
    const logOdds = twoWayLogOdds(data, dim, list, iterations);
    if (balanced) return halve(list, logOdds);
    const left = list.filter((_, i) => logOdds[i]! > 0);
    const right = list.filter((_, i) => !(logOdds[i]! > 0));
    return left.length > 0 && right.length > 0 ? [left, right] : halve(list, logOdds);
  });
}

/**
 * Mnih–Hinton's class features: the mean of the inputs h [N, D] of the examples labelled c, for
 * each class (a class with no example gets the mean of all inputs, so it joins no group).
 */
export function classFeatures(h: Tensor, labels: ArrayLike<number>, numClasses: number): Tensor {
  if (!(h instanceof Tensor) || h.ndim !== 2) throw new TypeError('classFeatures: Expected h as a [N, D] Tensor');
  const [n, dim] = h.shape as [number, number];
  if (labels.length !== n) throw new RangeError(`classFeatures: Expected ${n} labels but received ${labels.length}`);
  const sums = new Float64Array(numClasses * dim);
  const counts = new Float64Array(numClasses);
  const overall = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    const c = labels[i]!;
    if (!Number.isInteger(c) || c < 0 || c >= numClasses) throw new RangeError(`classFeatures: Expected labels in [0, ${numClasses}) but labels[${i}] is ${c}`);
    counts[c]++;
    for (let j = 0; j < dim; j++) {
      sums[c * dim + j] += h.data[i * dim + j]!;
      overall[j] += h.data[i * dim + j]! / n;
    }
  }
  const out = new Float32Array(numClasses * dim);
  for (let c = 0; c < numClasses; c++) {
    for (let j = 0; j < dim; j++) out[c * dim + j] = counts[c]! > 0 ? sums[c * dim + j]! / counts[c]! : overall[j]!;
  }
  return new Tensor(out, [numClasses, dim]);
}

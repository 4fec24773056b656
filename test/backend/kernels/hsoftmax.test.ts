// The hierarchical-softmax kernels on every backend: closed forms (zero weights give
// len·ln 2, a hand-built three-class tree against float64 formulas written here), backward
// against float64 analytic gradients, accumulation that leaves untouched node rows bit for bit
// alone, log-probabilities that normalize and match the loss at the label; then native against
// the reference on random trees, and native results independent of the thread count.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getNumThreads, nativeBackend, referenceBackend, setNumThreads, setSimdLevel } from '../../../lib/backend';
import type { Backend } from '../../../lib/backend';
import { balancedTree, huffmanTree, HsmTree } from '../../../lib/nn/hsoftmax';
import { backendsUnderTest, selectSimd } from '../backends';
import { expectBackendsAgree } from '../compare-backends';
import { expectClose, expectSame } from '../expect-close';
import { bits, nativePaths } from '../native-paths';
import { makeRandom, randomArray } from '../random-inputs';

const NONE = new Float32Array(0);
const LN2 = Math.LN2;
const rel = (expected: ArrayLike<number>, floor = 0) =>
  Float64Array.from(expected, (v) => 1e-6 * (Math.abs(v) + floor) + Number.MIN_VALUE);
const logSigmoid = (u: number) => -Math.log1p(Math.exp(-u));
const sigmoid = (u: number) => 1 / (1 + Math.exp(-u));

/** Root 0 sends class 0 left, classes 1 and 2 right to node 1 (class 1 left, class 2 right). */
const THREE = HsmTree.fromStructure([0, [1, 2]]);

interface Case {
  tree: HsmTree;
  rows: number;
  features: number;
  x: Float32Array;
  labels: Int32Array;
  weight: Float32Array;
  bias: Float32Array;
}

function randomCase(tree: HsmTree, rows: number, features: number, seed: number, withBias = true): Case {
  const random = makeRandom(seed);
  const nodes = tree.numClasses - 1;
  return {
    tree, rows, features,
    x: randomArray(rows * features, random).map((v) => 2 * v),
    labels: Int32Array.from({ length: rows }, () => Math.floor(random() * tree.numClasses)),
    weight: randomArray(nodes * features, random),
    bias: withBias ? randomArray(nodes, random) : NONE,
  };
}

/** z for row i at node n, in float64. */
function z64(c: Case, i: number, n: number): number {
  let z = c.bias.length ? c.bias[n]! : 0;
  for (let f = 0; f < c.features; f++) z += c.weight[n * c.features + f]! * c.x[i * c.features + f]!;
  return z;
}

function pathOf(tree: HsmTree, label: number): [number, number][] {
  const out: [number, number][] = [];
  for (let p = tree.pathOffsets[label]!; p < tree.pathOffsets[label + 1]!; p++) out.push([tree.pathNodes[p]!, tree.pathCodes[p]!]);
  return out;
}

function runLoss(backend: Backend, c: Case) {
  const dz = new Float32Array(c.rows * c.tree.depth).fill(NaN);
  const losses = new Float32Array(c.rows);
  backend.hsoftmaxLoss(c.x, c.labels, c.weight, c.bias, c.tree.pathOffsets, c.tree.pathNodes, c.tree.pathCodes,
    c.rows, c.features, c.tree.numClasses, c.tree.depth, dz, losses);
  return { dz, losses };
}

function runBackward(backend: Backend, c: Case, dz: Float32Array, dlosses: Float32Array, dweight: Float32Array, dbias: Float32Array) {
  const dx = new Float32Array(c.rows * c.features).fill(NaN);
  backend.hsoftmaxBackward(c.x, c.labels, c.weight, c.tree.pathOffsets, c.tree.pathNodes, c.tree.pathCodes, dz, dlosses,
    c.rows, c.features, c.tree.numClasses, c.tree.depth, dx, dweight, dbias);
  return dx;
}

function runLogProbs(backend: Backend, c: Case): Float32Array {
  const out = new Float32Array(c.rows * c.tree.numClasses);
  backend.hsoftmaxLogProbs(c.x, c.weight, c.bias, c.tree.pathOffsets, c.tree.pathNodes, c.tree.pathCodes,
    c.rows, c.features, c.tree.numClasses, out);
  return out;
}

describe.each(backendsUnderTest())('hierarchical softmax kernels on $label', (entry) => {
  let backend: Backend;
  beforeAll(() => {
    selectSimd(entry);
    backend = entry.backend();
  });

  it('zero weights: every decision is ½, so the loss is len·ln 2, dz = ½ − code, log p = −len·ln 2', () => {
    const tree = huffmanTree([8, 4, 2, 1, 1]); // path lengths 1, 2, 3, 4, 4
    const c: Case = { tree, rows: 5, features: 3, x: randomArray(15, makeRandom(1)), labels: Int32Array.of(0, 1, 2, 3, 4), weight: new Float32Array(12), bias: new Float32Array(4) };
    const { dz, losses } = runLoss(backend, c);
    expectClose(losses, [1, 2, 3, 4, 4].map((len) => len * LN2), rel([4 * LN2]), 'losses');
    for (let i = 0; i < 5; i++) {
      pathOf(tree, i).forEach(([, code], k) => expect(dz[i * tree.depth + k]).toBe(0.5 - code));
      for (let k = pathOf(tree, i).length; k < tree.depth; k++) expect(dz[i * tree.depth + k]).toBe(0);
    }
    const lp = runLogProbs(backend, c);
    for (let i = 0; i < 5; i++) expectClose(lp.subarray(i * 5, i * 5 + 5), [1, 2, 3, 4, 4].map((len) => -len * LN2), 1e-6, `log p row ${i}`);
  });

  it('a hand-built three-class tree matches −log σ(±z) summed along the path, in float64', () => {
    const c: Case = {
      tree: THREE, rows: 3, features: 2,
      x: Float32Array.of(1, 2, -0.5, 0.25, 3, -1),
      labels: Int32Array.of(0, 1, 2),
      weight: Float32Array.of(0.5, -1, 2, 0.75),
      bias: Float32Array.of(0.1, -0.2),
    };
    const { dz, losses } = runLoss(backend, c);
    const expected = [0, 1, 2].map((i) => {
      const z0 = z64(c, i, 0);
      if (i === 0) return -logSigmoid(-z0); // left at the root
      const z1 = z64(c, i, 1);
      return -logSigmoid(z0) - logSigmoid(i === 1 ? -z1 : z1);
    });
    expectClose(losses, expected, rel(expected), 'losses');
    expect(dz[0]).toBeCloseTo(sigmoid(z64(c, 0, 0)), 6);
    expect(dz[1]).toBe(0);
    expect(dz[2]).toBeCloseTo(sigmoid(z64(c, 1, 0)) - 1, 6);
    expect(dz[3]).toBeCloseTo(sigmoid(z64(c, 1, 1)), 6);
    expect(dz[5]).toBeCloseTo(sigmoid(z64(c, 2, 1)) - 1, 6);
  });

  it('is stable for huge logits: no Infinity or NaN, the loss grows like |z|', () => {
    const c: Case = { tree: THREE, rows: 2, features: 1, x: Float32Array.of(1e4, -1e4), labels: Int32Array.of(0, 2), weight: Float32Array.of(10, 10), bias: NONE };
    const { dz, losses } = runLoss(backend, c);
    // Row 0 goes left at z = 1e5: loss 1e5. Row 1 goes right twice at z = −1e5: loss 2e5.
    expectClose(losses, [1e5, 2e5], 1e-2, 'losses');
    expectSame(dz, [1, 0, -1, -1], 'dz');
    const lp = runLogProbs(backend, c);
    expect(lp.every(Number.isFinite)).toBe(true);
    expect(lp[1 * 3 + 0]).toBe(0); // row 1: class 0 (left at z = −1e5) is certain
  });

  it('backward: dx, dweight and dbias against float64 analytic gradients, with per-row weights g', () => {
    const c = randomCase(balancedTree(13, { seed: 5 }), 9, 7, 17);
    const { dz } = runLoss(backend, c);
    const g = randomArray(c.rows, makeRandom(3));
    const nodes = c.tree.numClasses - 1;
    const dweight = new Float32Array(nodes * c.features);
    const dbias = new Float32Array(nodes);
    const dx = runBackward(backend, c, dz, g, dweight, dbias);
    const ex = new Float64Array(c.rows * c.features);
    const ew = new Float64Array(nodes * c.features);
    const eb = new Float64Array(nodes);
    const bound = new Float64Array(c.rows * c.features);
    for (let i = 0; i < c.rows; i++) {
      for (const [n, code] of pathOf(c.tree, c.labels[i]!)) {
        const coef = g[i]! * (sigmoid(z64(c, i, n)) - code);
        for (let f = 0; f < c.features; f++) {
          ex[i * c.features + f] += coef * c.weight[n * c.features + f]!;
          bound[i * c.features + f] += Math.abs(coef * c.weight[n * c.features + f]!);
          ew[n * c.features + f] += coef * c.x[i * c.features + f]!;
        }
        eb[n] += coef;
      }
    }
    // dz is float32 (relative 2^-24 per entry): the bound is 1e-6 of the sum of |terms|.
    expectClose(dx, ex, Float64Array.from(bound, (b) => 1e-6 * b + 1e-7), 'dx');
    expectClose(dweight, ew, 1e-6 * 8, 'dweight');
    expectClose(dbias, eb, 1e-6 * 8, 'dbias');
  });

  it('backward adds into dweight and dbias, touching only the nodes on the labels\' paths', () => {
    const tree = balancedTree(64, { seed: 1 });
    const c = randomCase(tree, 4, 5, 23);
    const { dz } = runLoss(backend, c);
    const prior = randomArray(63 * 5, makeRandom(8));
    const priorBias = randomArray(63, makeRandom(9));
    const dweight = prior.slice();
    const dbias = priorBias.slice();
    runBackward(backend, c, dz, new Float32Array(4).fill(1), dweight, dbias);
    const fresh = new Float32Array(63 * 5);
    const freshBias = new Float32Array(63);
    runBackward(backend, c, dz, new Float32Array(4).fill(1), fresh, freshBias);
    const touched = new Set<number>();
    for (const label of c.labels) for (const [n] of pathOf(tree, label)) touched.add(n);
    expect(touched.size).toBeLessThan(63);
    for (let n = 0; n < 63; n++) {
      if (!touched.has(n)) {
        expect(bits(dweight.subarray(n * 5, n * 5 + 5))).toEqual(bits(prior.subarray(n * 5, n * 5 + 5)));
        expect(dbias[n]).toBe(priorBias[n]);
        expect(fresh.subarray(n * 5, n * 5 + 5).every((v) => v === 0)).toBe(true);
      } else {
        for (let f = 0; f < 5; f++) expect(dweight[n * 5 + f]).toBeCloseTo(prior[n * 5 + f]! + fresh[n * 5 + f]!, 6);
        expect(dbias[n]).toBeCloseTo(priorBias[n]! + freshBias[n]!, 6);
      }
    }
  });

  it('without a bias, z is w·x alone and dbias stays empty', () => {
    const c = randomCase(THREE, 2, 3, 4, false);
    const { losses } = runLoss(backend, c);
    const withZeroBias = runLoss(backend, { ...c, bias: new Float32Array(2) }).losses;
    expectSame(losses, withZeroBias, 'losses');
    const lp = runLogProbs(backend, c);
    expectClose(lp, runLogProbs(backend, { ...c, bias: new Float32Array(2) }), 0, 'log p');
  });

  it.each([['balanced', () => balancedTree(37, { seed: 2 })], ['Huffman', () => huffmanTree(Array.from({ length: 37 }, (_, k) => 1 / (k + 1)))]])(
    'log-probabilities over a %s tree exponentiate to 1 per row and give the loss at the label', (_, make) => {
      const c = randomCase(make(), 6, 11, 31);
      const lp = runLogProbs(backend, c);
      const { losses } = runLoss(backend, c);
      for (let i = 0; i < c.rows; i++) {
        let sum = 0;
        for (let k = 0; k < 37; k++) sum += Math.exp(lp[i * 37 + k]!);
        expect(Math.abs(sum - 1)).toBeLessThan(1e-5);
        expect(-lp[i * 37 + c.labels[i]!]!).toBeCloseTo(losses[i]!, 4);
      }
    });

  it('an empty batch writes nothing and throws nothing', () => {
    const c = randomCase(THREE, 0, 3, 1);
    expect(runLoss(backend, c).losses.length).toBe(0);
    expect(runLogProbs(backend, c).length).toBe(0);
    const dweight = new Float32Array(6).fill(2);
    runBackward(backend, c, NONE, NONE, dweight, new Float32Array(2));
    expect([...dweight]).toEqual([2, 2, 2, 2, 2, 2]);
  });

  it('refuses a label whose path is longer than depth, before writing', () => {
    const c = randomCase(THREE, 1, 2, 1);
    c.labels[0] = 2;
    const losses = Float32Array.of(7);
    expect(() => backend.hsoftmaxLoss(c.x, c.labels, c.weight, c.bias, THREE.pathOffsets, THREE.pathNodes, THREE.pathCodes, 1, 2, 3, 1, new Float32Array(1), losses))
      .toThrow(new RangeError("hsoftmaxLoss: Expected paths no longer than depth = 1 but class 2's has 2 nodes"));
    expect(losses[0]).toBe(7);
  });
});

describe.each(nativePaths())('hierarchical softmax: native (%s) against the reference', (simd) => {
  let native: Backend;
  const reference = referenceBackend;
  beforeAll(() => {
    setSimdLevel(simd);
    native = nativeBackend();
  });

  function compare(name: 'hsoftmaxLoss' | 'hsoftmaxBackward' | 'hsoftmaxLogProbs', args: unknown[]): void {
    expectBackendsAgree(native, reference, name, args);
  }

  it.each([[1, 3, 2], [7, 5, 9], [64, 33, 100], [40, 64, 1000], [17, 1, 2]])('agree on %i rows, %i features, %i classes', (rows, features, classes) => {
    for (const tree of [balancedTree(classes, { seed: classes }), huffmanTree(Array.from({ length: classes }, (_, k) => (k % 7) + 1 / (k + 1)))]) {
      const c = randomCase(tree, rows, features, rows * 31 + classes);
      const { dz } = runLoss(reference, c);
      const g = randomArray(rows, makeRandom(rows));
      const nodes = classes - 1;
      const t = tree;
      compare('hsoftmaxLoss', [c.x, c.labels, c.weight, c.bias, t.pathOffsets, t.pathNodes, t.pathCodes, rows, features, classes, t.depth, new Float32Array(rows * t.depth), new Float32Array(rows)]);
      compare('hsoftmaxBackward', [c.x, c.labels, c.weight, t.pathOffsets, t.pathNodes, t.pathCodes, dz, g, rows, features, classes, t.depth,
        new Float32Array(rows * features), randomArray(nodes * features, makeRandom(2)), randomArray(nodes, makeRandom(3))]);
      compare('hsoftmaxLogProbs', [c.x, c.weight, c.bias, t.pathOffsets, t.pathNodes, t.pathCodes, rows, features, classes, new Float32Array(rows * classes)]);
    }
  });
});

describe.skipIf(nativePaths().length === 0)('hierarchical softmax: native results do not depend on the thread count', () => {
  const saved = getNumThreads();
  afterAll(() => setNumThreads(saved));

  it('gives the same bits with 1 and 3 threads (many rows sharing the top nodes)', () => {
    const c = randomCase(balancedTree(500, { seed: 4 }), 200, 24, 77);
    const run = (threads: number) => {
      setNumThreads(threads);
      const native = nativeBackend();
      const { dz, losses } = runLoss(native, c);
      const dweight = new Float32Array(499 * 24);
      const dbias = new Float32Array(499);
      const dx = runBackward(native, c, dz, new Float32Array(200).fill(1 / 200), dweight, dbias);
      return [dz, losses, dx, dweight, dbias, runLogProbs(native, c)].map((a) => Array.from(bits(a)));
    };
    expect(run(3)).toEqual(run(1));
  });
});

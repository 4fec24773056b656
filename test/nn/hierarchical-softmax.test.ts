// nn.HierarchicalSoftmax and its autograd op: gradcheck in float64 (x, weight, bias) on every
// tree kind and reduction, directional checks in float32 on each backend, normalized
// probabilities, the loss equal to −log p at the target, learning a many-class task, the
// Mnih–Hinton rebuild, and save/load of the tree with the weights.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { directionalGradcheck, gradcheck, manualSeed, mul, nn, optim, randn, Tensor } from '../../lib';
import { backendNames, useBackend } from '../autograd/backends';

const { HsmTree, balancedTree, huffmanTree, partitionTree, classFeatures } = nn.hsoftmax;
const F = nn.functional;
type Tree = InstanceType<typeof HsmTree>;

const CLASSES = 11;
const TREES: [string, () => Tree][] = [
  ['balanced random', () => balancedTree(CLASSES, { seed: 3 })],
  ['Huffman', () => huffmanTree([50, 1, 7, 3, 3, 20, 1, 2, 9, 4, 1])],
  ['user structure', () => HsmTree.fromStructure([[[0, 10], 5], [[1, [2, 3]], [[4, 6], [7, [8, 9]]]]])],
  ['Mnih–Hinton partition', () => partitionTree(Array.from({ length: CLASSES }, (_, c) => [Math.cos(c), Math.sin(2 * c), c % 3]), { balanced: false })],
];
const LABELS = Int32Array.of(0, 10, 3, 7, 5, 3);
const f64 = { dtype: 'float64' as const, requiresGrad: true as const };

describe('hierarchicalSoftmaxLoss gradcheck (float64, every element of x, weight and bias)', () => {
  it.each(TREES)('passes on a %s tree for mean, sum and none', (_, make) => {
    const tree = make();
    for (const reduction of ['mean', 'sum', 'none'] as const) {
      manualSeed(5);
      const inputs = [randn([6, 4], f64), randn([CLASSES - 1, 4], f64), randn([CLASSES - 1], f64)];
      const result = gradcheck((x, w, b) => F.hierarchicalSoftmaxLoss(x!, LABELS, w!, b!, tree, reduction), inputs);
      expect(result.ok, `${reduction}: ${result.message}`).toBe(true);
      expect(result.checked).toBe(24 + 40 + 10);
    }
  });

  it('passes without a bias, and when the weight is computed (the dense-gradient path)', () => {
    const tree = TREES[1]![1]();
    manualSeed(6);
    const inputs = [randn([6, 4], f64), randn([CLASSES - 1, 4], f64)];
    const plain = gradcheck((x, w) => F.hierarchicalSoftmaxLoss(x!, LABELS, w!, null, tree), inputs);
    expect(plain.ok, plain.message).toBe(true);
    const computed = gradcheck((x, w) => F.hierarchicalSoftmaxLoss(x!, LABELS, mul(w!, 1.5), null, tree, 'sum'), inputs);
    expect(computed.ok, computed.message).toBe(true);
  });
});

describe.each(backendNames())('HierarchicalSoftmax on %s', (name) => {
  useBackend(name);

  it.each(TREES)('directional gradcheck (float32) on a %s tree', (_, make) => {
    manualSeed(8);
    const tree = make();
    const inputs = [randn([6, 5], { requiresGrad: true }), randn([CLASSES - 1, 5], { requiresGrad: true }), randn([CLASSES - 1], { requiresGrad: true })];
    const result = directionalGradcheck((x, w, b) => F.hierarchicalSoftmaxLoss(x!, LABELS, w!, b!, tree), inputs);
    expect(result.ok, result.message).toBe(true);
  });

  it.each(TREES)('probabilities over all classes sum to 1 (1e-5) and the loss is −log p at the target, on a %s tree', (_, make) => {
    manualSeed(9);
    const layer = new nn.HierarchicalSoftmax(5, CLASSES, { tree: make() });
    layer.bias!.data.set(randn([CLASSES - 1]).data);
    const x = randn([6, 5], { std: 2 });
    const lp = layer.logProbs(x);
    expect(lp.shape).toEqual([6, CLASSES]);
    let nll = 0;
    for (let i = 0; i < 6; i++) {
      let sum = 0;
      for (let c = 0; c < CLASSES; c++) sum += Math.exp(lp.data[i * CLASSES + c]!);
      expect(Math.abs(sum - 1)).toBeLessThan(1e-5);
      nll -= lp.data[i * CLASSES + LABELS[i]!]!;
    }
    expect(layer.forward(x, LABELS).item()).toBeCloseTo(nll / 6, 5);
    const none = new nn.HierarchicalSoftmax(5, CLASSES, { tree: layer.tree, reduction: 'none' });
    none.loadStateDict(layer.stateDict());
    const perRow = none.forward(x, LABELS);
    expect(perRow.shape).toEqual([6]);
    for (let i = 0; i < 6; i++) expect(perRow.data[i]).toBeCloseTo(-lp.data[i * CLASSES + LABELS[i]!]!, 5);
  });

  it('backward adds only the touched rows into weight.grad, and accumulates across calls', () => {
    manualSeed(10);
    const layer = new nn.HierarchicalSoftmax(3, 64, { tree: balancedTree(64, { seed: 2 }) });
    const x = randn([2, 3]);
    layer.forward(x, [5, 6]).backward();
    const first = layer.weight.grad!.data.slice();
    const touched = new Set<number>();
    for (const label of [5, 6]) for (let p = layer.tree.pathOffsets[label]!; p < layer.tree.pathOffsets[label + 1]!; p++) touched.add(layer.tree.pathNodes[p]!);
    for (let n = 0; n < 63; n++) {
      const row = Array.from(first.subarray(n * 3, n * 3 + 3));
      if (touched.has(n)) expect(row.some((v) => v !== 0)).toBe(true);
      else expect(row).toEqual([0, 0, 0]);
    }
    layer.forward(x, [5, 6]).backward();
    layer.weight.grad!.data.forEach((v, k) => expect(v).toBeCloseTo(2 * first[k]!, 6));
  });
});

describe('HierarchicalSoftmax as a model\'s output layer', () => {
  /** 256 classes, each a prototype in 24 dims; examples are prototypes plus noise. */
  function task(seed: number, n: number, heldOut = false) {
    manualSeed(seed);
    const prototypes = randn([256, 24]);
    if (heldOut) randn([2048, 24], { std: 0.3 }); // past the training set's noise
    const labels = Int32Array.from({ length: n }, (_, i) => (i * 97 + seed) % 256);
    const noise = randn([n, 24], { std: 0.3 });
    const x = new Float32Array(n * 24);
    for (let i = 0; i < n; i++) for (let j = 0; j < 24; j++) x[i * 24 + j] = prototypes.data[labels[i]! * 24 + j]! + noise.data[i * 24 + j]!;
    return { x: new Tensor(x, [n, 24]), labels, prototypes };
  }

  it('learns a 256-class task far above chance (1/256), and its loss is −mean log p at the targets', () => {
    const train = task(1, 2048);
    manualSeed(2);
    const hidden = new nn.Linear(24, 32, { activation: 'relu' });
    const output = new nn.HierarchicalSoftmax(32, 256);
    const optimizer = new optim.Adam([...hidden.parameters(), ...output.parameters()], { lr: 0.01 });
    const first = output.forward(hidden.forward(train.x), train.labels).item();
    expect(first).toBeCloseTo(Math.log(256), 0); // near-uniform at the start: ln 256 ≈ 5.5
    for (let epoch = 0; epoch < 12; epoch++) {
      for (let b = 0; b < 2048; b += 128) {
        const x = new Tensor(train.x.data.slice(b * 24, (b + 128) * 24), [128, 24]);
        optimizer.zeroGrad();
        output.forward(hidden.forward(x), train.labels.subarray(b, b + 128)).backward();
        optimizer.step();
      }
    }
    // Same prototypes, fresh noise: held-out examples.
    const test = task(1, 512, true);
    const h = hidden.forward(test.x);
    const predicted = output.predict(h);
    const accuracy = predicted.filter((p, i) => p === test.labels[i]).length / 512;
    expect(accuracy).toBeGreaterThan(0.6); // chance is 0.004; this run reaches 0.82
    const lp = output.logProbs(h);
    let nll = 0;
    for (let i = 0; i < 512; i++) nll -= lp.data[i * 256 + test.labels[i]!]!;
    expect(output.forward(h, test.labels).item()).toBeCloseTo(nll / 512, 4);
    expect(output.forward(h, test.labels).item()).toBeLessThan(first / 4);
  });

  it('the Mnih–Hinton rebuild groups classes with similar features and keeps probabilities normalized', () => {
    // Class features in 4 well-separated clusters of 8 (as classFeatures of a trained model gives).
    manualSeed(3);
    const centers = randn([4, 16], { std: 5 });
    const labels = Int32Array.from({ length: 320 }, (_, i) => i % 32);
    const h = randn([320, 16], { std: 0.2 });
    for (let i = 0; i < 320; i++) for (let j = 0; j < 16; j++) h.data[i * 16 + j] += centers.data[(labels[i]! % 4) * 16 + j]!;
    const layer = new nn.HierarchicalSoftmax(16, 32);
    const tree = layer.rebuildTree(classFeatures(h, labels, 32));
    expect(layer.tree).toBe(tree);
    expect(Array.from(layer.treeChildren.data)).toEqual(Array.from(tree.children));
    for (let g = 0; g < 4; g++) {
      // The 8 classes of a cluster share the node at depth 2 of their paths, and no other class does.
      const members = Array.from({ length: 32 }, (_, c) => c).filter((c) => c % 4 === g);
      const nodeAt2 = (c: number) => tree.pathNodes[tree.pathOffsets[c]! + 2];
      const shared = nodeAt2(members[0]!);
      expect(members.every((c) => nodeAt2(c) === shared)).toBe(true);
      expect(Array.from({ length: 32 }, (_, c) => c).filter((c) => nodeAt2(c) === shared)).toEqual(members);
    }
    const lp = layer.logProbs(randn([5, 16]));
    for (let i = 0; i < 5; i++) {
      let sum = 0;
      for (let c = 0; c < 32; c++) sum += Math.exp(lp.data[i * 32 + c]!);
      expect(Math.abs(sum - 1)).toBeLessThan(1e-5);
    }
  });
});

describe('the Mnih–Hinton recipe end to end', () => {
  it('random tree, train; class features from the hidden layer; rebuild; train again: groups share subtrees', () => {
    // 64 classes in 8 groups: a class's prototype is its group's center plus a small offset.
    manualSeed(21);
    const centers = randn([8, 12], { std: 3 });
    const offsets = randn([64, 12], { std: 0.5 });
    const n = 1536;
    const labels = Int32Array.from({ length: n }, (_, i) => (i * 37) % 64);
    const x = randn([n, 12], { std: 0.2 });
    for (let i = 0; i < n; i++) for (let j = 0; j < 12; j++) x.data[i * 12 + j] += centers.data[(labels[i]! % 8) * 12 + j]! + offsets.data[labels[i]! * 12 + j]!;
    const hidden = new nn.Linear(12, 24, { activation: 'relu' });
    const output = new nn.HierarchicalSoftmax(24, 64, { tree: balancedTree(64, { seed: 5 }) });
    const params = [...hidden.parameters(), ...output.parameters()];
    const fit = (epochs: number) => {
      const optimizer = new optim.Adam(params, { lr: 0.01 });
      for (let e = 0; e < epochs; e++) {
        for (let b = 0; b < n; b += 128) {
          optimizer.zeroGrad();
          const xb = new Tensor(x.data.slice(b * 12, (b + 128) * 12), [128, 12]);
          output.forward(hidden.forward(xb), labels.subarray(b, b + 128)).backward();
          optimizer.step();
        }
      }
      return output.forward(hidden.forward(x), labels).item();
    };
    const randomTreeLoss = fit(8);
    // The control: 8 more epochs on the same random tree, from reset output parameters.
    const saved = hidden.stateDict();
    const savedValues = Object.fromEntries(Object.entries(saved).map(([k, t]) => [k, new Tensor(t.data.slice(), t.shape)]));
    output.resetParameters();
    const controlLoss = fit(8);
    hidden.loadStateDict(savedValues);
    // Steps 2 and 3; unbalanced, so the splits can follow the 8 groups.
    const tree = output.rebuildTree(classFeatures(hidden.forward(x), labels, 64), { balanced: false });
    for (let g = 0; g < 8; g++) {
      // The lowest node above all of a group's classes has those 8 classes under it and no other.
      const members = Array.from({ length: 64 }, (_, c) => c).filter((c) => c % 8 === g);
      const paths = members.map((c) => Array.from(tree.pathNodes.subarray(tree.pathOffsets[c]!, tree.pathOffsets[c + 1]!)));
      let common = 0;
      while (paths.every((p) => p.length > common && p[common] === paths[0]![common])) common++;
      const under = Array.from({ length: 64 }, (_, c) => c).filter((c) => tree.pathNodes.subarray(tree.pathOffsets[c]!, tree.pathOffsets[c + 1]!).includes(paths[0]![common - 1]!));
      expect(under).toEqual(members);
    }
    expect(output.forward(hidden.forward(x), labels).item()).toBeGreaterThan(randomTreeLoss); // parameters were reset
    const rebuiltLoss = fit(8);
    expect(rebuiltLoss).toBeLessThan(0.6 * controlLoss); // the learned tree fits better: 0.30 against 1.05 in this run
    expect(rebuiltLoss).toBeLessThan(Math.log(64) / 3);
  });
});

describe('HierarchicalSoftmax state', () => {
  it('saves and loads the tree with the weights (safetensors round trip)', () => {
    manualSeed(4);
    const a = new nn.HierarchicalSoftmax(6, 20, { tree: huffmanTree(Array.from({ length: 20 }, (_, k) => 1 / (k + 1))) });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-hsm-'));
    const file = path.join(dir, 'hsm.safetensors');
    a.save(file);
    const b = new nn.HierarchicalSoftmax(6, 20, { tree: balancedTree(20, { seed: 9 }) });
    expect(b.tree.children).not.toEqual(a.tree.children);
    b.loadFrom(file);
    expect(b.tree.children).toEqual(a.tree.children);
    expect(b.tree.pathCodes).toEqual(a.tree.pathCodes);
    const x = randn([3, 6]);
    expect(Array.from(b.logProbs(x).data)).toEqual(Array.from(a.logProbs(x).data));
    fs.rmSync(dir, { recursive: true });
  });

  it('refuses a state dict whose treeChildren is not a tree, and keeps its own tree and weights', () => {
    const layer = new nn.HierarchicalSoftmax(2, 4, { tree: balancedTree(4, { seed: 1 }) });
    const before = { children: layer.tree.children.slice(), weight: layer.weight.data.slice() };
    const state = layer.stateDict();
    const bad = { ...state, weight: new Tensor(new Float32Array(6).fill(7), [3, 2]), treeChildren: new Tensor(Float32Array.of(-1, -1, -2, -3, -4, 1), [6]) };
    expect(() => layer.loadStateDict(bad)).toThrow('treeChildren is not a tree');
    expect(layer.tree.children).toEqual(before.children);
    expect(Array.from(layer.treeChildren.data)).toEqual(Array.from(before.children));
    expect(layer.weight.data).toEqual(before.weight);
  });

  it('checks its arguments', () => {
    expect(() => new nn.HierarchicalSoftmax(4, 1)).toThrow('integer >= 2 for numClasses');
    expect(() => new nn.HierarchicalSoftmax(0, 5)).toThrow('integer >= 1 for inFeatures');
    expect(() => new nn.HierarchicalSoftmax(4, 5, { tree: balancedTree(6, { seed: 1 }) })).toThrow('a tree over 5 classes but received one over 6');
    const layer = new nn.HierarchicalSoftmax(4, 5);
    expect(() => layer.forward(randn([2, 3]), [0, 1])).toThrow('Expected x of shape [N, 4]');
    expect(() => layer.forward(randn([2, 4]), [0, 5])).toThrow('labels[1] is 5');
    expect(() => layer.forward(randn([2, 4]), [0])).toThrow('Expected 2 labels');
    expect(() => layer.predict(randn([2, 3]))).toThrow('Expected x of shape [N, 4]');
    expect(String(layer)).toBe('HierarchicalSoftmax(4, 5, depth=3)');
  });

  it('predict works in blocks of rows and agrees with the argmax of logProbs', () => {
    manualSeed(12);
    const layer = new nn.HierarchicalSoftmax(8, 300);
    const x = randn([7, 8], { std: 3 });
    const lp = layer.logProbs(x);
    const expected = Array.from({ length: 7 }, (_, i) => {
      let best = 0;
      for (let c = 1; c < 300; c++) if (lp.data[i * 300 + c]! > lp.data[i * 300 + best]!) best = c;
      return best;
    });
    expect(new Set(expected).size).toBeGreaterThan(3);
    expect(Array.from(layer.predict(x, { blockRows: 2 }))).toEqual(expected);
    expect(() => layer.predict(x, { blockRows: 0 })).toThrow('blockRows');
    expect(Array.from(layer.predict(x))).toEqual(expected);
  });
});

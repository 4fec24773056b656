// The hierarchical-softmax trees: validation of every way to make one, balanced depths, seeded
// shuffles, Huffman optimality on known distributions, and the Mnih–Hinton partitioning
// grouping clustered class vectors.
import { describe, expect, it } from 'vitest';
import { manualSeed, nn, Tensor } from '../../lib';

const { HsmTree, balancedTree, huffmanTree, partitionTree, classFeatures } = nn.hsoftmax;
type Tree = InstanceType<typeof HsmTree>;

/** The classes under inner node n. */
function classesUnder(tree: Tree, n: number): number[] {
  const out: number[] = [];
  const stack = [n];
  while (stack.length) {
    const m = stack.pop()!;
    for (const child of [tree.children[2 * m]!, tree.children[2 * m + 1]!]) {
      if (child < 0) out.push(-1 - child);
      else stack.push(child);
    }
  }
  return out.sort((a, b) => a - b);
}

/** The classes under the lowest node whose subtree holds all of `group`. */
function smallestSubtreeHolding(tree: Tree, group: number[]): number[] {
  const paths = group.map((c) => Array.from(tree.pathNodes.subarray(tree.pathOffsets[c]!, tree.pathOffsets[c + 1]!)));
  let common = 0;
  while (paths.every((p) => p.length > common && p[common] === paths[0]![common])) common++;
  return classesUnder(tree, paths[0]![common - 1]!);
}

/** Every class's path starts at the root and, following its codes through children, reaches it. */
function checkIsTree(tree: Tree): void {
  const problems: string[] = [];
  for (let c = 0; c < tree.numClasses; c++) {
    const len = tree.pathLength(c);
    let node = 0;
    for (let k = 0; k < len; k++) {
      const p = tree.pathOffsets[c]! + k;
      if (tree.pathNodes[p] !== node) problems.push(`class ${c} step ${k}: node ${tree.pathNodes[p]}, expected ${node}`);
      const child = tree.children[2 * node + tree.pathCodes[p]!]!;
      if (k === len - 1 && child !== -1 - c) problems.push(`class ${c}: the path ends at ${child}`);
      node = child;
    }
    if (len === 0) problems.push(`class ${c}: empty path`);
  }
  expect(problems).toEqual([]);
}

describe('HsmTree', () => {
  it('builds the paths and codes of nested pairs, numbering inner nodes in preorder', () => {
    const tree = HsmTree.fromStructure([[0, 3], [2, [1, 4]]]);
    expect(tree.numClasses).toBe(5);
    expect(tree.depth).toBe(3);
    expect([...tree.pathNodes.subarray(tree.pathOffsets[1]!, tree.pathOffsets[2]!)]).toEqual([0, 2, 3]);
    expect([...tree.pathCodes.subarray(tree.pathOffsets[1]!, tree.pathOffsets[2]!)]).toEqual([1, 1, 0]);
    expect([...tree.pathCodes.subarray(tree.pathOffsets[3]!, tree.pathOffsets[4]!)]).toEqual([0, 1]);
    expect(tree.toStructure()).toEqual([[0, 3], [2, [1, 4]]]);
    checkIsTree(tree);
  });

  it.each([
    ['a class twice', [[0, 1], [1, 2]], 'class 1 appears twice'],
    ['a class id past the count', [[0, 1], [4, 2]], 'Expected class ids in [0, 4)'],
    ['a node with three children', [0, [1, 2, 3]], 'one has 3 elements'],
    ['a fractional id', [0, 1.5], 'Expected a class id'],
    ['a string leaf', [0, '1'], 'Expected a class id'],
  ])('refuses nested pairs with %s', (_, structure, message) => {
    expect(() => HsmTree.fromStructure(structure as never)).toThrow(message);
  });

  it('refuses a single class, and a structure that does not cover numClasses', () => {
    expect(() => HsmTree.fromStructure(0)).toThrow(TypeError);
    expect(() => HsmTree.fromStructure([0, 1], 3)).toThrow('Expected 3 leaves');
  });

  it('refuses children arrays that are not one tree', () => {
    expect(() => new HsmTree(3, [-1, 1, -2, -3])).not.toThrow();
    expect(() => new HsmTree(3, [-1, 0, -2, -3])).toThrow('inner node in [1, 2)'); // the root as a child
    expect(() => new HsmTree(4, [-1, -2, 2, -3, 1, -4])).toThrow('2 are not'); // nodes 1, 2 form a cycle
    expect(() => new HsmTree(3, [-1, -1, -2, -3])).toThrow('class 0 appears twice');
    expect(() => new HsmTree(3, [-1, 1, -2])).toThrow('Expected 2·(numClasses − 1) = 4 children');
  });
});

describe('balancedTree', () => {
  it.each([2, 3, 5, 8, 9, 1000])('gives %i classes paths of ⌊log₂ C⌋ or ⌈log₂ C⌉ decisions', (classes) => {
    const tree = balancedTree(classes, { seed: 1 });
    checkIsTree(tree);
    expect(tree.depth).toBe(Math.ceil(Math.log2(classes)));
    for (let c = 0; c < classes; c++) expect(tree.pathLength(c)).toBeGreaterThanOrEqual(Math.floor(Math.log2(classes)));
  });

  it('is reproducible by seed, and by manualSeed when no seed is given', () => {
    expect(balancedTree(50, { seed: 3 }).children).toEqual(balancedTree(50, { seed: 3 }).children);
    expect(balancedTree(50, { seed: 3 }).children).not.toEqual(balancedTree(50, { seed: 4 }).children);
    manualSeed(11);
    const a = balancedTree(50);
    const b = balancedTree(50); // the generator moved on
    manualSeed(11);
    expect(balancedTree(50).children).toEqual(a.children);
    expect(b.children).not.toEqual(a.children);
  });

  it('keeps class order without the shuffle: classes 0 … C/2−1 go left at the root', () => {
    const tree = balancedTree(8, { shuffle: false });
    expect(tree.toStructure()).toEqual([[[0, 1], [2, 3]], [[4, 5], [6, 7]]]);
  });
});

describe('huffmanTree', () => {
  it('gives a dyadic distribution code lengths −log₂ p: expected length = entropy = 1.75', () => {
    const tree = huffmanTree([0.125, 0.5, 0.125, 0.25]);
    expect([0, 1, 2, 3].map((c) => tree.pathLength(c))).toEqual([3, 1, 3, 2]);
    expect(tree.expectedPathLength([0.125, 0.5, 0.125, 0.25])).toBeCloseTo(1.75, 12);
  });

  it('reaches the optimum 2.2 on (0.4, 0.2, 0.2, 0.1, 0.1), below the in-order balanced tree\'s 2.6', () => {
    const p = [0.4, 0.2, 0.2, 0.1, 0.1];
    expect(huffmanTree(p).expectedPathLength(p)).toBeCloseTo(2.2, 12);
    expect(balancedTree(5, { shuffle: false }).expectedPathLength(p)).toBeCloseTo(2.6, 12); // lengths 3, 3, 2, 2, 2
  });

  it('gives frequent classes shorter paths on a Zipf distribution, within a bit of the entropy', () => {
    const p = Array.from({ length: 1000 }, (_, k) => 1 / (k + 1));
    const tree = huffmanTree(p);
    checkIsTree(tree);
    for (let c = 1; c < 1000; c++) expect(tree.pathLength(c)).toBeGreaterThanOrEqual(tree.pathLength(c - 1));
    const total = p.reduce((a, b) => a + b, 0);
    const entropy = -p.reduce((h, q) => h + (q / total) * Math.log2(q / total), 0);
    const expected = tree.expectedPathLength(p);
    expect(expected).toBeGreaterThanOrEqual(entropy);
    expect(expected).toBeLessThan(entropy + 1);
    expect(expected).toBeLessThan(balancedTree(1000, { seed: 1 }).expectedPathLength(p));
  });

  it('builds a chain C − 1 deep for doubling frequencies (no recursion)', () => {
    const tree = huffmanTree(Array.from({ length: 1000 }, (_, k) => 2 ** -k));
    expect(tree.depth).toBe(999);
    checkIsTree(tree);
  });

  it('refuses negative, NaN and too few frequencies', () => {
    expect(() => huffmanTree([1, -1, 2])).toThrow('frequencies[1] is -1');
    expect(() => huffmanTree([1, NaN])).toThrow('frequencies[1] is NaN');
    expect(() => huffmanTree([1])).toThrow('at least 2');
  });
});

/** count vectors around each center, with small noise (xorshift, deterministic). */
function clustered(centers: number[][], sizes: number[], noise: number): { vectors: number[][]; groups: number[][] } {
  let s = 12345;
  const random = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  const vectors: number[][] = [];
  const groups: number[][] = centers.map(() => []);
  // Interleaved, so a cluster's classes are not neighbours by id.
  const remaining = sizes.slice();
  while (remaining.some((r) => r > 0)) {
    remaining.forEach((r, g) => {
      if (r === 0) return;
      remaining[g]--;
      groups[g]!.push(vectors.length);
      vectors.push(centers[g]!.map((v) => v + noise * random()));
    });
  }
  return { vectors, groups };
}

describe('partitionTree (Mnih–Hinton recursive bi-partitioning)', () => {
  it('balanced: four clusters of 8 in a 2×2 arrangement each become one subtree of 8 leaves', () => {
    const centers = [[10, 1, 0], [10, -1, 0], [-10, 1, 0], [-10, -1, 0]].map((c) => [...c, ...new Array(13).fill(0)]);
    const { vectors, groups } = clustered(centers, [8, 8, 8, 8], 0.1);
    const tree = partitionTree(vectors);
    checkIsTree(tree);
    expect(tree.depth).toBe(5);
    for (const group of groups) expect(smallestSubtreeHolding(tree, group)).toEqual([...group].sort((a, b) => a - b));
    // The first split separates the +10 half from the −10 half.
    const signs = new Set(classesUnder(tree, tree.children[0]!).map((c) => Math.sign(vectors[c]![0]!)));
    expect(signs.size).toBe(1);
  });

  it('unbalanced: clusters of 5, 9, 2 and 16 each become one subtree', () => {
    const centers = [[8, 0, 0, 0], [0, 8, 0, 0], [0, 0, 8, 0], [0, 0, 0, 8]];
    const { vectors, groups } = clustered(centers, [5, 9, 2, 16], 0.2);
    const tree = partitionTree(vectors, { balanced: false });
    checkIsTree(tree);
    for (const group of groups) expect(smallestSubtreeHolding(tree, group)).toEqual([...group].sort((a, b) => a - b));
    expect(partitionTree(vectors, { balanced: false }).children).toEqual(tree.children); // deterministic
  });

  it('splits identical vectors in halves instead of failing', () => {
    const tree = partitionTree(Array.from({ length: 6 }, () => [1, 2]), { balanced: false });
    checkIsTree(tree);
    expect(tree.depth).toBe(3);
  });

  it('refuses non-finite vectors and ragged rows', () => {
    expect(() => partitionTree([[0, 1], [NaN, 1]])).toThrow('vector 1 holds NaN');
    expect(() => partitionTree([[0, 1], [1]])).toThrow('vector 1');
  });

  it('classFeatures: the mean input per class; a class never seen gets the mean of all', () => {
    const h = new Tensor(Float32Array.of(1, 2, 3, 4, 5, 6), [3, 2]);
    const features = classFeatures(h, [0, 2, 0], 3);
    expect([...features.data]).toEqual([3, 4, 3, 4, 3, 4]);
    expect([...classFeatures(h, [1, 1, 0], 3).data]).toEqual([5, 6, 2, 3, 3, 4]);
  });
});

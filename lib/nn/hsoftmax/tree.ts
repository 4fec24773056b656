/**
 * The binary tree of a hierarchical softmax: C classes at the leaves, C − 1 inner nodes, node 0
 * the root. Stored as `children` (length 2(C − 1)): children[2n] and children[2n + 1] are inner
 * node n's left and right child, an inner node as its id (≥ 1) and class c as −1 − c. From it,
 * every class's path (inner nodes from the root down) and codes (0 left, 1 right), in the flat
 * form the hsoftmax kernels take.
 */

/** A class id, or a pair of subtrees (left, right): `[[0, 1], [2, [3, 4]]]`. */
export type TreeStructure = number | readonly [TreeStructure, TreeStructure];

export const leafOf = (c: number) => -1 - c;

export class HsmTree {
  readonly numClasses: number;
  readonly children: Int32Array;
  /** Class c's path is pathNodes[pathOffsets[c] .. pathOffsets[c + 1]) with pathCodes alongside. */
  readonly pathOffsets: Int32Array;
  readonly pathNodes: Int32Array;
  readonly pathCodes: Int32Array;
  /** The longest path (inner nodes on it). */
  readonly depth: number;

  /**
   * Checks that children describe one binary tree: every class a leaf exactly once, every inner
   * node but the root a child exactly once, all of them reachable from the root.
   */
  constructor(numClasses: number, children: Int32Array | readonly number[]) {
    if (!Number.isInteger(numClasses) || numClasses < 2 || numClasses > 2 ** 24) {
      throw new RangeError(`HsmTree: Expected numClasses to be an integer in [2, 2^24] but received ${String(numClasses)}`);
    }
    const nodes = numClasses - 1;
    if (children.length !== 2 * nodes) {
      throw new RangeError(`HsmTree: Expected 2·(numClasses − 1) = ${2 * nodes} children but received ${children.length}`);
    }
    const seenClass = new Uint8Array(numClasses);
    const seenNode = new Uint8Array(nodes);
    for (let k = 0; k < children.length; k++) {
      const child = children[k]!;
      if (!Number.isInteger(child) || child === 0 || child >= nodes || child < -numClasses) {
        throw new RangeError(`HsmTree: Expected children[${k}] to be an inner node in [1, ${nodes}) or a class −1−c with c in [0, ${numClasses}) but received ${child}`);
      }
      if (child > 0) {
        if (seenNode[child]) throw new RangeError(`HsmTree: inner node ${child} has two parents`);
        seenNode[child] = 1;
      } else {
        const c = -1 - child;
        if (seenClass[c]) throw new RangeError(`HsmTree: class ${c} appears twice`);
        seenClass[c] = 1;
      }
    }
    // Every value is distinct and there are exactly C − 2 + C of them, so every class and
    // non-root node appears once; what is left to rule out is a cycle cut off from the root.
    this.numClasses = numClasses;
    this.children = Int32Array.from(children);
    const lengths = new Int32Array(numClasses);
    const parentOf = new Int32Array(nodes).fill(-1);
    const order: number[] = []; // inner nodes reached from the root, parents first
    const stack = [0];
    const nodeDepth = new Int32Array(nodes);
    while (stack.length > 0) {
      const n = stack.pop()!;
      order.push(n);
      for (let side = 0; side < 2; side++) {
        const child = this.children[2 * n + side]!;
        if (child > 0) {
          parentOf[child] = 2 * n + side;
          nodeDepth[child] = nodeDepth[n]! + 1;
          stack.push(child);
        } else {
          lengths[-1 - child] = nodeDepth[n]! + 1;
        }
      }
    }
    if (order.length !== nodes) {
      throw new RangeError(`HsmTree: Expected every inner node to be reachable from the root but ${nodes - order.length} are not`);
    }
    this.pathOffsets = new Int32Array(numClasses + 1);
    let depth = 0;
    for (let c = 0; c < numClasses; c++) {
      this.pathOffsets[c + 1] = this.pathOffsets[c]! + lengths[c]!;
      depth = Math.max(depth, lengths[c]!);
    }
    this.depth = depth;
    this.pathNodes = new Int32Array(this.pathOffsets[numClasses]!);
    this.pathCodes = new Int32Array(this.pathNodes.length);
    // Each path written bottom-up from its leaf, following parents to the root.
    for (let n = 0; n < nodes; n++) {
      for (let side = 0; side < 2; side++) {
        const child = this.children[2 * n + side]!;
        if (child >= 0) continue;
        const c = -1 - child;
        let p = this.pathOffsets[c + 1]! - 1;
        let node = n;
        let code = side;
        for (;;) {
          this.pathNodes[p] = node;
          this.pathCodes[p] = code;
          p--;
          const slot = parentOf[node]!;
          if (slot < 0) break;
          node = slot >> 1;
          code = slot & 1;
        }
      }
    }
  }

  /**
   * A tree from nested pairs (any nesting, checked without recursion): leaves are the class ids
   * 0 … C − 1, each exactly once; inner nodes are numbered in preorder (the root 0).
   */
  static fromStructure(structure: TreeStructure, numClasses?: number): HsmTree {
    const children: number[] = [];
    const leaves: number[] = [];
    if (!Array.isArray(structure)) {
      throw new TypeError('HsmTree.fromStructure: Expected a pair [left, right] at the root (a tree needs at least 2 classes)');
    }
    // [subtree, parent slot in children]
    const stack: [unknown, number][] = [[structure, -1]];
    let nextNode = 0;
    while (stack.length > 0) {
      const [item, slot] = stack.pop()!;
      if (Array.isArray(item)) {
        if (item.length !== 2) throw new RangeError(`HsmTree.fromStructure: Expected every inner node as a pair [left, right] but one has ${item.length} elements`);
        const id = nextNode++;
        if (slot >= 0) children[slot] = id;
        children.push(0, 0);
        stack.push([item[1], 2 * id + 1], [item[0], 2 * id]);
      } else if (typeof item === 'number' && Number.isInteger(item) && item >= 0) {
        children[slot] = leafOf(item);
        leaves.push(item);
      } else {
        throw new TypeError(`HsmTree.fromStructure: Expected a class id (a non-negative integer) or a pair but received ${String(item)}`);
      }
    }
    const classes = numClasses ?? leaves.length;
    if (leaves.length !== classes) {
      throw new RangeError(`HsmTree.fromStructure: Expected ${classes} leaves (one per class) but received ${leaves.length}`);
    }
    const seen = new Uint8Array(classes);
    for (const c of leaves) {
      if (c >= classes) throw new RangeError(`HsmTree.fromStructure: Expected class ids in [0, ${classes}) but received ${c}`);
      if (seen[c]) throw new RangeError(`HsmTree.fromStructure: class ${c} appears twice`);
      seen[c] = 1;
    }
    return new HsmTree(classes, children);
  }

  /** The nested-pairs form (as fromStructure takes it). */
  toStructure(): TreeStructure {
    type Pair = [TreeStructure, TreeStructure];
    const root: Pair = [0, 0];
    const stack: [number, Pair][] = [[0, root]];
    while (stack.length > 0) {
      const [n, pair] = stack.pop()!;
      for (let side = 0; side < 2; side++) {
        const child = this.children[2 * n + side]!;
        if (child < 0) {
          pair[side] = -1 - child;
        } else {
          const inner: Pair = [0, 0];
          pair[side] = inner;
          stack.push([child, inner]);
        }
      }
    }
    return root;
  }

  /** How many binary decisions class c takes. */
  pathLength(c: number): number {
    return this.pathOffsets[c + 1]! - this.pathOffsets[c]!;
  }

  /** Σ_c p_c·pathLength(c) for class frequencies p (normalized here). */
  expectedPathLength(frequencies: ArrayLike<number>): number {
    if (frequencies.length !== this.numClasses) {
      throw new RangeError(`expectedPathLength: Expected ${this.numClasses} frequencies but received ${frequencies.length}`);
    }
    let total = 0;
    let weighted = 0;
    for (let c = 0; c < this.numClasses; c++) {
      total += frequencies[c]!;
      weighted += frequencies[c]! * this.pathLength(c);
    }
    return weighted / total;
  }
}

/**
 * Huffman tree by class frequency (word2vec's choice): frequent classes get short paths, so the
 * expected number of decisions per example, Σ p_c·len_c, is the smallest any binary tree gives.
 */
import { TreeBuilder } from './builder';
import type { HsmTree } from './tree';

interface Item {
  weight: number;
  /** Ties broken by creation order, so the tree depends on the frequencies alone. */
  order: number;
  /** A class (−1 − c) or a merged pair (its index in pairs). */
  ref: number;
}

const before = (a: Item, b: Item) => a.weight < b.weight || (a.weight === b.weight && a.order < b.order);

class MinHeap {
  private readonly items: Item[] = [];
  get size() {
    return this.items.length;
  }
  push(item: Item): void {
    const a = this.items;
    a.push(item);
    for (let i = a.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if (!before(a[i]!, a[parent]!)) break;
      [a[i], a[parent]] = [a[parent]!, a[i]!];
      i = parent;
    }
  }
  pop(): Item {
    const a = this.items;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && before(a[l]!, a[m]!)) m = l;
        if (r < a.length && before(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}

/** frequencies: one count or probability per class, finite and ≥ 0 (zeros get the longest paths). */
export function huffmanTree(frequencies: ArrayLike<number>): HsmTree {
  const n = frequencies?.length;
  if (typeof n !== 'number' || n < 2) throw new RangeError('huffmanTree: Expected at least 2 class frequencies');
  const heap = new MinHeap();
  for (let c = 0; c < n; c++) {
    const f = frequencies[c]!;
    if (typeof f !== 'number' || !Number.isFinite(f) || f < 0) {
      throw new RangeError(`huffmanTree: Expected finite non-negative frequencies but frequencies[${c}] is ${String(f)}`);
    }
    heap.push({ weight: f, order: c, ref: -1 - c });
  }
  // Bottom-up merges: pairs[k] = [left ref, right ref]; the last pair is the root.
  const pairs: [number, number][] = [];
  while (heap.size > 1) {
    const a = heap.pop();
    const b = heap.pop();
    pairs.push([a.ref, b.ref]);
    heap.push({ weight: a.weight + b.weight, order: n + pairs.length, ref: pairs.length - 1 });
  }
  // Renumbered top-down (preorder) so the root is node 0.
  const builder = new TreeBuilder();
  const stack: [number, number][] = [[pairs.length - 1, -1]];
  while (stack.length > 0) {
    const [ref, slot] = stack.pop()!;
    if (ref < 0) {
      builder.leaf(slot, -1 - ref);
      continue;
    }
    const id = builder.node(slot);
    const [left, right] = pairs[ref]!;
    stack.push([right, 2 * id + 1], [left, 2 * id]);
  }
  return builder.build(n);
}

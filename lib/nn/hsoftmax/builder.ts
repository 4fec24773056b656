/** Grows a tree top-down: each inner node gets its id when made (preorder when made in preorder). */
import { HsmTree, leafOf } from './tree';

export class TreeBuilder {
  readonly children: number[] = [];

  /** A new inner node under `slot` (2·parent + side; −1 for the root); returns its id. */
  node(slot: number): number {
    const id = this.children.length / 2;
    this.children.push(0, 0);
    if (slot >= 0) this.children[slot] = id;
    return id;
  }

  leaf(slot: number, c: number): void {
    this.children[slot] = leafOf(c);
  }

  build(numClasses: number): HsmTree {
    return new HsmTree(numClasses, this.children);
  }
}

/**
 * A tree from recursive two-way splits of `classes`: split(list) returns [left, right], both
 * non-empty. Iterative (an unbalanced split may nest as deep as there are classes).
 */
export function treeFromSplits(classes: number[], split: (list: number[]) => [number[], number[]]): HsmTree {
  const builder = new TreeBuilder();
  const stack: [number[], number][] = [[classes, -1]];
  while (stack.length > 0) {
    const [list, slot] = stack.pop()!;
    if (list.length === 1) {
      builder.leaf(slot, list[0]!);
      continue;
    }
    const [left, right] = split(list);
    if (left.length === 0 || right.length === 0 || left.length + right.length !== list.length) {
      throw new Error('treeFromSplits: a split must give two non-empty parts of the list');
    }
    const id = builder.node(slot);
    stack.push([right, 2 * id + 1], [left, 2 * id]);
  }
  return builder.build(classes.length);
}

/** The notes' "random tree": classes shuffled by a seeded generator, then halved recursively. */
import { philoxBlock, unitUniform } from '../../backend/random';
import { takeStream } from '../../autograd/random';
import { treeFromSplits } from './builder';
import type { HsmTree } from './tree';

export interface BalancedTreeOptions {
  /** Seed of the shuffle; by default the next words of the library's generator (manualSeed). */
  seed?: number;
  /** Keep classes in order (no shuffle): a balanced tree over 0 … C − 1. */
  shuffle?: boolean;
}

/**
 * Fisher–Yates on the Philox words of `seed` from `offset` (a multiple of 4: streams are taken
 * in whole blocks): the same seed, the same order.
 */
function shuffled(n: number, seed: number, offset: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  const block = new Uint32Array(4);
  for (let i = n - 1, word = offset; i > 0; i--, word++) {
    if (word % 4 === 0) philoxBlock(word / 4, seed, block);
    const j = Math.floor(unitUniform(block[word % 4]!) * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/** Depth ⌈log₂ C⌉ for every class: each split gives the left part ⌈n/2⌉ classes. */
export function balancedTree(numClasses: number, options: BalancedTreeOptions = {}): HsmTree {
  if (!Number.isInteger(numClasses) || numClasses < 2) {
    throw new RangeError(`balancedTree: Expected numClasses to be an integer >= 2 but received ${String(numClasses)}`);
  }
  let order: number[];
  if (options.shuffle === false) {
    order = Array.from({ length: numClasses }, (_, i) => i);
  } else if (options.seed !== undefined) {
    if (!Number.isInteger(options.seed) || options.seed < 0) {
      throw new RangeError(`balancedTree: Expected seed to be a non-negative integer but received ${String(options.seed)}`);
    }
    order = shuffled(numClasses, options.seed, 0);
  } else {
    const stream = takeStream(numClasses);
    order = shuffled(numClasses, stream.seed, stream.offset);
  }
  return treeFromSplits(order, (list) => {
    const half = Math.ceil(list.length / 2);
    return [list.slice(0, half), list.slice(half)];
  });
}

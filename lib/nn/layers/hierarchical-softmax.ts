/**
 * HierarchicalSoftmax: the output layer and loss for very many classes. A binary tree over the C
 * classes, one sigmoid decision per inner node (weight [C − 1, inFeatures], bias [C − 1]):
 * training touches only the ⌈log₂ C⌉-or-so nodes on each target's path instead of all C
 * classes; logProbs() gives every class's log-probability for evaluation. The tree is a
 * persistent buffer (treeChildren), so save/load restores it with the weights.
 */
import { hierarchicalSoftmaxLogProbs, hierarchicalSoftmaxLoss, type HsmReduction } from '../../autograd/ops/hsoftmax';
import { noGrad } from '../../autograd/grad-mode';
import { zeros } from '../../autograd/create';
import { argmax } from '../../autograd/ops/reduce';
import type { DType } from '../../autograd/tensor';
import { Tensor, formatShape } from '../../autograd/tensor';
import { type Labels, toLabels } from '../../autograd/ops/labels';
import { balancedTree } from '../hsoftmax/balanced';
import { partitionTree, type PartitionOptions } from '../hsoftmax/partition';
import { HsmTree, type TreeStructure } from '../hsoftmax/tree';
import { uniform } from '../init';
import { Module, type LoadResult } from '../module';
import { Parameter } from '../parameter';

export interface HierarchicalSoftmaxOptions {
  /**
   * The tree: an HsmTree (balancedTree, huffmanTree, partitionTree) or nested pairs of class
   * ids. Default: balancedTree(numClasses), shuffled by the library's seeded generator.
   */
  tree?: HsmTree | TreeStructure;
  /** A bias per inner node (default true). */
  bias?: boolean;
  /** forward()'s reduction over the batch: 'mean' (default), 'sum' or 'none' ([N]). */
  reduction?: HsmReduction;
  dtype?: DType;
}

/** Log-probabilities per predict() block: 4M values (16 MB in float32). */
const PREDICT_BLOCK = 1 << 22;

function positiveInteger(name: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new RangeError(`HierarchicalSoftmax: Expected an integer >= ${min} for ${name} but received ${String(value)}`);
  }
  return value;
}

export class HierarchicalSoftmax extends Module {
  /** [C − 1, inFeatures]: inner node n's decision vector. */
  weight: Parameter;
  bias: Parameter | null;
  readonly inFeatures: number;
  readonly numClasses: number;
  readonly reduction: HsmReduction;
  #tree: HsmTree;
  declare readonly treeChildren: Tensor;

  constructor(inFeatures: number, numClasses: number, options: HierarchicalSoftmaxOptions = {}) {
    super();
    this.inFeatures = positiveInteger('inFeatures', inFeatures, 1);
    this.numClasses = positiveInteger('numClasses', numClasses, 2);
    this.reduction = options.reduction ?? 'mean';
    if (!['mean', 'sum', 'none'].includes(this.reduction)) {
      throw new RangeError(`HierarchicalSoftmax: Expected reduction "mean", "sum" or "none" but received ${String(this.reduction)}`);
    }
    const dtype = options.dtype ?? 'float32';
    this.#tree = HierarchicalSoftmax.#toTree(options.tree, numClasses);
    this.weight = new Parameter(zeros([numClasses - 1, inFeatures], { dtype }));
    this.bias = options.bias === false ? null : new Parameter(zeros([numClasses - 1], { dtype }));
    this.registerBuffer('treeChildren', new Tensor(Float32Array.from(this.#tree.children), [2 * (numClasses - 1)]));
    this.resetParameters();
  }

  static #toTree(tree: HsmTree | TreeStructure | undefined, numClasses: number): HsmTree {
    const out = tree === undefined ? balancedTree(numClasses) : tree instanceof HsmTree ? tree : HsmTree.fromStructure(tree, numClasses);
    if (out.numClasses !== numClasses) {
      throw new RangeError(`HierarchicalSoftmax: Expected a tree over ${numClasses} classes but received one over ${out.numClasses}`);
    }
    return out;
  }

  /** Weights uniform in ±1/√inFeatures (as Linear) from the seeded generator; biases 0. */
  resetParameters(): void {
    const bound = 1 / Math.sqrt(this.inFeatures);
    uniform(this.weight, -bound, bound);
    this.bias?.data.fill(0);
  }

  get tree(): HsmTree {
    return this.#tree;
  }

  /**
   * Replaces the tree. The inner nodes then mean different splits, so the parameters are reset
   * unless resetParameters is false.
   */
  setTree(tree: HsmTree | TreeStructure, options: { resetParameters?: boolean } = {}): void {
    this.#tree = HierarchicalSoftmax.#toTree(tree, this.numClasses);
    this.treeChildren.data.set(this.#tree.children);
    if (options.resetParameters ?? true) this.resetParameters();
  }

  /**
   * Mnih–Hinton's step 3: derives the tree from class vectors [C, D] (see classFeatures) by
   * recursive two-way partitioning, installs it and resets the parameters (retrain after).
   */
  rebuildTree(classVectors: Tensor | readonly (readonly number[])[], options: PartitionOptions = {}): HsmTree {
    const tree = partitionTree(classVectors, options);
    if (tree.numClasses !== this.numClasses) {
      throw new RangeError(`rebuildTree: Expected ${this.numClasses} class vectors but received ${tree.numClasses}`);
    }
    this.setTree(tree);
    return tree;
  }

  /** The loss of inputs x [N, inFeatures] at their targets (reduced as the module's reduction says). */
  override forward(x: Tensor, target: Labels): Tensor {
    if (!(x instanceof Tensor) || x.ndim !== 2 || x.shape[1] !== this.inFeatures) {
      throw new RangeError(`HierarchicalSoftmax: Expected x of shape [N, ${this.inFeatures}] but received ${x instanceof Tensor ? formatShape(x.shape) : typeof x}`);
    }
    const labels = toLabels('HierarchicalSoftmax', target, x.shape[0]!, this.numClasses);
    return hierarchicalSoftmaxLoss(x, labels, this.weight, this.bias, this.#tree, this.reduction);
  }

  /** log p(c | x) for every class, [N, C] (rows sum to 1 in probability); no gradient. */
  logProbs(x: Tensor): Tensor {
    return noGrad(() => hierarchicalSoftmaxLogProbs(x, this.weight, this.bias, this.#tree));
  }

  /**
   * The most probable class of each row (exact: from every class's log-probability), a block of
   * rows at a time so that at 100k classes a large batch does not hold an [N, C] array.
   * blockRows: rows per block (default: as many as 4M log-probabilities, 16 MB, allow).
   */
  predict(x: Tensor, options: { blockRows?: number } = {}): Int32Array {
    if (!(x instanceof Tensor) || x.ndim !== 2 || x.shape[1] !== this.inFeatures) {
      throw new RangeError(`HierarchicalSoftmax.predict: Expected x of shape [N, ${this.inFeatures}] but received ${x instanceof Tensor ? formatShape(x.shape) : typeof x}`);
    }
    const rows = x.shape[0]!;
    const block = options.blockRows ?? Math.max(1, Math.floor(PREDICT_BLOCK / this.numClasses));
    if (!Number.isInteger(block) || block < 1) {
      throw new RangeError(`HierarchicalSoftmax.predict: Expected blockRows to be a positive integer but received ${String(block)}`);
    }
    const out = new Int32Array(rows);
    for (let start = 0; start < rows; start += block) {
      const end = Math.min(rows, start + block);
      const part = new Tensor(x.data.subarray(start * this.inFeatures, end * this.inFeatures), [end - start, this.inFeatures]);
      out.set(argmax(this.logProbs(part), 1), start);
    }
    return out;
  }

  /** Loads parameters and the tree; a state dict holding no valid tree leaves the module as it was. */
  override loadStateDict(state: Record<string, Tensor>, options: { strict?: boolean } = {}): LoadResult {
    const before = { weight: this.weight.data.slice(), bias: this.bias?.data.slice() };
    const result = super.loadStateDict(state, options);
    try {
      this.#tree = new HsmTree(this.numClasses, Array.from(this.treeChildren.data));
    } catch (e) {
      this.treeChildren.data.set(this.#tree.children);
      this.weight.data.set(before.weight);
      if (before.bias) this.bias!.data.set(before.bias);
      throw new RangeError(`HierarchicalSoftmax.loadStateDict: the state dict's treeChildren is not a tree: ${(e as Error).message}`);
    }
    return result;
  }

  override toString(): string {
    return `HierarchicalSoftmax(${this.inFeatures}, ${this.numClasses}, depth=${this.#tree.depth}${this.bias ? '' : ', bias=false'})`;
  }
}

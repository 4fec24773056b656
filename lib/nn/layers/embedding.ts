/** Embedding: a learned vector per index (a character, a word). */
import type { DType, Tensor } from '../../autograd/tensor';
import { zeros } from '../../autograd/create';
import { embedding, type Indices } from '../../autograd/ops/embedding';
import { normal } from '../init';
import { Module } from '../module';
import { Parameter } from '../parameter';

export interface EmbeddingOptions {
  /** An index whose vector stays zero and receives no gradient (PyTorch's padding_idx). */
  paddingIdx?: number;
  /**
   * Row-sparse gradient (PyTorch's sparse=True): backward adds the rows used straight into
   * weight.grad and records them in weight.gradRows, so zeroGrad, SGD and SparseAdam touch only
   * those rows. Default false (a dense gradient per step).
   */
  sparse?: boolean;
  dtype?: DType;
}

function positive(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new RangeError(`Embedding: Expected a positive integer for ${name} but received ${String(value)}`);
  }
  return value;
}

export class Embedding extends Module {
  /** [numEmbeddings, embeddingDim], N(0, 1) as in PyTorch, the padding row zero. */
  weight: Parameter;
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly paddingIdx: number | null;
  readonly sparse: boolean;

  constructor(numEmbeddings: number, embeddingDim: number, options: EmbeddingOptions = {}) {
    super();
    this.numEmbeddings = positive('numEmbeddings', numEmbeddings);
    this.embeddingDim = positive('embeddingDim', embeddingDim);
    let padding = options.paddingIdx ?? null;
    if (padding !== null) {
      // Negative counts from the end, as in PyTorch.
      if (!Number.isInteger(padding) || padding < -numEmbeddings || padding >= numEmbeddings) {
        throw new RangeError(`Embedding: Expected paddingIdx to be an integer in [${-numEmbeddings}, ${numEmbeddings}) but received ${String(padding)}`);
      }
      if (padding < 0) padding += numEmbeddings;
    }
    this.paddingIdx = padding;
    if (options.sparse !== undefined && typeof options.sparse !== 'boolean') {
      throw new TypeError(`Embedding: Expected a boolean for sparse but received ${typeof options.sparse}`);
    }
    this.sparse = options.sparse ?? false;
    this.weight = new Parameter(zeros([numEmbeddings, embeddingDim], { dtype: options.dtype ?? 'float32' }));
    normal(this.weight);
    if (padding !== null) this.weight.data.fill(0, padding * embeddingDim, (padding + 1) * embeddingDim);
  }

  /** indices (any shape) → [...shape, embeddingDim]. */
  forward(indices: Indices): Tensor {
    return embedding(indices, this.weight, this.paddingIdx, this.sparse);
  }

  override toString(): string {
    return `Embedding(${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx === null ? '' : `, paddingIdx=${this.paddingIdx}`}${this.sparse ? ', sparse=true' : ''})`;
  }
}

/**
 * SyncBatchNorm: BatchNorm1d whose training statistics are those of the whole batch across the
 * ranks, as PyTorch's nn.SyncBatchNorm. Forward: each rank's count, mean and centred sum of
 * squares per channel are gathered and combined in rank order (Chan's parallel variance, in
 * double), so every rank normalizes with the same μ and σ² and updates the same running
 * statistics. Backward: Σdy and Σdy·x̂ per channel are summed over the ranks, giving each rank
 * ∂(Σ_r L_r)/∂x for its own rows, the gradient through the shared statistics included; γ and β
 * get this rank's own terms, which DistributedDataParallel's mean then combines. With equal
 * batches per rank, training with DDP + SyncBatchNorm equals one process running BatchNorm1d on
 * the concatenated batch.
 *
 * In evaluation it is BatchNorm1d with the running statistics (nothing is exchanged). Without an
 * initialized process group it normalizes over the local batch (a world of 1).
 */
import { record } from '../autograd/record';
import { Tensor, allocate, allocateOutput, commonDType, formatShape } from '../autograd/tensor';
import type { FloatArray } from '../autograd/tensor';
import { BatchNorm1d, type BatchNormOptions } from '../nn/layers/batch-norm';
import { Module } from '../nn/module';
import { type ProcessGroup, isInitialized, processGroup } from './process-group';

export interface SyncBatchNormOptions extends BatchNormOptions {
  /** The group whose ranks share statistics (default: the one distributed.init() started). */
  group?: ProcessGroup;
}

interface Statistics {
  count: number;
  mean: Float64Array;
  /** Biased variance of the whole batch, and 1/√(var + eps). */
  variance: Float64Array;
  invStd: Float64Array;
}

/** This rank's count, mean and centred sum of squares per channel, in double. */
function localMoments(x: FloatArray, n: number, c: number, hw: number): Float64Array {
  const out = new Float64Array(1 + 2 * c);
  const m = n * hw;
  out[0] = m;
  for (let j = 0; j < c; j++) {
    let sum = 0;
    for (let i = 0; i < n; i++) for (let k = 0; k < hw; k++) sum += x[(i * c + j) * hw + k]!;
    const mean = m > 0 ? sum / m : 0;
    let m2 = 0;
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < hw; k++) {
        const d = x[(i * c + j) * hw + k]! - mean;
        m2 += d * d;
      }
    }
    out[1 + j] = mean;
    out[1 + c + j] = m2;
  }
  return out;
}

/** Combines the ranks' moments in rank order (Chan et al.): the same numbers on every rank. */
function combine(gathered: Float64Array, ranks: number, c: number, eps: number): Statistics {
  const stride = 1 + 2 * c;
  const mean = new Float64Array(c);
  const m2 = new Float64Array(c);
  let count = 0;
  for (let r = 0; r < ranks; r++) {
    const base = r * stride;
    const nb = gathered[base]!;
    if (nb === 0) continue;
    const total = count + nb;
    for (let j = 0; j < c; j++) {
      const delta = gathered[base + 1 + j]! - mean[j]!;
      mean[j]! += (delta * nb) / total;
      m2[j]! += gathered[base + 1 + c + j]! + ((delta * delta * count) * nb) / total;
    }
    count = total;
  }
  const variance = m2.map((v) => v / count);
  const invStd = variance.map((v) => 1 / Math.sqrt(v + eps));
  return { count, mean, variance, invStd };
}

export class SyncBatchNorm extends BatchNorm1d {
  readonly #group: ProcessGroup | undefined;

  constructor(numFeatures: number, options: SyncBatchNormOptions = {}) {
    super(numFeatures, options);
    this.#group = options.group;
  }

  /** The group statistics are shared over, or undefined for the local batch alone. */
  get group(): ProcessGroup | undefined {
    return this.#group ?? (isInitialized() ? processGroup() : undefined);
  }

  override forward(x: Tensor): Tensor {
    if (!this.training) return super.forward(x);
    return syncBatchNorm(x, this, this.group);
  }

  /**
   * Replaces every BatchNorm1d below `module` (and module itself, if it is one) by a
   * SyncBatchNorm holding the same parameters and running statistics; returns the new module.
   */
  // Module<any>: any module, whatever its forward returns.
  static convert<T extends Module<any>>(module: T, options: { group?: ProcessGroup } = {}): T {
    const swap = (bn: BatchNorm1d): SyncBatchNorm => {
      const sync = new SyncBatchNorm(bn.numFeatures, {
        eps: bn.eps, momentum: bn.momentum, affine: bn.weight !== null, trackRunningStats: bn.runningMean !== null,
        dtype: (bn.weight ?? bn.runningMean)?.dtype ?? 'float32', ...(options.group ? { group: options.group } : {}),
      });
      sync.weight = bn.weight;
      sync.bias = bn.bias;
      sync.runningMean = bn.runningMean;
      sync.runningVar = bn.runningVar;
      sync.training = bn.training;
      return sync;
    };
    if (module instanceof BatchNorm1d && !(module instanceof SyncBatchNorm)) return swap(module) as unknown as T;
    for (const [, parent] of (module as unknown as Module).namedModules()) {
      for (const [name, child] of parent.namedChildren()) {
        if (child instanceof BatchNorm1d && !(child instanceof SyncBatchNorm)) (parent as unknown as Record<string, Module>)[name] = swap(child);
      }
    }
    return module;
  }
}

/** The training forward of SyncBatchNorm, recorded as one op. */
function syncBatchNorm(x: Tensor, layer: BatchNorm1d, group: ProcessGroup | undefined): Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`SyncBatchNorm: Expected a Tensor but received ${typeof x}`);
  if (x.ndim !== 2 && x.ndim !== 3) throw new RangeError(`SyncBatchNorm: Expected an input [N, C] or [N, C, L] but received ${formatShape(x.shape)}`);
  const [n, c] = x.shape as [number, number];
  if (c !== layer.numFeatures) throw new RangeError(`SyncBatchNorm: Expected ${layer.numFeatures} channels but received input ${formatShape(x.shape)}`);
  const hw = x.ndim === 3 ? x.shape[2]! : 1;
  const { weight, bias, eps, momentum } = layer;
  const inputs = [x, ...(weight ? [weight] : []), ...(bias ? [bias] : [])];
  const dtype = commonDType('SyncBatchNorm', inputs);
  const ranks = group?.size ?? 1;

  const moments = localMoments(x.data, n, c, hw);
  const gathered = group ? group.allgather<Float64Array>(moments) : moments;
  const stats = combine(gathered, ranks, c, eps);
  if (stats.count < 2) {
    throw new RangeError(`SyncBatchNorm: Expected more than 1 value per channel across the ranks in training but received ${stats.count} (input ${formatShape(x.shape)} on this rank)`);
  }
  if (layer.runningMean && layer.runningVar) {
    const unbiased = stats.count / (stats.count - 1);
    for (let j = 0; j < c; j++) {
      layer.runningMean.data[j] = (1 - momentum) * layer.runningMean.data[j]! + momentum * stats.mean[j]!;
      layer.runningVar.data[j] = (1 - momentum) * layer.runningVar.data[j]! + momentum * stats.variance[j]! * unbiased;
    }
  }
  const gamma = (j: number) => (weight ? weight.data[j]! : 1);
  const beta = (j: number) => (bias ? bias.data[j]! : 0);
  const y = allocateOutput(x.shape, dtype);
  const xhat = new Float64Array(x.size); // kept for the backward
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < c; j++) {
      for (let k = 0; k < hw; k++) {
        const e = (i * c + j) * hw + k;
        xhat[e] = (x.data[e]! - stats.mean[j]!) * stats.invStd[j]!;
        y[e] = gamma(j) * xhat[e]! + beta(j);
      }
    }
  }

  return record('syncBatchNorm', { eps, momentum, ranks }, inputs, y, x.shape, (grad) => {
    // Σdy and Σdy·x̂ per channel, this rank's first (they are γ's and β's gradients) …
    const local = new Float64Array(2 * c);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < c; j++) {
        for (let k = 0; k < hw; k++) {
          const e = (i * c + j) * hw + k;
          local[j]! += grad[e]!;
          local[c + j]! += grad[e]! * xhat[e]!;
        }
      }
    }
    // … then the whole batch's, for dx = γ·invStd/m · (m·dy − Σdy − x̂·Σdy·x̂). Whether x
    // needs a gradient is the same on every rank (the same graph), so all or none reduce.
    const m = stats.count;
    const dx = x.requiresGrad ? allocate(x.shape, dtype) : null;
    if (dx) {
      const global = group ? group.allreduce(local.slice(), { op: 'sum', order: 'fixed' }) : local;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < c; j++) {
          const scale = (gamma(j) * stats.invStd[j]!) / m;
          for (let k = 0; k < hw; k++) {
            const e = (i * c + j) * hw + k;
            dx[e] = scale * (m * grad[e]! - global[j]! - xhat[e]! * global[c + j]!);
          }
        }
      }
    }
    const dgamma = weight?.requiresGrad ? allocate([c], dtype) : null;
    const dbeta = bias?.requiresGrad ? allocate([c], dtype) : null;
    for (let j = 0; j < c; j++) {
      if (dgamma) dgamma[j] = local[c + j]!;
      if (dbeta) dbeta[j] = local[j]!;
    }
    return [dx, ...(weight ? [dgamma] : []), ...(bias ? [dbeta] : [])];
  });
}

/**
 * Batch normalization over the features of [N, C] or the channels of [N, C, L]. Attributes:
 * { eps, momentum, training (as asked), batchStatistics (whether the batch's statistics
 * normalized: in training, or without running statistics), trackRunningStats (whether running
 * statistics were updated) }.
 */
import { record } from '../record';
import type { DType, FloatArray } from '../tensor';
import { Tensor, allocate, allocateOutput, commonDType, formatShape, kernelsFor } from '../tensor';

export interface BatchNormOptions {
  /** Running mean and variance (updated in place in training); null to use batch statistics always. */
  runningMean?: FloatArray | null;
  runningVar?: FloatArray | null;
  /** γ and β, [C]; null for none (γ = 1, β = 0). */
  weight?: Tensor | null;
  bias?: Tensor | null;
  training?: boolean;
  momentum?: number;
  eps?: number;
}

function filled(c: number, value: number, dtype: DType): FloatArray {
  return allocate([c], dtype).fill(value);
}

/**
 * Training: y = γ·(x − μ_B)/√(σ²_B + eps) + β with the batch's mean and biased variance, and the
 * running statistics updated with momentum (unbiased variance, as PyTorch). Evaluation: the
 * running statistics instead, so each sample's output is independent of the batch.
 */
export function batchNorm(x: Tensor, options: BatchNormOptions = {}): Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`batchNorm: Expected a Tensor but received ${typeof x}`);
  if (x.ndim !== 2 && x.ndim !== 3) {
    throw new RangeError(`batchNorm: Expected an input [N, C] or [N, C, L] but received ${formatShape(x.shape)}`);
  }
  const { weight = null, bias = null, training = true, momentum = 0.1, eps = 1e-5 } = options;
  const [n, c] = x.shape as [number, number];
  const hw = x.ndim === 3 ? x.shape[2]! : 1;
  for (const [name, t] of [['weight', weight], ['bias', bias]] as const) {
    if (t && (t.ndim !== 1 || t.size !== c)) throw new RangeError(`batchNorm: Expected a ${name} of shape [${c}] but received ${formatShape(t.shape)}`);
  }
  for (const [name, a] of [['runningMean', options.runningMean], ['runningVar', options.runningVar]] as const) {
    if (a && a.length !== c) throw new RangeError(`batchNorm: Expected ${name} of length ${c} but received ${a.length}`);
  }
  if (!(eps > 0 && Number.isFinite(eps))) throw new RangeError(`batchNorm: Expected a finite eps > 0 but received ${eps}`);
  if (typeof training !== 'boolean') throw new TypeError(`batchNorm: Expected a boolean for training but received ${typeof training}`);
  if (!(momentum >= 0 && momentum <= 1)) throw new RangeError(`batchNorm: Expected momentum in [0, 1] but received ${momentum}`);
  const inputs = [x, ...(weight ? [weight] : []), ...(bias ? [bias] : [])];
  const dtype = commonDType('batchNorm', inputs);
  const kernels = kernelsFor(dtype);
  const gamma = weight ? weight.data : filled(c, 1, dtype);
  const beta = bias ? bias.data : filled(c, 0, dtype);
  const useBatchStats = training || !options.runningMean || !options.runningVar;
  const track = Boolean(training && options.runningMean && options.runningVar);
  const attributes = { eps, momentum, training, batchStatistics: useBatchStats, trackRunningStats: track };
  const y = allocateOutput(x.shape, dtype); // written whole by batchNormTrain or batchNormEval
  const pick = (grads: { dx: FloatArray | null; dgamma: FloatArray; dbeta: FloatArray }) => [
    x.requiresGrad ? grads.dx : null,
    ...(weight ? [weight.requiresGrad ? grads.dgamma : null] : []),
    ...(bias ? [bias.requiresGrad ? grads.dbeta : null] : []),
  ];

  if (useBatchStats) {
    if (n * hw < 2) {
      throw new RangeError(`batchNorm: Expected more than 1 value per channel in training but received input ${formatShape(x.shape)}`);
    }
    // Without running statistics to update, scratch arrays take the update.
    const runningMean = track ? options.runningMean! : allocate([c], dtype);
    const runningVar = track ? options.runningVar! : filled(c, 1, dtype);
    const mean = allocateOutput([c], dtype);
    const invStd = allocateOutput([c], dtype);
    kernels.batchNormTrain(x.data, n, c, hw, gamma, beta, runningMean, runningVar, eps, momentum, y, mean, invStd);
    return record('batchNorm', attributes, inputs, y, x.shape, (grad) => {
      const dgamma = allocateOutput([c], dtype); // written, not accumulated
      const dbeta = allocateOutput([c], dtype);
      kernels.batchNormBackward(x.data, grad, n, c, hw, gamma, mean, invStd, grad, dgamma, dbeta);
      return pick({ dx: grad, dgamma, dbeta });
    });
  }

  const runningMean = options.runningMean!;
  const runningVar = options.runningVar!;
  kernels.batchNormEval(x.data, n, c, hw, gamma, beta, runningMean, runningVar, eps, y);
  return record('batchNorm', attributes, inputs, y, x.shape, (grad) => {
    // y is affine in x per channel: dx = dy·γ·s, dγ = Σ dy·(x − μ)·s, dβ = Σ dy with s = 1/√(var + eps).
    const dx = allocate(x.shape, dtype);
    const dgamma = new Float64Array(c);
    const dbeta = new Float64Array(c);
    for (let j = 0; j < c; j++) {
      const s = 1 / Math.sqrt(runningVar[j]! + eps);
      for (let i = 0; i < n; i++) {
        for (let k = 0; k < hw; k++) {
          const e = (i * c + j) * hw + k;
          dx[e] = grad[e]! * gamma[j]! * s;
          dgamma[j] += grad[e]! * (x.data[e]! - runningMean[j]!) * s;
          dbeta[j] += grad[e]!;
        }
      }
    }
    const g = allocate([c], dtype);
    const b = allocate([c], dtype);
    g.set(dgamma);
    b.set(dbeta);
    return pick({ dx, dgamma: g, dbeta: b });
  });
}

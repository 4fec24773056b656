/**
 * The Linear layer's computation: y = act(x·Wᵀ + b) on the fused GEMM epilogue. Attributes:
 * { activation, slope } (slope is leakyRelu's, recorded whatever the activation). Under
 * amp.autocast('bfloat16') its three GEMMs multiply bfloat16 operands (autocast.ts).
 */
import { gemmsInBfloat16, product } from '../autocast';
import { record } from '../record';
import { Tensor, allocate, allocateOutput, commonDType, formatShape, kernelsFor } from '../tensor';

export type LinearActivation = 'none' | 'relu' | 'leakyRelu';

/**
 * x [..., in] · weightᵀ ([out, in], PyTorch's layout) + bias [out], then the activation, in one
 * GEMM pass. The backward reads the activation's gradient from the output (y > 0 exactly when
 * the pre-activation is, for relu and a non-negative leaky slope), so nothing else is kept:
 * a negative slope is a RangeError here (nn.functional.linear composes leakyRelu for it).
 */
export function linear(
  x: Tensor, weight: Tensor, bias: Tensor | null = null, activation: LinearActivation = 'none', slope = 0.01,
): Tensor {
  if (!(x instanceof Tensor) || !(weight instanceof Tensor)) throw new TypeError('linear: Expected Tensors for x and weight');
  if (activation !== 'none' && activation !== 'relu' && activation !== 'leakyRelu') {
    throw new RangeError(`linear: Expected activation "none", "relu" or "leakyRelu" but received ${String(activation)}`);
  }
  if (typeof slope !== 'number' || !Number.isFinite(slope) || (activation === 'leakyRelu' && !(slope >= 0))) {
    // A negative slope flips the sign, so the output no longer tells the pre-activation's.
    throw new RangeError(`linear: Expected a finite slope${activation === 'leakyRelu' ? ' >= 0 for the fused leakyRelu' : ''} but received ${String(slope)}`);
  }
  if (weight.ndim !== 2) throw new RangeError(`linear: Expected a 2-D weight [out, in] but received ${formatShape(weight.shape)}`);
  const [outFeatures, inFeatures] = weight.shape as [number, number];
  if (x.ndim < 1 || x.shape[x.ndim - 1] !== inFeatures) {
    throw new RangeError(`linear: Expected an input [..., ${inFeatures}] for a weight ${formatShape(weight.shape)} but received ${formatShape(x.shape)}`);
  }
  if (bias && (bias.ndim !== 1 || bias.size !== outFeatures)) {
    throw new RangeError(`linear: Expected a bias of shape [${outFeatures}] but received ${formatShape(bias.shape)}`);
  }
  const inputs = bias ? [x, weight, bias] : [x, weight];
  const dtype = commonDType('linear', inputs);
  const kernels = kernelsFor(dtype);
  const rows = x.size / Math.max(inFeatures, 1);
  const shape = [...x.shape.slice(0, -1), outFeatures];
  const biasData = bias ? bias.data : allocate([outFeatures], dtype);
  const out = allocateOutput(shape, dtype); // every element written by the GEMM
  // Read once, here: the backward multiplies as the forward did, wherever backward() runs.
  const bf16 = gemmsInBfloat16(dtype);
  if (bf16) kernels.gemmBf16BiasActivation(false, true, rows, outFeatures, inFeatures, x.data, weight.data, biasData, activation, slope, out);
  else kernels.gemmBiasActivation(false, true, rows, outFeatures, inFeatures, x.data, weight.data, biasData, activation, slope, out);
  return record('linear', { activation, slope }, inputs, out, shape, (grad) => {
    if (activation === 'relu') kernels.reluBackward(out, grad, grad);
    else if (activation === 'leakyRelu') kernels.leakyReluBackward(out, grad, slope, grad);
    let dx = null;
    let dw = null;
    let db = null;
    if (x.requiresGrad) {
      dx = allocateOutput(x.shape, dtype); // beta 0: C is never read
      product(kernels, bf16, false, false, rows, inFeatures, outFeatures, grad, weight.data, dx);
    }
    if (weight.requiresGrad) {
      dw = allocateOutput(weight.shape, dtype);
      product(kernels, bf16, true, false, outFeatures, inFeatures, rows, grad, x.data, dw);
    }
    if (bias?.requiresGrad) {
      db = allocateOutput(bias.shape, dtype);
      kernels.colSum(grad, rows, outFeatures, db);
    }
    return bias ? [dx, dw, db] : [dx, dw];
  });
}

/**
 * conv2d: 2-D cross-correlation over [N, C, H, W] (or unbatched [C, H, W]) with a weight
 * [outC, C/groups, kH, kW], an optional bias [outC] and an optional fused ReLU, as PyTorch's
 * F.conv2d (+ F.relu). Gradients for the input, the weight and the bias. Attributes: { stride,
 * padding [top, left, bottom, right], dilation, groups, kernelSize, activation } (ONNX Conv's).
 */
import { record } from '../record';
import type { FloatArray } from '../tensor';
import { Tensor, allocate, allocateOutput, commonDType, formatShape, kernelsFor } from '../tensor';
import type { ConvGeometry, ConvShapeOptions } from './conv-geometry';
import { convGeometry, spatialShape } from './conv-geometry';
import { checkTensor } from './unary';

export type ConvActivation = 'none' | 'relu';

export interface Conv2dOptions extends ConvShapeOptions {
  /** 'relu' applies max(·, 0) in the convolution's output pass (default 'none'). */
  activation?: ConvActivation;
  /** How errors name the caller (the layer); default 'conv2d'. */
  label?: string;
}

/** The geometry every conv kernel takes after its input arrays, in its declared order (lib/backend/kernels/conv.ts). */
function geometryArgs(g: ConvGeometry) {
  const [padTop, padLeft, padBottom, padRight] = g.pads;
  return [g.n, g.c, g.h, g.w, g.outC, g.kh, g.kw, g.strideH, g.strideW, padTop, padLeft, padBottom, padRight, g.dilationH, g.dilationW, g.groups] as const;
}

export function conv2d(x: Tensor, weight: Tensor, bias: Tensor | null = null, options: Conv2dOptions = {}): Tensor {
  const label = options.label ?? 'conv2d';
  checkTensor(label, x);
  checkTensor(label, weight);
  if (bias !== null) checkTensor(label, bias);
  const activation = options.activation ?? 'none';
  if (activation !== 'none' && activation !== 'relu') {
    throw new RangeError(`${label}: Expected activation 'none' or 'relu' but received ${JSON.stringify(activation)}`);
  }
  const g = convGeometry(label, x.shape, weight.shape, options);
  if (bias !== null && (bias.ndim !== 1 || bias.size !== g.outC)) {
    throw new RangeError(`${label}: Expected a bias of shape [${g.outC}] but received ${formatShape(bias.shape)}`);
  }
  const inputs = bias ? [x, weight, bias] : [x, weight];
  const dtype = commonDType(label, inputs);
  const kernels = kernelsFor(dtype);
  const { outC, kh, kw } = g;
  const biasData = bias ? bias.data : allocate([0], dtype); // empty: no bias
  const shape = spatialShape(g, outC, g.oh, g.ow);
  const y = allocateOutput(shape, dtype);
  const geometry = geometryArgs(g);
  kernels.conv2d(x.data, weight.data, biasData, ...geometry, activation, y);
  const attributes = {
    stride: [g.strideH, g.strideW], padding: [...g.pads], dilation: [g.dilationH, g.dilationW],
    groups: g.groups, kernelSize: [kh, kw], activation,
  };
  return record('conv2d', attributes, inputs, y, shape, (grad) => {
    // The ReLU's mask from its output: y > 0 exactly where the product was.
    if (activation === 'relu') kernels.reluBackward(y, grad, grad);
    let dx: FloatArray | null = null;
    if (x.requiresGrad) {
      dx = allocateOutput(x.shape, dtype);
      kernels.conv2dBackwardData(grad, weight.data, ...geometry, dx);
    }
    let dweight: FloatArray | null = null;
    let dbias: FloatArray | null = null;
    if (weight.requiresGrad || bias?.requiresGrad) {
      dweight = allocateOutput(weight.shape, dtype);
      dbias = allocateOutput([outC], dtype);
      kernels.conv2dBackwardWeight(x.data, grad, ...geometry, dweight, dbias);
    }
    return bias
      ? [dx, weight.requiresGrad ? dweight : null, bias.requiresGrad ? dbias : null]
      : [dx, weight.requiresGrad ? dweight : null];
  });
}

/**
 * Reference 2-D convolution (cross-correlation, as PyTorch's conv2d), NCHW: the textbook loops,
 * every sum in double and rounded once when stored. The oracle of the native kernels, and what
 * float64 tensors compute with. lib/backend/kernels/conv.ts declares the arguments.
 *
 * Geometry, shared by the three kernels: x is [batch, inChannels, height, width], weight
 * [outChannels, inChannels/groups, kernelH, kernelW], y (and dy) [batch, outChannels, outH,
 * outW]. Output (oy, ox) of channel o in group g = ⌊o/(outChannels/groups)⌋ reads input channels
 * g·(inChannels/groups) … and positions
 *   iy = oy·strideH − padTop + ky·dilationH,  ix = ox·strideW − padLeft + kx·dilationW,
 * where a position outside [0, height) × [0, width) counts as zero. padBottom and padRight only
 * lengthen the output (outH = ⌊(height + padTop + padBottom − dilationH·(kernelH − 1) − 1) /
 * strideH⌋ + 1), so asymmetric padding ('same' with an even kernel) is the same loop.
 */
import type { Floats, ReferenceContext } from '../declare';

export type ConvActivation = 'none' | 'relu';

/**
 * Calls visit(out, pixel, tap) for every product weight[tap]·x[pixel] that output element `out`
 * sums, in the order (b, o, oy, ox, ic, ky, kx): the one walk the three kernels share.
 */
function eachProduct(
  batch: number, inChannels: number, height: number, width: number, outChannels: number, kernelH: number, kernelW: number,
  strideH: number, strideW: number, padTop: number, padLeft: number, padBottom: number, padRight: number,
  dilationH: number, dilationW: number, groups: number, visit: (out: number, pixel: number, tap: number) => void,
): void {
  const outH = Math.floor((height + padTop + padBottom - dilationH * (kernelH - 1) - 1) / strideH) + 1;
  const outW = Math.floor((width + padLeft + padRight - dilationW * (kernelW - 1) - 1) / strideW) + 1;
  const cg = inChannels / groups;
  const og = outChannels / groups;
  let out = 0;
  for (let b = 0; b < batch; b++) {
    for (let o = 0; o < outChannels; o++) {
      const firstChannel = b * inChannels + Math.floor(o / og) * cg;
      for (let oy = 0; oy < outH; oy++) {
        for (let ox = 0; ox < outW; ox++, out++) {
          for (let ic = 0; ic < cg; ic++) {
            for (let ky = 0; ky < kernelH; ky++) {
              const iy = oy * strideH - padTop + ky * dilationH;
              if (iy < 0 || iy >= height) continue;
              for (let kx = 0; kx < kernelW; kx++) {
                const ix = ox * strideW - padLeft + kx * dilationW;
                if (ix < 0 || ix >= width) continue;
                visit(out, ((firstChannel + ic) * height + iy) * width + ix, ((o * cg + ic) * kernelH + ky) * kernelW + kx);
              }
            }
          }
        }
      }
    }
  }
}

/**
 * y = act(conv(x, weight) + bias); an empty bias adds nothing. activation 'relu' gives max(v, 0)
 * (relu(±0) = 0, NaN passes through).
 */
export function conv2d(
  this: ReferenceContext, x: Floats, weight: Floats, bias: Floats,
  batch: number, inChannels: number, height: number, width: number, outChannels: number, kernelH: number, kernelW: number,
  strideH: number, strideW: number, padTop: number, padLeft: number, padBottom: number, padRight: number,
  dilationH: number, dilationW: number, groups: number, activation: ConvActivation, y: Floats,
): void {
  const sums = new Float64Array(y.length);
  eachProduct(batch, inChannels, height, width, outChannels, kernelH, kernelW, strideH, strideW, padTop, padLeft, padBottom, padRight,
    dilationH, dilationW, groups, (out, pixel, tap) => {
      sums[out] += x[pixel]! * weight[tap]!;
    });
  const plane = y.length / Math.max(batch * outChannels, 1);
  for (let i = 0; i < y.length; i++) {
    const v = sums[i]! + (bias.length === 0 ? 0 : bias[Math.floor(i / plane) % outChannels]!);
    y[i] = activation === 'relu' && !(v > 0) && !Number.isNaN(v) ? 0 : v;
  }
}

/** dx = ∂L/∂x of conv2d given dy = ∂L/∂y (of the product, before any activation). dx is written. */
export function conv2dBackwardData(
  this: ReferenceContext, dy: Floats, weight: Floats,
  batch: number, inChannels: number, height: number, width: number, outChannels: number, kernelH: number, kernelW: number,
  strideH: number, strideW: number, padTop: number, padLeft: number, padBottom: number, padRight: number,
  dilationH: number, dilationW: number, groups: number, dx: Floats,
): void {
  const sums = new Float64Array(dx.length);
  eachProduct(batch, inChannels, height, width, outChannels, kernelH, kernelW, strideH, strideW, padTop, padLeft, padBottom, padRight,
    dilationH, dilationW, groups, (out, pixel, tap) => {
      sums[pixel] += dy[out]! * weight[tap]!;
    });
  dx.set(sums);
}

/**
 * dweight = ∂L/∂weight and dbias = ∂L/∂bias (Σ dy per output channel) of conv2d given dy. Both
 * are written, not accumulated.
 */
export function conv2dBackwardWeight(
  this: ReferenceContext, x: Floats, dy: Floats,
  batch: number, inChannels: number, height: number, width: number, outChannels: number, kernelH: number, kernelW: number,
  strideH: number, strideW: number, padTop: number, padLeft: number, padBottom: number, padRight: number,
  dilationH: number, dilationW: number, groups: number, dweight: Floats, dbias: Floats,
): void {
  const sums = new Float64Array(dweight.length);
  eachProduct(batch, inChannels, height, width, outChannels, kernelH, kernelW, strideH, strideW, padTop, padLeft, padBottom, padRight,
    dilationH, dilationW, groups, (out, pixel, tap) => {
      sums[tap] += dy[out]! * x[pixel]!;
    });
  dweight.set(sums);
  const biasSums = new Float64Array(outChannels);
  const plane = dy.length / Math.max(batch * outChannels, 1);
  for (let i = 0; i < dy.length; i++) biasSums[Math.floor(i / plane) % outChannels] += dy[i]!;
  dbias.set(biasSums);
}

/**
 * Reference 2-D convolution (cross-correlation, as PyTorch's conv2d), NCHW: the textbook loops,
 * every sum in double and rounded once when stored. The oracle of the native kernels, and what
 * float64 tensors compute with.
 *
 * Geometry, shared by the three kernels: x is [n, c, h, w], weight [outC, c/groups, kh, kw],
 * y (and dy) [n, outC, oh, ow]. Output (oy, ox) of channel o in group g = ⌊o/(outC/groups)⌋
 * reads input channels g·(c/groups) … and positions
 *   iy = oy·strideH − padH + ky·dilationH,  ix = ox·strideW − padW + kx·dilationW,
 * where a position outside [0, h) × [0, w) counts as zero. padH and padW are the top and left
 * padding; the bottom and right padding are whatever oh and ow imply, so asymmetric padding
 * ('same' with an even kernel) needs no argument of its own.
 */

export type Floats = Float32Array | Float64Array;
export type ConvActivation = 'none' | 'relu';
export const CONV_ACTIVATIONS = ['none', 'relu'] as const;

/** The first and one-past-last kernel taps whose input position lies in [0, size). */
export function tapRange(out: number, stride: number, pad: number, dilation: number, taps: number, size: number): [number, number] {
  const origin = out * stride - pad;
  let first = 0;
  while (first < taps && origin + first * dilation < 0) first++;
  let last = taps;
  while (last > first && origin + (last - 1) * dilation >= size) last--;
  return [first, last];
}

/**
 * y = act(conv(x, weight) + bias). bias has length outC (zeros for a convolution without one).
 * activation 'relu' gives max(v, 0) (relu(±0) = 0, NaN passes through).
 */
export function conv2d(
  x: Floats, n: number, c: number, h: number, w: number, weight: Floats, outC: number, kh: number, kw: number,
  bias: Floats, strideH: number, strideW: number, padH: number, padW: number, dilationH: number, dilationW: number,
  groups: number, oh: number, ow: number, activation: ConvActivation, y: Floats,
): void {
  const cg = c / groups;
  const og = outC / groups;
  for (let b = 0; b < n; b++) {
    for (let o = 0; o < outC; o++) {
      const g = Math.floor(o / og);
      for (let oy = 0; oy < oh; oy++) {
        const [ky0, ky1] = tapRange(oy, strideH, padH, dilationH, kh, h);
        for (let ox = 0; ox < ow; ox++) {
          const [kx0, kx1] = tapRange(ox, strideW, padW, dilationW, kw, w);
          let sum = 0;
          for (let ic = 0; ic < cg; ic++) {
            const xPlane = ((b * c + g * cg + ic) * h) * w;
            const wPlane = ((o * cg + ic) * kh) * kw;
            for (let ky = ky0; ky < ky1; ky++) {
              const iy = oy * strideH - padH + ky * dilationH;
              for (let kx = kx0; kx < kx1; kx++) {
                const ix = ox * strideW - padW + kx * dilationW;
                sum += x[xPlane + iy * w + ix]! * weight[wPlane + ky * kw + kx]!;
              }
            }
          }
          const v = sum + bias[o]!;
          y[((b * outC + o) * oh + oy) * ow + ox] = activation === 'relu' && !(v > 0) && !Number.isNaN(v) ? 0 : v;
        }
      }
    }
  }
}

/** dx = ∂L/∂x of conv2d given dy = ∂L/∂y (of the product, before any activation). dx is written. */
export function conv2dBackwardData(
  dy: Floats, n: number, c: number, h: number, w: number, weight: Floats, outC: number, kh: number, kw: number,
  strideH: number, strideW: number, padH: number, padW: number, dilationH: number, dilationW: number,
  groups: number, oh: number, ow: number, dx: Floats,
): void {
  const cg = c / groups;
  const og = outC / groups;
  const sums = new Float64Array(n * c * h * w);
  for (let b = 0; b < n; b++) {
    for (let o = 0; o < outC; o++) {
      const g = Math.floor(o / og);
      for (let oy = 0; oy < oh; oy++) {
        const [ky0, ky1] = tapRange(oy, strideH, padH, dilationH, kh, h);
        for (let ox = 0; ox < ow; ox++) {
          const [kx0, kx1] = tapRange(ox, strideW, padW, dilationW, kw, w);
          const d = dy[((b * outC + o) * oh + oy) * ow + ox]!;
          for (let ic = 0; ic < cg; ic++) {
            const xPlane = ((b * c + g * cg + ic) * h) * w;
            const wPlane = ((o * cg + ic) * kh) * kw;
            for (let ky = ky0; ky < ky1; ky++) {
              const iy = oy * strideH - padH + ky * dilationH;
              for (let kx = kx0; kx < kx1; kx++) {
                const ix = ox * strideW - padW + kx * dilationW;
                sums[xPlane + iy * w + ix] += d * weight[wPlane + ky * kw + kx]!;
              }
            }
          }
        }
      }
    }
  }
  dx.set(sums);
}

/**
 * dweight = ∂L/∂weight and dbias = ∂L/∂bias (Σ dy per output channel) of conv2d given dy. Both
 * are written, not accumulated.
 */
export function conv2dBackwardWeight(
  x: Floats, dy: Floats, n: number, c: number, h: number, w: number, outC: number, kh: number, kw: number,
  strideH: number, strideW: number, padH: number, padW: number, dilationH: number, dilationW: number,
  groups: number, oh: number, ow: number, dweight: Floats, dbias: Floats,
): void {
  const cg = c / groups;
  const og = outC / groups;
  const sums = new Float64Array(outC * cg * kh * kw);
  const biasSums = new Float64Array(outC);
  for (let b = 0; b < n; b++) {
    for (let o = 0; o < outC; o++) {
      const g = Math.floor(o / og);
      for (let oy = 0; oy < oh; oy++) {
        const [ky0, ky1] = tapRange(oy, strideH, padH, dilationH, kh, h);
        for (let ox = 0; ox < ow; ox++) {
          const [kx0, kx1] = tapRange(ox, strideW, padW, dilationW, kw, w);
          const d = dy[((b * outC + o) * oh + oy) * ow + ox]!;
          biasSums[o] += d;
          for (let ic = 0; ic < cg; ic++) {
            const xPlane = ((b * c + g * cg + ic) * h) * w;
            const wPlane = ((o * cg + ic) * kh) * kw;
            for (let ky = ky0; ky < ky1; ky++) {
              const iy = oy * strideH - padH + ky * dilationH;
              for (let kx = kx0; kx < kx1; kx++) {
                const ix = ox * strideW - padW + kx * dilationW;
                sums[wPlane + ky * kw + kx] += d * x[xPlane + iy * w + ix]!;
              }
            }
          }
        }
      }
    }
  }
  dweight.set(sums);
  dbias.set(biasSums);
}

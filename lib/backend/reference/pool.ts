/**
 * Reference 2-D pooling over planes (an [N, C, H, W] tensor is N·C planes of h × w), as
 * PyTorch's max_pool2d, avg_pool2d and adaptive_avg_pool2d define it. Window (oy, ox) covers
 * rows oy·strideH − padH + ky·dilationH (ky < kh) and likewise columns; positions outside the
 * plane are padding. Sums in double, rounded once.
 */
import type { Floats } from './conv';
import { tapRange } from './conv';

/**
 * y = the largest value of each window (padding never wins: it counts as −∞), indices = its
 * position iy·w + ix within the plane (PyTorch's return_indices). The first largest wins a tie;
 * NaN wins over any number (it propagates; the last NaN of a window wins, as in PyTorch). A
 * window with no position in the plane gives −∞ and index −1.
 */
export function maxPool2d(
  x: Floats, planes: number, h: number, w: number, kh: number, kw: number, strideH: number, strideW: number,
  padH: number, padW: number, dilationH: number, dilationW: number, oh: number, ow: number, y: Floats, indices: Int32Array,
): void {
  for (let p = 0; p < planes; p++) {
    const plane = p * h * w;
    for (let oy = 0; oy < oh; oy++) {
      const [ky0, ky1] = tapRange(oy, strideH, padH, dilationH, kh, h);
      for (let ox = 0; ox < ow; ox++) {
        const [kx0, kx1] = tapRange(ox, strideW, padW, dilationW, kw, w);
        let best = -Infinity;
        let at = -1;
        for (let ky = ky0; ky < ky1; ky++) {
          const iy = oy * strideH - padH + ky * dilationH;
          for (let kx = kx0; kx < kx1; kx++) {
            const ix = ox * strideW - padW + kx * dilationW;
            const v = x[plane + iy * w + ix]!;
            if (at < 0 || v > best || Number.isNaN(v)) {
              best = v;
              at = iy * w + ix;
            }
          }
        }
        const o = (p * oh + oy) * ow + ox;
        y[o] = best;
        indices[o] = at;
      }
    }
  }
}

/** dx[plane, indices[o]] += dy[o] for every output (index −1: nothing); dx is written. */
export function maxPool2dBackward(
  dy: Floats, indices: Int32Array, planes: number, h: number, w: number, oh: number, ow: number, dx: Floats,
): void {
  const sums = new Float64Array(planes * h * w);
  for (let p = 0; p < planes; p++) {
    for (let o = 0; o < oh * ow; o++) {
      const at = indices[p * oh * ow + o]!;
      if (at >= 0) sums[p * h * w + at] += dy[p * oh * ow + o]!;
    }
  }
  dx.set(sums);
}

/**
 * The divisor of each window of avg_pool2d, as PyTorch: divisor when it is not 0; else, with
 * countIncludePad, the window's size clipped to the padded plane (h + padH at the bottom, so a
 * ceil-mode window hanging past the padding counts less); else the positions inside the plane.
 */
function avgWindow(
  out: number, stride: number, pad: number, taps: number, size: number,
): { start: number; end: number; padded: number } {
  const start = out * stride - pad;
  const paddedEnd = Math.min(start + taps, size + pad);
  return { start: Math.max(start, 0), end: Math.min(paddedEnd, size), padded: paddedEnd - start };
}

/** y = the mean of each window (see avgWindow for the divisor). */
export function avgPool2d(
  x: Floats, planes: number, h: number, w: number, kh: number, kw: number, strideH: number, strideW: number,
  padH: number, padW: number, countIncludePad: boolean, divisor: number, oh: number, ow: number, y: Floats,
): void {
  for (let p = 0; p < planes; p++) {
    const plane = p * h * w;
    for (let oy = 0; oy < oh; oy++) {
      const rows = avgWindow(oy, strideH, padH, kh, h);
      for (let ox = 0; ox < ow; ox++) {
        const cols = avgWindow(ox, strideW, padW, kw, w);
        let sum = 0;
        for (let iy = rows.start; iy < rows.end; iy++) for (let ix = cols.start; ix < cols.end; ix++) sum += x[plane + iy * w + ix]!;
        const count = divisor !== 0 ? divisor
          : countIncludePad ? rows.padded * cols.padded
            : Math.max(rows.end - rows.start, 0) * Math.max(cols.end - cols.start, 0);
        y[(p * oh + oy) * ow + ox] = sum / count;
      }
    }
  }
}

/** dx of avgPool2d: each dy spread evenly over its window's positions in the plane. */
export function avgPool2dBackward(
  dy: Floats, planes: number, h: number, w: number, kh: number, kw: number, strideH: number, strideW: number,
  padH: number, padW: number, countIncludePad: boolean, divisor: number, oh: number, ow: number, dx: Floats,
): void {
  const sums = new Float64Array(planes * h * w);
  for (let p = 0; p < planes; p++) {
    const plane = p * h * w;
    for (let oy = 0; oy < oh; oy++) {
      const rows = avgWindow(oy, strideH, padH, kh, h);
      for (let ox = 0; ox < ow; ox++) {
        const cols = avgWindow(ox, strideW, padW, kw, w);
        const count = divisor !== 0 ? divisor
          : countIncludePad ? rows.padded * cols.padded
            : Math.max(rows.end - rows.start, 0) * Math.max(cols.end - cols.start, 0);
        const share = dy[(p * oh + oy) * ow + ox]! / count;
        for (let iy = rows.start; iy < rows.end; iy++) for (let ix = cols.start; ix < cols.end; ix++) sums[plane + iy * w + ix] += share;
      }
    }
  }
  dx.set(sums);
}

/** Bin o of `outSize` over `size` positions: [⌊o·size/outSize⌋, ⌈(o + 1)·size/outSize⌉), as PyTorch. */
export function adaptiveBin(o: number, outSize: number, size: number): [number, number] {
  return [Math.floor((o * size) / outSize), Math.ceil(((o + 1) * size) / outSize)];
}

/** y = the mean of each adaptive bin (bins may overlap by one position when sizes don't divide). */
export function adaptiveAvgPool2d(x: Floats, planes: number, h: number, w: number, oh: number, ow: number, y: Floats): void {
  for (let p = 0; p < planes; p++) {
    const plane = p * h * w;
    for (let oy = 0; oy < oh; oy++) {
      const [y0, y1] = adaptiveBin(oy, oh, h);
      for (let ox = 0; ox < ow; ox++) {
        const [x0, x1] = adaptiveBin(ox, ow, w);
        let sum = 0;
        for (let iy = y0; iy < y1; iy++) for (let ix = x0; ix < x1; ix++) sum += x[plane + iy * w + ix]!;
        y[(p * oh + oy) * ow + ox] = sum / ((y1 - y0) * (x1 - x0));
      }
    }
  }
}

/** dx of adaptiveAvgPool2d. */
export function adaptiveAvgPool2dBackward(dy: Floats, planes: number, h: number, w: number, oh: number, ow: number, dx: Floats): void {
  const sums = new Float64Array(planes * h * w);
  for (let p = 0; p < planes; p++) {
    const plane = p * h * w;
    for (let oy = 0; oy < oh; oy++) {
      const [y0, y1] = adaptiveBin(oy, oh, h);
      for (let ox = 0; ox < ow; ox++) {
        const [x0, x1] = adaptiveBin(ox, ow, w);
        const share = dy[(p * oh + oy) * ow + ox]! / ((y1 - y0) * (x1 - x0));
        for (let iy = y0; iy < y1; iy++) for (let ix = x0; ix < x1; ix++) sums[plane + iy * w + ix] += share;
      }
    }
  }
  dx.set(sums);
}

/** y[p, s] = x[p, s]·scale[p] over planes of hw values: Dropout2d's channel mask. y may be x. */
export function scalePlanes(x: Floats, scale: Floats, planes: number, hw: number, y: Floats): void {
  for (let p = 0; p < planes; p++) {
    const s = scale[p]!;
    for (let i = p * hw; i < (p + 1) * hw; i++) y[i] = x[i]! * s;
  }
}

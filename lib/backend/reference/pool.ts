/**
 * Reference 2-D pooling over planes (an [N, C, H, W] tensor is N·C planes of height × width),
 * as PyTorch's max_pool2d, avg_pool2d and adaptive_avg_pool2d define it. Window (oy, ox) covers
 * rows oy·strideH − padH + ky·dilationH (ky < kernelH) and likewise columns; positions outside
 * the plane are padding. Sums in double, rounded once. lib/backend/kernels/pool.ts declares the
 * arguments.
 */
import type { Floats, ReferenceContext } from '../declare';

/**
 * One dimension's pooled size, as PyTorch: ⌊(size + 2·pad − dilation·(kernel − 1) − 1) / stride⌋
 * + 1, with ceil in ceilMode, where the last window must still start inside the input or its
 * leading padding (the declarations derive outH and outW by the same rule).
 */
export function pooledSize(size: number, kernel: number, stride: number, pad: number, dilation: number, ceilMode: boolean): number {
  const span = size + 2 * pad - dilation * (kernel - 1) - 1;
  let out = Math.floor((ceilMode ? span + stride - 1 : span) / stride) + 1;
  if (ceilMode && (out - 1) * stride >= size + pad) out--;
  return out;
}

/**
 * y = the largest value of each window (padding never wins: it counts as −∞), indices = its
 * position iy·width + ix within the plane (PyTorch's return_indices). The first largest wins a
 * tie; NaN wins over any number (it propagates; the last NaN of a window wins, as in PyTorch). A
 * window with no position in the plane gives −∞ and index −1.
 */
export function maxPool2d(
  this: ReferenceContext, x: Floats, planes: number, height: number, width: number, kernelH: number, kernelW: number,
  strideH: number, strideW: number, padH: number, padW: number, dilationH: number, dilationW: number, ceilMode: boolean,
  y: Floats, indices: Int32Array,
): void {
  const outH = pooledSize(height, kernelH, strideH, padH, dilationH, ceilMode);
  const outW = pooledSize(width, kernelW, strideW, padW, dilationW, ceilMode);
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const plane = p * height * width;
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++, o++) {
        let best = -Infinity;
        let at = -1;
        for (let ky = 0; ky < kernelH; ky++) {
          const iy = oy * strideH - padH + ky * dilationH;
          if (iy < 0 || iy >= height) continue;
          for (let kx = 0; kx < kernelW; kx++) {
            const ix = ox * strideW - padW + kx * dilationW;
            if (ix < 0 || ix >= width) continue;
            const v = x[plane + iy * width + ix]!;
            if (at < 0 || v > best || Number.isNaN(v)) {
              best = v;
              at = iy * width + ix;
            }
          }
        }
        y[o] = best;
        indices[o] = at;
      }
    }
  }
}

/** dx[plane, indices[o]] += dy[o] for every output (index −1: nothing), in output order; dx is written. */
export function maxPool2dBackward(
  this: ReferenceContext, dy: Floats, indices: Int32Array, planes: number, height: number, width: number,
  outH: number, outW: number, dx: Floats,
): void {
  const sums = new Float64Array(dx.length);
  for (let p = 0; p < planes; p++) {
    for (let o = p * outH * outW; o < (p + 1) * outH * outW; o++) {
      if (indices[o]! >= 0) sums[p * height * width + indices[o]!] += dy[o]!;
    }
  }
  dx.set(sums);
}

/** A window along one dimension: positions [start, end) of the plane, and its size clipped to the padded plane. */
interface Extent {
  start: number;
  end: number;
  padded: number;
}

/** The windows of a mean pooling: the extents of each output row and column, and each window's divisor. */
interface MeanWindows {
  rows: Extent[];
  cols: Extent[];
  divisor: (rows: Extent, cols: Extent) => number;
}

/** y = Σ of each window / its divisor, summed row by row. */
function meanPool(x: Floats, planes: number, height: number, width: number, windows: MeanWindows, y: Floats): void {
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const plane = p * height * width;
    for (const r of windows.rows) {
      for (const c of windows.cols) {
        let sum = 0;
        for (let iy = r.start; iy < r.end; iy++) for (let ix = c.start; ix < c.end; ix++) sum += x[plane + iy * width + ix]!;
        y[o++] = sum / windows.divisor(r, c);
      }
    }
  }
}

/** dx of meanPool: each dy / its divisor added over its window's positions, in output order. */
function meanPoolBackward(dy: Floats, planes: number, height: number, width: number, windows: MeanWindows, dx: Floats): void {
  const sums = new Float64Array(dx.length);
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const plane = p * height * width;
    for (const r of windows.rows) {
      for (const c of windows.cols) {
        const share = dy[o++]! / windows.divisor(r, c);
        for (let iy = r.start; iy < r.end; iy++) for (let ix = c.start; ix < c.end; ix++) sums[plane + iy * width + ix] += share;
      }
    }
  }
  dx.set(sums);
}

/**
 * The windows of avg_pool2d, as PyTorch: each covers kernel positions from out·stride − pad,
 * clipped to the plane for the sum and to the padded plane (size + pad at the end, so a
 * ceil-mode window hanging past the padding counts less) for the divisor with countIncludePad;
 * without it the divisor is the positions inside the plane; a divisor other than 0 replaces both.
 */
function averageWindows(
  height: number, width: number, kernelH: number, kernelW: number, strideH: number, strideW: number,
  padH: number, padW: number, ceilMode: boolean, countIncludePad: boolean, divisor: number,
): MeanWindows {
  const extents = (size: number, kernel: number, stride: number, pad: number): Extent[] =>
    Array.from({ length: pooledSize(size, kernel, stride, pad, 1, ceilMode) }, (_, out) => {
      const start = out * stride - pad;
      const paddedEnd = Math.min(start + kernel, size + pad);
      return { start: Math.max(start, 0), end: Math.min(paddedEnd, size), padded: paddedEnd - start };
    });
  return {
    rows: extents(height, kernelH, strideH, padH),
    cols: extents(width, kernelW, strideW, padW),
    divisor: (r, c) => (divisor !== 0 ? divisor : countIncludePad ? r.padded * c.padded : Math.max(r.end - r.start, 0) * Math.max(c.end - c.start, 0)),
  };
}

/** The bins of adaptive_avg_pool2d, as PyTorch: bin o of `out` over `size` is [⌊o·size/out⌋, ⌈(o + 1)·size/out⌉). */
function adaptiveWindows(height: number, width: number, outH: number, outW: number): MeanWindows {
  const bins = (size: number, out: number): Extent[] =>
    Array.from({ length: out }, (_, o) => {
      const start = Math.floor((o * size) / out);
      const end = Math.ceil(((o + 1) * size) / out);
      return { start, end, padded: end - start };
    });
  return { rows: bins(height, outH), cols: bins(width, outW), divisor: (r, c) => r.padded * c.padded };
}

/** y = the mean of each window (see averageWindows for the divisor). */
export function avgPool2d(
  this: ReferenceContext, x: Floats, planes: number, height: number, width: number, kernelH: number, kernelW: number,
  strideH: number, strideW: number, padH: number, padW: number, ceilMode: boolean, countIncludePad: boolean, divisor: number,
  y: Floats,
): void {
  meanPool(x, planes, height, width, averageWindows(height, width, kernelH, kernelW, strideH, strideW, padH, padW, ceilMode, countIncludePad, divisor), y);
}

/** dx of avgPool2d: each dy spread evenly over its window's positions in the plane. */
export function avgPool2dBackward(
  this: ReferenceContext, dy: Floats, planes: number, height: number, width: number, kernelH: number, kernelW: number,
  strideH: number, strideW: number, padH: number, padW: number, ceilMode: boolean, countIncludePad: boolean, divisor: number,
  dx: Floats,
): void {
  meanPoolBackward(dy, planes, height, width, averageWindows(height, width, kernelH, kernelW, strideH, strideW, padH, padW, ceilMode, countIncludePad, divisor), dx);
}

/** y = the mean of each adaptive bin (bins may overlap by one position when sizes don't divide). */
export function adaptiveAvgPool2d(
  this: ReferenceContext, x: Floats, planes: number, height: number, width: number, outH: number, outW: number, y: Floats,
): void {
  meanPool(x, planes, height, width, adaptiveWindows(height, width, outH, outW), y);
}

/** dx of adaptiveAvgPool2d. */
export function adaptiveAvgPool2dBackward(
  this: ReferenceContext, dy: Floats, planes: number, height: number, width: number, outH: number, outW: number, dx: Floats,
): void {
  meanPoolBackward(dy, planes, height, width, adaptiveWindows(height, width, outH, outW), dx);
}

/** y[p, s] = x[p, s]·scale[p] over planes of hw values: Dropout2d's channel mask. y may be x. */
export function scalePlanes(this: ReferenceContext, x: Floats, scale: Floats, planes: number, hw: number, y: Floats): void {
  for (let p = 0; p < planes; p++) {
    const s = scale[p]!;
    for (let i = p * hw; i < (p + 1) * hw; i++) y[i] = x[i]! * s;
  }
}

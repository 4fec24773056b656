/** Reference layout kernels: index loops. */
import type { Floats, ReferenceContext } from '../declare';

export function transpose(this: ReferenceContext, x: Floats, rows: number, cols: number, out: Floats): void {
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = x[i * cols + j]!;
}

export function gatherRows(this: ReferenceContext, x: Floats, _rows: number, cols: number, indices: Int32Array, out: Floats): void {
  for (let r = 0; r < indices.length; r++) {
    for (let j = 0; j < cols; j++) out[r * cols + j] = x[indices[r]! * cols + j]!;
  }
}

export function scatterAddRows(this: ReferenceContext, src: Floats, indices: Int32Array, _rows: number, cols: number, out: Floats): void {
  for (let r = 0; r < indices.length; r++) {
    for (let j = 0; j < cols; j++) out[indices[r]! * cols + j] += src[r * cols + j]!;
  }
}

/**
 * Walks every element of im2col's patch matrix in its order (b, c, i, j, oy, ox), with the
 * image element it reads or -1 in the padding: im2col copies along it, col2im adds along it.
 */
function eachPatchElement(
  batch: number, channels: number, height: number, width: number, kernelH: number, kernelW: number,
  strideH: number, strideW: number, padH: number, padW: number, dilationH: number, dilationW: number,
  visit: (col: number, pixel: number) => void,
): void {
  const outH = Math.floor((height + 2 * padH - dilationH * (kernelH - 1) - 1) / strideH) + 1;
  const outW = Math.floor((width + 2 * padW - dilationW * (kernelW - 1) - 1) / strideW) + 1;
  let col = 0;
  for (let b = 0; b < batch; b++) {
    for (let c = 0; c < channels; c++) {
      const plane = (b * channels + c) * height * width;
      for (let i = 0; i < kernelH; i++) {
        for (let j = 0; j < kernelW; j++) {
          for (let oy = 0; oy < outH; oy++) {
            const y = oy * strideH - padH + i * dilationH;
            for (let ox = 0; ox < outW; ox++, col++) {
              const x = ox * strideW - padW + j * dilationW;
              visit(col, y >= 0 && y < height && x >= 0 && x < width ? plane + y * width + x : -1);
            }
          }
        }
      }
    }
  }
}

export function im2col(
  this: ReferenceContext, x: Floats, batch: number, channels: number, height: number, width: number,
  kernelH: number, kernelW: number, strideH: number, strideW: number, padH: number, padW: number,
  dilationH: number, dilationW: number, cols: Floats,
): void {
  eachPatchElement(batch, channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW, dilationH, dilationW,
    (col, pixel) => {
      cols[col] = pixel < 0 ? 0 : x[pixel]!;
    });
}

export function col2im(
  this: ReferenceContext, x: Floats, batch: number, channels: number, height: number, width: number,
  kernelH: number, kernelW: number, strideH: number, strideW: number, padH: number, padW: number,
  dilationH: number, dilationW: number, cols: Floats,
): void {
  x.fill(0);
  eachPatchElement(batch, channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW, dilationH, dilationW,
    (col, pixel) => {
      if (pixel >= 0) x[pixel] += cols[col]!;
    });
}

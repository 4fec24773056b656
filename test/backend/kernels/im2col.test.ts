// im2col and col2im on every backend: hand-computed patch matrices (padding, stride, dilation),
// a convolution through im2col against the direct sum in double, the adjoint identity
// <im2col(x), c> = <x, col2im(c)> and col2im's window counts; refusals of windows that do not
// fit; native bit for bit against the reference on every SIMD path and thread count; float64 and
// bfloat16; and both against torch.nn.functional.unfold and fold.
import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { nativeBackend, nativeKernels, referenceBackend, referenceKernels, setNumThreads, getNumThreads, setSimdLevel } from '../../../lib/backend';
import type { Backend } from '../../../lib/backend';
import { floatToBfloat16, widen } from '../../../lib/backend/bfloat16';
import { backendsUnderTest, selectSimd } from '../backends';
import { expectClose } from '../expect-close';
import { bits, nativePaths } from '../native-paths';
import { makeRandom, randomArray } from '../random-inputs';
import { describeWithPeers } from '../../peers';

/** batch, channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW, dilationH, dilationW. */
type Geometry = [number, number, number, number, number, number, number, number, number, number, number, number];

const outSize = (extent: number, kernel: number, stride: number, pad: number, dilation: number) =>
  Math.floor((extent + 2 * pad - dilation * (kernel - 1) - 1) / stride) + 1;

function sizes(g: Geometry) {
  const [batch, channels, height, width, kh, kw, sh, sw, ph, pw, dh, dw] = g;
  const outH = outSize(height, kh, sh, ph, dh);
  const outW = outSize(width, kw, sw, pw, dw);
  return { image: batch * channels * height * width, cols: batch * channels * kh * kw * outH * outW, outH, outW };
}

function unfold(backend: Backend, x: Float32Array, g: Geometry): Float32Array {
  const cols = new Float32Array(sizes(g).cols);
  backend.im2col(x, ...g, cols);
  return cols;
}

function fold(backend: Backend, cols: Float32Array, g: Geometry): Float32Array {
  const x = new Float32Array(sizes(g).image).fill(NaN); // written whole, never read
  backend.col2im(x, ...g, cols);
  return x;
}

/** Small integers: every sum of them is exact in float32, whatever the order. */
function integers(length: number, seed: number): Float32Array {
  const random = makeRandom(seed);
  return Float32Array.from({ length }, () => Math.floor(random() * 9) - 4);
}

const GEOMETRIES: Geometry[] = [
  [1, 1, 3, 3, 2, 2, 1, 1, 0, 0, 1, 1],
  [2, 3, 7, 5, 3, 3, 1, 1, 1, 1, 1, 1], // 'same' 3×3
  [1, 2, 8, 9, 3, 2, 2, 3, 1, 0, 1, 1], // strides that skip
  [2, 1, 9, 7, 2, 3, 1, 2, 0, 2, 3, 2], // dilation, padding wider than a tap
  [1, 4, 5, 5, 5, 5, 1, 1, 0, 0, 1, 1], // the window is the image
  [1, 1, 1, 1, 3, 3, 1, 1, 1, 1, 1, 1], // one pixel, all padding around
  [3, 2, 6, 4, 1, 1, 2, 2, 0, 0, 1, 1], // 1×1 kernel, strided (a subsampling)
  [1, 1, 4, 6, 2, 2, 3, 4, 3, 2, 1, 1], // windows entirely in the padding
  [0, 3, 4, 4, 2, 2, 1, 1, 0, 0, 1, 1], // empty batch
  [2, 0, 4, 4, 2, 2, 1, 1, 0, 0, 1, 1], // no channels
];

describe.each(backendsUnderTest())('im2col and col2im on $label', (entry) => {
  beforeAll(() => selectSimd(entry));
  const backend = () => entry.backend();
  const x33 = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]); // 1×1×3×3

  it('lays a 3×3 image out as the four 2×2 patches, one tap per row', () => {
    expect(Array.from(unfold(backend(), x33, [1, 1, 3, 3, 2, 2, 1, 1, 0, 0, 1, 1]))).toEqual([
      1, 2, 4, 5, // tap (0, 0) at each of the four positions
      2, 3, 5, 6, // (0, 1)
      4, 5, 7, 8, // (1, 0)
      5, 6, 8, 9, // (1, 1)
    ]);
  });

  it('pads with zeros and strides: a 3×3 kernel, stride 2, padding 1 over 3×3 gives 2×2 positions', () => {
    const cols = unfold(backend(), x33, [1, 1, 3, 3, 3, 3, 2, 2, 1, 1, 1, 1]);
    const row = (i: number, j: number) => Array.from(cols.subarray((i * 3 + j) * 4, (i * 3 + j + 1) * 4));
    // Positions (oy, ox) read image rows 2·oy − 1 + i and columns 2·ox − 1 + j.
    expect(row(0, 0)).toEqual([0, 0, 0, 5]);
    expect(row(0, 1)).toEqual([0, 0, 4, 6]);
    expect(row(1, 1)).toEqual([1, 3, 7, 9]);
    expect(row(1, 2)).toEqual([2, 0, 8, 0]);
    expect(row(2, 2)).toEqual([5, 0, 0, 0]);
  });

  it('spreads the taps by the dilation: 2×2 taps 2 apart over 3×3 read the corners', () => {
    expect(Array.from(unfold(backend(), x33, [1, 1, 3, 3, 2, 2, 1, 1, 0, 0, 2, 2]))).toEqual([1, 3, 7, 9]);
    // Rows and columns dilate separately: taps 2 rows apart, 1 column apart.
    expect(Array.from(unfold(backend(), x33, [1, 1, 3, 3, 2, 2, 1, 1, 0, 0, 2, 1]))).toEqual([1, 2, 2, 3, 7, 8, 8, 9]);
  });

  it('puts batch, then channel, then tap on the rows of the patch matrix', () => {
    const x = Float32Array.from({ length: 2 * 2 * 2 * 2 }, (_, i) => i + 1); // 2×2×2×2
    const cols = unfold(backend(), x, [2, 2, 2, 2, 1, 1, 1, 1, 0, 0, 1, 1]);
    expect(Array.from(cols)).toEqual(Array.from(x)); // a 1×1 kernel is the identity
    const corner = unfold(backend(), x, [2, 2, 2, 2, 2, 2, 1, 1, 0, 0, 1, 1]); // one position per plane
    expect(Array.from(corner)).toEqual(Array.from(x));
  });

  it.each(GEOMETRIES)('convolves [%i, %i, %i, %i] with a %i×%i kernel (stride %i×%i, pad %i×%i, dilation %i×%i) as the direct sum in double', (...g) => {
    const [batch, channels, height, width, kh, kw, sh, sw, ph, pw, dh, dw] = g;
    const { outH, outW } = sizes(g);
    const random = makeRandom(g.reduce((s, v) => s * 31 + v, 7));
    const x = randomArray(sizes(g).image, random);
    const filters = 3;
    const weight = randomArray(filters * channels * kh * kw, random);
    const cols = unfold(backend(), x, g);
    const K = channels * kh * kw;
    const L = outH * outW;
    for (let b = 0; b < batch; b++) {
      for (let o = 0; o < filters; o++) {
        for (let oy = 0; oy < outH; oy++) {
          for (let ox = 0; ox < outW; ox++) {
            let viaCols = 0;
            for (let r = 0; r < K; r++) viaCols += weight[o * K + r]! * cols[(b * K + r) * L + oy * outW + ox]!;
            let direct = 0;
            for (let c = 0; c < channels; c++) {
              for (let i = 0; i < kh; i++) {
                for (let j = 0; j < kw; j++) {
                  const y = oy * sh - ph + i * dh;
                  const xx = ox * sw - pw + j * dw;
                  if (y < 0 || y >= height || xx < 0 || xx >= width) continue;
                  direct += weight[((o * channels + c) * kh + i) * kw + j]! * x[((b * channels + c) * height + y) * width + xx]!;
                }
              }
            }
            expect(Math.abs(viaCols - direct), `b ${b} filter ${o} at (${oy}, ${ox})`).toBeLessThan(1e-12);
          }
        }
      }
    }
  });

  it.each(GEOMETRIES)('col2im is the adjoint of im2col on [%i, %i, %i, %i] with a %i×%i kernel', (...g) => {
    const x = integers(sizes(g).image, 1);
    const c = integers(sizes(g).cols, 2);
    const u = unfold(backend(), x, g);
    const v = fold(backend(), c, g);
    let left = 0;
    let right = 0;
    for (let i = 0; i < u.length; i++) left += u[i]! * c[i]!;
    for (let i = 0; i < v.length; i++) right += x[i]! * v[i]!;
    expect(left).toBe(right);
  });

  it.each(GEOMETRIES)('col2im of ones counts the windows over each pixel of [%i, %i, %i, %i] (%i×%i kernel)', (...g) => {
    const [batch, channels, height, width, kh, kw, sh, sw, ph, pw, dh, dw] = g;
    const { outH, outW } = sizes(g);
    const counts = fold(backend(), new Float32Array(sizes(g).cols).fill(1), g);
    // Along one axis: how many (tap, position) pairs land on coordinate p.
    const along = (p: number, kernel: number, out: number, stride: number, pad: number, dilation: number) => {
      let n = 0;
      for (let t = 0; t < kernel; t++) for (let q = 0; q < out; q++) if (q * stride - pad + t * dilation === p) n++;
      return n;
    };
    for (let plane = 0; plane < batch * channels; plane++) {
      for (let y = 0; y < height; y++) {
        for (let xx = 0; xx < width; xx++) {
          const want = along(y, kh, outH, sh, ph, dh) * along(xx, kw, outW, sw, pw, dw);
          expect(counts[(plane * height + y) * width + xx], `plane ${plane} (${y}, ${xx})`).toBe(want);
        }
      }
    }
  });

  it('refuses a window that does not fit the padded image, and strides, kernels or dilations of 0', () => {
    const cols = new Float32Array(0);
    expect(() => backend().im2col(new Float32Array(9), 1, 1, 3, 3, 4, 2, 1, 1, 0, 0, 1, 1, cols)).toThrow(
      new RangeError('im2col: Expected a window of dilationH*(kernelH-1)+1 = 4 rows to fit in height+2*padH = 3 but it does not'),
    );
    expect(() => backend().col2im(new Float32Array(9), 1, 1, 3, 3, 2, 2, 1, 1, 0, 0, 1, 3, cols)).toThrow(
      new RangeError('col2im: Expected a window of dilationW*(kernelW-1)+1 = 4 columns to fit in width+2*padW = 3 but it does not'),
    );
    expect(() => backend().im2col(new Float32Array(9), 1, 1, 3, 3, 2, 2, 0, 1, 0, 0, 1, 1, new Float32Array(4))).toThrow(
      new RangeError('im2col: Expected an integer >= 1 for strideH but received 0'),
    );
    expect(() => backend().im2col(new Float32Array(9), 1, 1, 3, 3, 0, 2, 1, 1, 0, 0, 1, 1, new Float32Array(4))).toThrow(
      new RangeError('im2col: Expected an integer >= 1 for kernelH but received 0'),
    );
    expect(() => backend().im2col(new Float32Array(9), 1, 1, 3, 3, 2, 2, 1, 1, 0, 0, 1, 1, new Float32Array(15))).toThrow(
      new RangeError('im2col: Expected a Float32Array of length batch*channels*kernelH*kernelW*outH*outW = 16 for cols but received a Float32Array of length 15'),
    );
  });
});

describe.each(nativePaths())('im2col and col2im: native (%s) against the reference', (simd) => {
  let native: Backend;
  beforeAll(() => {
    setSimdLevel(simd);
    native = nativeBackend();
  });

  const RANDOM: Geometry[] = [...GEOMETRIES, [4, 8, 17, 13, 3, 5, 2, 1, 2, 3, 1, 2], [2, 16, 32, 32, 3, 3, 1, 1, 1, 1, 1, 1]];

  it.each(RANDOM)('gives the same bits on [%i, %i, %i, %i] with a %i×%i kernel', (...g) => {
    const random = makeRandom(g.reduce((s, v) => s * 17 + v, 3));
    const x = randomArray(sizes(g).image, random);
    const c = randomArray(sizes(g).cols, random);
    expect(bits(unfold(native, x, g))).toEqual(bits(unfold(referenceBackend, x, g)));
    expect(bits(fold(native, c, g))).toEqual(bits(fold(referenceBackend, c, g)));
  });

  it('gives the same bits on 1 and 3 threads for a batch large enough to split by plane', () => {
    const g: Geometry = [8, 16, 20, 20, 3, 3, 1, 1, 1, 1, 1, 1];
    const random = makeRandom(5);
    const x = randomArray(sizes(g).image, random);
    const c = randomArray(sizes(g).cols, random);
    const before = getNumThreads();
    try {
      setNumThreads(1);
      const [u1, v1] = [unfold(native, x, g), fold(native, c, g)];
      setNumThreads(3);
      expect(bits(unfold(native, x, g))).toEqual(bits(u1));
      expect(bits(fold(native, c, g))).toEqual(bits(v1));
      expect(bits(v1)).toEqual(bits(fold(referenceBackend, c, g)));
    } finally {
      setNumThreads(before);
    }
  });
});

describe('im2col and col2im in float64 and bfloat16', () => {
  const g: Geometry = [2, 3, 6, 5, 3, 2, 2, 1, 1, 1, 1, 2];

  it('computes in float64 on Float64Array, no rounding to float32', () => {
    const random = makeRandom(8);
    const x = Float64Array.from({ length: sizes(g).image }, () => random() + 1e-12);
    const cols = new Float64Array(sizes(g).cols);
    referenceKernels('float64').im2col(x, ...g, cols);
    // Which pixel each element reads: the float32 patches of the image of pixel numbers 1, 2, …
    const source = unfold(referenceBackend, Float32Array.from({ length: x.length }, (_, i) => i + 1), g);
    expect(Array.from(cols)).toEqual(Array.from(source, (k) => (k === 0 ? 0 : x[k - 1]!)));
    const c = Float64Array.from({ length: cols.length }, () => random() + 1e-12);
    const folded = new Float64Array(x.length);
    referenceKernels('float64').col2im(folded, ...g, c);
    const sums = new Float64Array(x.length);
    source.forEach((k, i) => {
      if (k > 0) sums[k - 1] += c[i]!;
    });
    expect(Array.from(folded)).toEqual(Array.from(sums));
    expect(folded.some((v) => v !== Math.fround(v))).toBe(true);
  });

  const bfloat16Tables = [
    ['reference', () => referenceKernels('bfloat16')],
    ...nativePaths().slice(0, 1).map((simd) => [`native (${simd})`, () => nativeKernels('bfloat16')] as const),
  ] as const;

  it.each(bfloat16Tables)('copies bfloat16 bits unchanged on %s (the float32 patches of the widened image, narrowed)', (_label, kernels) => {
    const random = makeRandom(12);
    const x = Uint16Array.from({ length: sizes(g).image }, () => floatToBfloat16(random() * 8 - 4));
    const cols = new Uint16Array(sizes(g).cols).fill(0xffff);
    kernels().im2col(x, ...g, cols);
    const wanted = unfold(referenceBackend, widen(x), g);
    expect(Array.from(widen(cols))).toEqual(Array.from(wanted));
    expect(() => kernels().im2col(Float32Array.from(x) as never, ...g, cols)).toThrow(
      new TypeError('im2col: Expected a Uint16Array for x but received a Float32Array of length 180'),
    );
  });

  it.each(bfloat16Tables)('refuses col2im in bfloat16 on %s, naming the dtypes it declares', (_label, kernels) => {
    expect(() => kernels().col2im(new Uint16Array(sizes(g).image), ...g, new Uint16Array(sizes(g).cols))).toThrow(
      new TypeError('col2im: Expected a dtype it declares (float32 or float64) but received bfloat16'),
    );
  });
});

const TORCH = `
import json, sys, torch
import torch.nn.functional as F
out = []
for case in json.load(sys.stdin):
    n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw = case['g']
    opts = dict(kernel_size=(kh, kw), stride=(sh, sw), padding=(ph, pw), dilation=(dh, dw))
    x = torch.tensor(case['x'], dtype=torch.float32).reshape(n, c, h, w)
    cols = torch.tensor(case['cols'], dtype=torch.float32).reshape(n, c * kh * kw, -1)
    out.append({'unfold': F.unfold(x, **opts).flatten().tolist(), 'fold': F.fold(cols, output_size=(h, w), **opts).flatten().tolist()})
json.dump(out, sys.stdout)
`;

describeWithPeers('torch', 'im2col and col2im against torch.nn.functional.unfold and fold', () => {
  const cases = GEOMETRIES.filter((g) => g[0] > 0 && g[1] > 0).map((g, k) => {
    const random = makeRandom(100 + k);
    return { g, x: randomArray(sizes(g).image, random), cols: randomArray(sizes(g).cols, random) };
  });
  let torch: { unfold: number[]; fold: number[] }[] = [];
  beforeAll(() => {
    const input = JSON.stringify(cases.map((c) => ({ g: c.g, x: Array.from(c.x), cols: Array.from(c.cols) })));
    torch = JSON.parse(execFileSync('/usr/bin/python3', ['-c', TORCH], { input, encoding: 'utf8' }));
  }, 120_000);

  it.each(cases.map((c, i) => [c.g.join(','), i] as const))('[%s]: the same patches, and folds within float32 rounding', (_label, i) => {
    const { g, x, cols } = cases[i]!;
    for (const backend of [referenceBackend, ...(nativePaths().length > 0 ? [nativeBackend()] : [])]) {
      expect(Array.from(unfold(backend, x, g)), `${backend.name} unfold`).toEqual(torch[i]!.unfold);
      // A pixel sums at most kernelH·kernelW values, each below 1: the orders differ by a few ulps.
      expectClose(fold(backend, cols, g), Float32Array.from(torch[i]!.fold), 1e-6, `${backend.name} fold`);
    }
  });
});

// conv2d, conv2dBackwardData and conv2dBackwardWeight on every backend: hand-computed outputs
// (padding, asymmetric padding, stride, dilation, groups, bias, the fused ReLU), the adjoint
// identities that tie the three kernels together on integers (every sum exact), the forward
// against im2col + GEMM per group in float64; refusals of groups that do not divide the channels
// and of windows that do not fit; native against the reference within the declared bounds on
// every SIMD path (odd shapes, stride 2, dilation, padding, groups, depthwise, 1×1, chunks of
// images), the same bits on 1 and 2 threads; float64, and the TypeError of bfloat16.
import { beforeAll, describe, expect, it } from 'vitest';
import { nativeBackend, referenceBackend, referenceKernels, setSimdLevel } from '../../../lib/backend';
import type { Backend } from '../../../lib/backend';
import { backendsUnderTest, selectSimd } from '../backends';
import { expectBackendsAgree } from '../compare-backends';
import { expectClose } from '../expect-close';
import { bfloat16Tables, bits, nativePaths, onThreadCounts } from '../native-paths';
import { dot, makeRandom, randomArray, smallIntegers } from '../random-inputs';

/**
 * batch, inChannels, height, width, outChannels, kernelH, kernelW, strideH, strideW, padTop,
 * padLeft, padBottom, padRight, dilationH, dilationW, groups.
 */
type Geometry = [number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number];

interface Conv {
  batch: number; inChannels: number; height: number; width: number; outChannels: number; kernelH: number; kernelW: number;
  strideH: number; strideW: number; padTop: number; padLeft: number; padBottom: number; padRight: number;
  dilationH: number; dilationW: number; groups: number; outH: number; outW: number;
  image: number; weight: number; out: number;
}

function sizes(g: Geometry): Conv {
  const [batch, inChannels, height, width, outChannels, kernelH, kernelW, strideH, strideW, padTop, padLeft, padBottom, padRight, dilationH, dilationW, groups] = g;
  const outH = Math.floor((height + padTop + padBottom - dilationH * (kernelH - 1) - 1) / strideH) + 1;
  const outW = Math.floor((width + padLeft + padRight - dilationW * (kernelW - 1) - 1) / strideW) + 1;
  return {
    batch, inChannels, height, width, outChannels, kernelH, kernelW, strideH, strideW, padTop, padLeft, padBottom, padRight,
    dilationH, dilationW, groups, outH, outW,
    image: batch * inChannels * height * width, weight: outChannels * (inChannels / groups) * kernelH * kernelW, out: batch * outChannels * outH * outW,
  };
}

/** A square kernel, stride, padding on every side and dilation, as most layers use them. */
const square = (batch: number, c: number, h: number, w: number, outC: number, k: number, stride = 1, pad = 0, dilation = 1, groups = 1): Geometry =>
  [batch, c, h, w, outC, k, k, stride, stride, pad, pad, pad, pad, dilation, dilation, groups];

function forward(backend: Backend, x: Float32Array, weight: Float32Array, bias: Float32Array, g: Geometry, activation: 'none' | 'relu' = 'none'): Float32Array {
  const y = new Float32Array(sizes(g).out).fill(NaN); // written whole, never read
  backend.conv2d(x, weight, bias, ...g, activation, y);
  return y;
}

function backwardData(backend: Backend, dy: Float32Array, weight: Float32Array, g: Geometry): Float32Array {
  const dx = new Float32Array(sizes(g).image).fill(NaN);
  backend.conv2dBackwardData(dy, weight, ...g, dx);
  return dx;
}

function backwardWeight(backend: Backend, x: Float32Array, dy: Float32Array, g: Geometry): [Float32Array, Float32Array] {
  const dweight = new Float32Array(sizes(g).weight).fill(NaN);
  const dbias = new Float32Array(g[4]).fill(NaN);
  backend.conv2dBackwardWeight(x, dy, ...g, dweight, dbias);
  return [dweight, dbias];
}

/** Random x, weight, bias and dy of geometry g, drawn in that order from `seed`. */
function randomInputs(g: Geometry, seed: number) {
  const s = sizes(g);
  const random = makeRandom(seed);
  return { x: randomArray(s.image, random), weight: randomArray(s.weight, random), bias: randomArray(s.outChannels, random), dy: randomArray(s.out, random) };
}

/** The bits of every output of the three kernels on `backend`: forward with ReLU, dx, dweight, dbias. */
function allBits(backend: Backend, { x, weight, bias, dy }: ReturnType<typeof randomInputs>, g: Geometry): Uint32Array[] {
  return [forward(backend, x, weight, bias, g, 'relu'), backwardData(backend, dy, weight, g), ...backwardWeight(backend, x, dy, g)].map(bits);
}

const NONE = new Float32Array(0);

const GEOMETRIES: Geometry[] = [
  square(1, 1, 3, 3, 1, 2),
  square(2, 3, 7, 5, 4, 3, 1, 1), // 'same' 3×3
  square(2, 4, 9, 8, 6, 3, 2, 1), // stride 2
  [1, 2, 8, 9, 5, 3, 2, 2, 3, 1, 0, 1, 2, 1, 1, 1], // rectangular kernel, strides, asymmetric padding
  square(2, 3, 9, 7, 4, 2, 1, 2, 3), // dilation, padding wider than a tap
  [1, 2, 6, 6, 4, 2, 2, 1, 1, 0, 0, 1, 1, 1, 1, 1], // 'same' with an even kernel: the extra row and column at the bottom and right
  square(2, 6, 5, 5, 9, 3, 1, 1, 1, 3), // 3 groups of 2 → 3
  square(3, 4, 6, 7, 4, 3, 2, 1, 1, 4), // depthwise (the direct path)
  square(2, 4, 5, 5, 8, 3, 1, 1, 1, 4), // 2 output channels per group (direct path, not depthwise)
  square(2, 8, 6, 5, 16, 1), // 1×1 (the GEMM reads x in place)
  square(1, 1, 1, 1, 2, 3, 1, 1), // one pixel, all padding around
  square(1, 2, 4, 6, 3, 2, 3, 3), // windows entirely in the padding
  square(0, 3, 4, 4, 4, 2), // empty batch
  square(2, 0, 4, 4, 4, 2), // no input channels: y = bias
  square(2, 3, 4, 4, 0, 2), // no output channels
];

describe.each(backendsUnderTest())('conv2d and its backward kernels on $label', (entry) => {
  beforeAll(() => selectSimd(entry));
  const backend = () => entry.backend();
  const x33 = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]); // 1×1×3×3

  it('sums each 2×2 window, adds the bias and applies the ReLU', () => {
    const g = square(1, 1, 3, 3, 1, 2);
    const ones = new Float32Array(4).fill(1);
    expect(Array.from(forward(backend(), x33, ones, NONE, g))).toEqual([12, 16, 24, 28]);
    expect(Array.from(forward(backend(), x33, ones, Float32Array.of(-20), g))).toEqual([-8, -4, 4, 8]);
    expect(Array.from(forward(backend(), x33, ones, Float32Array.of(-20), g, 'relu'))).toEqual([0, 0, 4, 8]);
    // The weight is not flipped (cross-correlation): tap (0, 0) reads the window's top left.
    expect(Array.from(forward(backend(), x33, Float32Array.of(1, 0, 0, 0), NONE, g))).toEqual([1, 2, 4, 5]);
  });

  it('lets NaN through the ReLU and maps -0 to 0', () => {
    const g = square(1, 1, 1, 2, 1, 1);
    const y = forward(backend(), Float32Array.of(NaN, -0), Float32Array.of(1), NONE, g, 'relu');
    expect(Number.isNaN(y[0])).toBe(true);
    expect(Object.is(y[1], 0)).toBe(true);
  });

  it('pads with zeros: a 3×3 kernel of ones over 3×3 ones with padding 1 counts each window', () => {
    const y = forward(backend(), new Float32Array(9).fill(1), new Float32Array(9).fill(1), NONE, square(1, 1, 3, 3, 1, 3, 1, 1));
    expect(Array.from(y)).toEqual([4, 6, 4, 6, 9, 6, 4, 6, 4]);
  });

  it('pads the bottom and right only by what the output grid asks: a 2×2 kernel, "same" on 3×3', () => {
    const g: Geometry = [1, 1, 3, 3, 1, 2, 2, 1, 1, 0, 0, 1, 1, 1, 1, 1];
    expect(Array.from(forward(backend(), x33, new Float32Array(4).fill(1), NONE, g))).toEqual([12, 16, 9, 24, 28, 15, 15, 17, 9]);
  });

  it('strides and dilates: taps 2 apart read the corners; stride 2 with padding 1 takes every other window', () => {
    expect(Array.from(forward(backend(), x33, new Float32Array(4).fill(1), NONE, square(1, 1, 3, 3, 1, 2, 1, 0, 2)))).toEqual([20]);
    const y = forward(backend(), x33, new Float32Array(9).fill(1), NONE, square(1, 1, 3, 3, 1, 3, 2, 1));
    expect(Array.from(y)).toEqual([12, 16, 24, 28]);
  });

  it('convolves each group with its own channels: depthwise scales each channel by its weight', () => {
    const x = Float32Array.from({ length: 2 * 3 * 2 * 2 }, (_, i) => i); // 2×3×2×2
    const y = forward(backend(), x, Float32Array.of(1, 10, 100), Float32Array.of(0, 0.5, 0), square(2, 3, 2, 2, 3, 1, 1, 0, 1, 3));
    expect(Array.from(y)).toEqual([0, 1, 2, 3, 40.5, 50.5, 60.5, 70.5, 800, 900, 1000, 1100, 12, 13, 14, 15, 160.5, 170.5, 180.5, 190.5, 2000, 2100, 2200, 2300]);
    // Two groups of two channels, one filter each: the first reads channels 0 and 1 only.
    const two = forward(backend(), Float32Array.of(1, 2, 3, 4), Float32Array.of(1, 1, 1, -1), NONE, square(1, 4, 1, 1, 2, 1, 1, 0, 1, 2));
    expect(Array.from(two)).toEqual([3, -1]);
  });

  it.each(GEOMETRIES)('ties the three kernels by their adjoint identities on [%i, %i, %i, %i] → %i channels, %i×%i kernel', (...g) => {
    const s = sizes(g);
    const x = smallIntegers(s.image, 1);
    const weight = smallIntegers(s.weight, 2);
    const dy = smallIntegers(s.out, 3);
    const y = forward(backend(), x, weight, NONE, g);
    const dx = backwardData(backend(), dy, weight, g);
    const [dweight, dbias] = backwardWeight(backend(), x, dy, g);
    // <conv(x, w), dy> = <x, ∂/∂x> = <w, ∂/∂w>; the bias gradient sums dy per channel.
    expect(dot(x, dx)).toBe(dot(y, dy));
    expect(dot(weight, dweight)).toBe(dot(y, dy));
    const plane = s.outH * s.outW;
    const sums = new Float32Array(s.outChannels);
    dy.forEach((v, i) => (sums[Math.floor(i / plane) % s.outChannels] += v));
    expect(Array.from(dbias)).toEqual(Array.from(sums));
    const bias = smallIntegers(s.outChannels, 4);
    const withBias = forward(backend(), x, weight, bias, g);
    expect(Array.from(withBias)).toEqual(Array.from(y, (v, i) => v + bias[Math.floor(i / plane) % s.outChannels]!));
  });

  it('refuses groups that do not divide the channels and windows that do not fit', () => {
    const y = new Float32Array(64);
    expect(() => backend().conv2d(new Float32Array(27), new Float32Array(8), NONE, ...square(1, 3, 3, 3, 4, 1, 1, 0, 1, 2), 'none', y)).toThrow(
      new RangeError('conv2d: Expected inChannels divisible by groups = 2 but received inChannels = 3'),
    );
    expect(() => backend().conv2dBackwardData(new Float32Array(27), new Float32Array(6), ...square(1, 4, 3, 3, 3, 1, 1, 0, 1, 2), new Float32Array(36))).toThrow(
      new RangeError('conv2dBackwardData: Expected outChannels divisible by groups = 2 but received outChannels = 3'),
    );
    expect(() => backend().conv2d(new Float32Array(9), new Float32Array(16), NONE, ...square(1, 1, 3, 3, 1, 4), 'none', y)).toThrow(
      new RangeError('conv2d: Expected an output height of at least 1 (a window of dilationH*(kernelH-1)+1 = 4 rows within height+padTop+padBottom = 3) but the window does not fit'),
    );
    expect(() => backend().conv2dBackwardWeight(new Float32Array(9), new Float32Array(1), ...square(1, 1, 3, 3, 1, 2, 1, 0, 3), new Float32Array(4), new Float32Array(1))).toThrow(
      new RangeError('conv2dBackwardWeight: Expected an output height of at least 1 (a window of dilationH*(kernelH-1)+1 = 4 rows within height+padTop+padBottom = 3) but the window does not fit'),
    );
    expect(() => backend().conv2d(new Float32Array(9), new Float32Array(4), new Float32Array(2), ...square(1, 1, 3, 3, 1, 2), 'none', new Float32Array(4))).toThrow(
      new RangeError('conv2d: Expected a Float32Array of length outChannels = 1 or 0 for bias but received a Float32Array of length 2'),
    );
    expect(() => backend().conv2d(new Float32Array(9), new Float32Array(4), NONE, ...square(1, 1, 3, 3, 1, 2), 'none', new Float32Array(5))).toThrow(
      new RangeError('conv2d: Expected a Float32Array of length batch*outChannels*outH*outW = 4 for y but received a Float32Array of length 5'),
    );
    expect(() => backend().conv2d(new Float32Array(9), new Float32Array(4), NONE, ...square(1, 1, 3, 3, 1, 2), 'gelu' as 'relu', new Float32Array(4))).toThrow(
      new TypeError('conv2d: Expected "none" or "relu" for activation but received a string'),
    );
  });
});

/** conv2d in float64 as im2col of each image's group times the group's filters (GEMM), summed in double. */
function viaIm2col(x: Float64Array, weight: Float64Array, g: Geometry): Float64Array {
  const s = sizes(g);
  const kernels = referenceKernels('float64');
  const cg = s.inChannels / s.groups;
  const og = s.outChannels / s.groups;
  const K = cg * s.kernelH * s.kernelW;
  const P = s.outH * s.outW;
  const y = new Float64Array(s.out);
  // im2col pads symmetrically: pad the image to its top/left/bottom/right explicitly instead.
  const ph = s.height + s.padTop + s.padBottom;
  const pw = s.width + s.padLeft + s.padRight;
  for (let b = 0; b < s.batch; b++) {
    for (let grp = 0; grp < s.groups; grp++) {
      const padded = new Float64Array(cg * ph * pw);
      for (let c = 0; c < cg; c++) {
        for (let iy = 0; iy < s.height; iy++) {
          for (let ix = 0; ix < s.width; ix++) {
            padded[(c * ph + iy + s.padTop) * pw + ix + s.padLeft] = x[((b * s.inChannels + grp * cg + c) * s.height + iy) * s.width + ix]!;
          }
        }
      }
      const cols = new Float64Array(K * P);
      kernels.im2col(padded, 1, cg, ph, pw, s.kernelH, s.kernelW, s.strideH, s.strideW, 0, 0, s.dilationH, s.dilationW, cols);
      const out = y.subarray((b * s.outChannels + grp * og) * P, (b * s.outChannels + (grp + 1) * og) * P);
      kernels.gemm(false, false, og, P, K, 1, weight.subarray(grp * og * K, (grp + 1) * og * K), cols, 0, out);
    }
  }
  return y;
}

describe('conv2d against im2col + GEMM in float64', () => {
  it.each(GEOMETRIES.filter((g) => sizes(g).out > 0))('[%i, %i, %i, %i] → %i channels, %i×%i kernel', (...g) => {
    const s = sizes(g);
    const random = makeRandom(g.reduce((a, v) => a * 31 + v, 11));
    const x = Float64Array.from(randomArray(s.image, random));
    const weight = Float64Array.from(randomArray(s.weight, random));
    const y = new Float64Array(s.out);
    referenceKernels('float64').conv2d(x, weight, new Float64Array(0), ...g, 'none', y);
    expectClose(y, viaIm2col(x, weight, g), 1e-12, 'conv2d');
  });
});

describe.each(nativePaths())('conv2d and its backward kernels: native (%s) against the reference', (simd) => {
  let native: Backend;
  beforeAll(() => {
    setSimdLevel(simd);
    native = nativeBackend();
  });

  const RANDOM: Geometry[] = [
    ...GEOMETRIES,
    square(5, 3, 13, 11, 7, 5, 2, 2, 1), // odd everything, stride 2
    [3, 6, 17, 9, 4, 3, 4, 2, 1, 2, 0, 1, 3, 1, 2, 2], // rectangular, asymmetric, dilated, grouped
    square(4, 8, 12, 12, 8, 3, 1, 1, 1, 8), // depthwise, padded
    square(64, 4, 14, 14, 8, 3, 1, 1), // enough images for several per chunk
    square(6, 1, 12, 12, 16, 3, 1, 1), // a first layer: K = 9 < og, the weight gradient computed transposed
    square(5, 1, 11, 11, 32, 5, 1, 2), // K = 25 < og = 32: transposed too
  ];

  it.each(RANDOM)('agrees within the declared bounds on [%i, %i, %i, %i] → %i channels, %i×%i kernel', (...g) => {
    const s = sizes(g);
    const { x, weight, bias, dy } = randomInputs(g, g.reduce((a, v) => a * 17 + v, 5));
    for (const activation of ['none', 'relu'] as const) {
      expectBackendsAgree(native, referenceBackend, 'conv2d', [x, weight, bias, ...g, activation, new Float32Array(s.out)], activation);
    }
    expectBackendsAgree(native, referenceBackend, 'conv2d', [x, weight, NONE, ...g, 'none', new Float32Array(s.out)], 'without a bias');
    expectBackendsAgree(native, referenceBackend, 'conv2dBackwardData', [dy, weight, ...g, new Float32Array(s.image)]);
    expectBackendsAgree(native, referenceBackend, 'conv2dBackwardWeight', [x, dy, ...g, new Float32Array(s.weight), new Float32Array(s.outChannels)]);
  });

  it.each([square(16, 8, 20, 20, 16, 3, 1, 1), square(8, 8, 15, 15, 8, 3, 2, 1, 1, 8)])(
    'gives the same bits on 1 and 2 threads on [%i, %i, %i, %i] → %i channels',
    (...g) => {
      const inputs = randomInputs(g, 9);
      const [one, two] = onThreadCounts([1, 2], () => allBits(native, inputs, g));
      expect(two).toEqual(one);
    },
  );
});

describe.skipIf(nativePaths().length === 0)('conv2d\'s direct path (depthwise) on every instruction set', () => {
  // conv_direct.inc is compiled once per instruction set; each must compute the portable loops' bits.
  it.each([square(3, 6, 13, 11, 6, 3, 1, 1, 1, 6), square(2, 4, 9, 10, 8, 3, 2, 1, 2, 4)])(
    'gives the same bits at every SIMD level on [%i, %i, %i, %i] → %i channels',
    (...g) => {
      const inputs = randomInputs(g, 31);
      const levels = nativePaths();
      const results = levels.map((simd) => {
        setSimdLevel(simd);
        return allBits(nativeBackend(), inputs, g);
      });
      setSimdLevel(levels[0]!);
      for (const r of results.slice(1)) expect(r).toEqual(results[0]);
    },
  );
});

describe('conv2d in float64 and bfloat16', () => {
  const g = square(2, 4, 6, 5, 6, 3, 2, 1, 1, 2);
  const s = sizes(g);

  it('computes in float64 on Float64Array, no rounding to float32', () => {
    const random = makeRandom(21);
    const x = Float64Array.from({ length: s.image }, () => random() + 1e-12);
    const weight = Float64Array.from({ length: s.weight }, () => random() + 1e-12);
    const y = new Float64Array(s.out);
    referenceKernels('float64').conv2d(x, weight, new Float64Array(0), ...g, 'none', y);
    expectClose(y, viaIm2col(x, weight, g), 1e-13, 'conv2d float64');
    expect(y.some((v) => v !== Math.fround(v))).toBe(true);
    const dx = new Float64Array(s.image);
    referenceKernels('float64').conv2dBackwardData(y, weight, ...g, dx);
    expect(dx.some((v) => v !== Math.fround(v))).toBe(true);
  });

  it.each(bfloat16Tables())('refuses bfloat16 on %s, naming the dtypes it declares', (_label, kernels) => {
    expect(() => kernels().conv2d(new Uint16Array(s.image), new Uint16Array(s.weight), new Uint16Array(0), ...g, 'none', new Uint16Array(s.out))).toThrow(
      new TypeError('conv2d: Expected a dtype it declares (float32 or float64) but received bfloat16'),
    );
  });
});

// The pooling kernels and scalePlanes on every backend: hand-computed maxima and argmax indices
// (padding never wins, ties, NaN, dilation, ceilMode), averages with and without the padding in
// the divisor and with a divisor override, adaptive bins that overlap, the backward kernels
// (scatter of overlapping windows, closed forms, the adjoint identity of average pooling),
// refusals; native bit for bit against the reference on every SIMD path and on 1 and 2 threads;
// float64, and the TypeError of bfloat16.
import { beforeAll, describe, expect, it } from 'vitest';
import { nativeBackend, referenceBackend, referenceKernels, setSimdLevel } from '../../../lib/backend';
import type { Backend } from '../../../lib/backend';
import { backendsUnderTest, selectSimd } from '../backends';
import { expectBackendsAgree } from '../compare-backends';
import { expectClose } from '../expect-close';
import { bfloat16Tables, bits, nativePaths, onThreadCounts } from '../native-paths';
import { dot, makeRandom, randomArray, smallIntegers } from '../random-inputs';

/** planes, height, width, kernelH, kernelW, strideH, strideW, padH, padW, dilationH, dilationW, ceilMode. */
type MaxGeometry = [number, number, number, number, number, number, number, number, number, number, number, boolean];
/** planes, height, width, kernelH, kernelW, strideH, strideW, padH, padW, ceilMode, countIncludePad, divisor. */
type AvgGeometry = [number, number, number, number, number, number, number, number, number, boolean, boolean, number];

function pooledSize(size: number, kernel: number, stride: number, pad: number, dilation: number, ceilMode: boolean): number {
  const span = size + 2 * pad - dilation * (kernel - 1) - 1;
  let out = (ceilMode ? Math.ceil(span / stride) : Math.floor(span / stride)) + 1;
  if (ceilMode && (out - 1) * stride >= size + pad) out--;
  return out;
}

const maxSizes = ([planes, h, w, kh, kw, sh, sw, ph, pw, dh, dw, ceil]: MaxGeometry) => {
  const outH = pooledSize(h, kh, sh, ph, dh, ceil);
  const outW = pooledSize(w, kw, sw, pw, dw, ceil);
  return { planes, h, w, outH, outW, image: planes * h * w, out: planes * outH * outW };
};

const avgSizes = ([planes, h, w, kh, kw, sh, sw, ph, pw, ceil]: AvgGeometry) => maxSizes([planes, h, w, kh, kw, sh, sw, ph, pw, 1, 1, ceil]);

function maxPool(backend: Backend, x: Float32Array, g: MaxGeometry): { y: Float32Array; indices: Int32Array } {
  const { out } = maxSizes(g);
  const y = new Float32Array(out).fill(NaN);
  const indices = new Int32Array(out).fill(-7);
  backend.maxPool2d(x, ...g, y, indices);
  return { y, indices };
}

function maxBackward(backend: Backend, dy: Float32Array, indices: Int32Array, g: MaxGeometry): Float32Array {
  const s = maxSizes(g);
  const dx = new Float32Array(s.image).fill(NaN);
  backend.maxPool2dBackward(dy, indices, s.planes, s.h, s.w, s.outH, s.outW, dx);
  return dx;
}

function avgPool(backend: Backend, x: Float32Array, g: AvgGeometry): Float32Array {
  const y = new Float32Array(avgSizes(g).out).fill(NaN);
  backend.avgPool2d(x, ...g, y);
  return y;
}

function avgBackward(backend: Backend, dy: Float32Array, g: AvgGeometry): Float32Array {
  const dx = new Float32Array(avgSizes(g).image).fill(NaN);
  backend.avgPool2dBackward(dy, ...g, dx);
  return dx;
}

function adaptive(backend: Backend, x: Float32Array, planes: number, h: number, w: number, outH: number, outW: number): Float32Array {
  const y = new Float32Array(planes * outH * outW).fill(NaN);
  backend.adaptiveAvgPool2d(x, planes, h, w, outH, outW, y);
  return y;
}

function adaptiveBackward(backend: Backend, dy: Float32Array, planes: number, h: number, w: number, outH: number, outW: number): Float32Array {
  const dx = new Float32Array(planes * h * w).fill(NaN);
  backend.adaptiveAvgPool2dBackward(dy, planes, h, w, outH, outW, dx);
  return dx;
}

const x44 = Float32Array.from({ length: 16 }, (_, i) => i + 1); // 1×4×4: 1 … 16

const MAX_GEOMETRIES: MaxGeometry[] = [
  [1, 4, 4, 2, 2, 2, 2, 0, 0, 1, 1, false],
  [3, 7, 5, 3, 3, 1, 1, 1, 1, 1, 1, false], // overlapping windows, padding
  [2, 9, 8, 3, 2, 2, 3, 1, 1, 1, 1, true], // ceilMode
  [2, 9, 7, 2, 3, 1, 2, 1, 0, 3, 2, false], // dilation
  [1, 5, 5, 2, 2, 2, 2, 1, 1, 3, 3, false], // windows with no position in the plane
  [4, 6, 6, 3, 3, 3, 3, 1, 1, 1, 1, true],
  [0, 4, 4, 2, 2, 2, 2, 0, 0, 1, 1, false], // no planes
];

const AVG_GEOMETRIES: AvgGeometry[] = [
  [1, 4, 4, 2, 2, 2, 2, 0, 0, false, true, 0],
  [3, 7, 5, 3, 3, 1, 1, 1, 1, false, true, 0],
  [3, 7, 5, 3, 3, 1, 1, 1, 1, false, false, 0],
  [2, 9, 8, 3, 2, 2, 3, 1, 1, true, true, 0], // ceilMode: the last windows hang past the padding
  [2, 9, 8, 3, 2, 2, 3, 1, 1, true, false, 0],
  [2, 6, 7, 4, 2, 2, 1, 2, 1, false, true, 5], // divisor override
  [0, 4, 4, 2, 2, 2, 2, 0, 0, false, true, 0],
];

describe.each(backendsUnderTest())('pooling kernels on $label', (entry) => {
  beforeAll(() => selectSimd(entry));
  const backend = () => entry.backend();

  it('takes the largest value of each 2×2 window and where it was', () => {
    const { y, indices } = maxPool(backend(), x44, [1, 4, 4, 2, 2, 2, 2, 0, 0, 1, 1, false]);
    expect(Array.from(y)).toEqual([6, 8, 14, 16]);
    expect(Array.from(indices)).toEqual([5, 7, 13, 15]);
  });

  it('never lets the padding win, keeps the first of a tie, lets NaN win (the last NaN of a window)', () => {
    const negative = Float32Array.from(x44, (v) => -v);
    const padded = maxPool(backend(), negative, [1, 4, 4, 2, 2, 2, 2, 1, 1, 1, 1, false]); // 2×2 windows, padding 1, over −1 … −16
    expect(Array.from(padded.y)).toEqual([-1, -2, -4, -5, -6, -8, -13, -14, -16]);
    expect(Array.from(padded.indices)).toEqual([0, 1, 3, 4, 5, 7, 12, 13, 15]);
    const tie = maxPool(backend(), Float32Array.of(3, 3, 1, 3), [1, 2, 2, 2, 2, 1, 1, 0, 0, 1, 1, false]);
    expect(Array.from(tie.indices)).toEqual([0]);
    const nan = maxPool(backend(), Float32Array.of(1, NaN, 5, NaN), [1, 2, 2, 2, 2, 1, 1, 0, 0, 1, 1, false]);
    expect(Number.isNaN(nan.y[0])).toBe(true);
    expect(Array.from(nan.indices)).toEqual([3]);
  });

  it('spreads the taps by the dilation, and gives −∞ and −1 for a window entirely in the padding', () => {
    expect(Array.from(maxPool(backend(), x44, [1, 4, 4, 2, 2, 1, 1, 0, 0, 2, 2, false]).y)).toEqual([11, 12, 15, 16]);
    const { y, indices } = maxPool(backend(), Float32Array.of(1, 2, 3, 4), [1, 2, 2, 2, 2, 2, 2, 1, 1, 3, 3, false]);
    expect(Array.from(y)).toEqual([-Infinity]);
    expect(Array.from(indices)).toEqual([-1]);
  });

  it('adds a last window in ceilMode when it starts inside the input', () => {
    const floor = maxPool(backend(), Float32Array.of(1, 5, 2, 7, 3), [1, 1, 5, 1, 2, 1, 2, 0, 0, 1, 1, false]);
    expect(Array.from(floor.y)).toEqual([5, 7]);
    const ceil = maxPool(backend(), Float32Array.of(1, 5, 2, 7, 3), [1, 1, 5, 1, 2, 1, 2, 0, 0, 1, 1, true]);
    expect(Array.from(ceil.y)).toEqual([5, 7, 3]);
    expect(Array.from(ceil.indices)).toEqual([1, 3, 4]);
  });

  it('sends each gradient to its window’s maximum, adding where windows share one', () => {
    const g: MaxGeometry = [1, 3, 3, 2, 2, 1, 1, 0, 0, 1, 1, false];
    const x = Float32Array.of(0, 0, 0, 0, 9, 0, 0, 0, 0); // every window's maximum is the centre
    const { indices } = maxPool(backend(), x, g);
    expect(Array.from(indices)).toEqual([4, 4, 4, 4]);
    expect(Array.from(maxBackward(backend(), Float32Array.of(1, 2, 3, 4), indices, g))).toEqual([0, 0, 0, 0, 10, 0, 0, 0, 0]);
    // −1 (a window with no position in the plane) sends nothing.
    expect(Array.from(maxBackward(backend(), Float32Array.of(5), Int32Array.of(-1), [1, 2, 2, 2, 2, 2, 2, 1, 1, 3, 3, false]))).toEqual([0, 0, 0, 0]);
  });

  it('averages 2×2 windows; with padding, counts it in the divisor or not; a divisor override replaces both', () => {
    expect(Array.from(avgPool(backend(), x44, [1, 4, 4, 2, 2, 2, 2, 0, 0, false, true, 0]))).toEqual([3.5, 5.5, 11.5, 13.5]);
    const ones = new Float32Array(9).fill(1);
    // 3×3 windows, padding 1, over 3×3 ones: the corners hold 4 of 9 positions, the edges 6.
    expect(Array.from(avgPool(backend(), ones, [1, 3, 3, 3, 3, 1, 1, 1, 1, false, true, 0]))).toEqual(
      Array.from(Float32Array.of(4 / 9, 6 / 9, 4 / 9, 6 / 9, 1, 6 / 9, 4 / 9, 6 / 9, 4 / 9)),
    );
    expect(Array.from(avgPool(backend(), ones, [1, 3, 3, 3, 3, 1, 1, 1, 1, false, false, 0]))).toEqual(new Array(9).fill(1));
    expect(Array.from(avgPool(backend(), ones, [1, 3, 3, 3, 3, 1, 1, 1, 1, false, true, 2]))).toEqual([2, 3, 2, 3, 4.5, 3, 2, 3, 2]);
  });

  it('counts a ceil-mode window hanging past the padding by its part inside the padded plane', () => {
    // 1×5, windows of 2, stride 2, ceilMode: the third window [4, 6) holds one position and no padding.
    expect(Array.from(avgPool(backend(), Float32Array.of(1, 5, 2, 7, 3), [1, 1, 5, 1, 2, 1, 2, 0, 0, true, true, 0]))).toEqual([3, 4.5, 3]);
  });

  it('averages adaptive bins, which overlap where the sizes do not divide', () => {
    // 5 → 3 bins: [0, 2), [1, 4), [3, 5).
    const row = Float32Array.of(1, 2, 3, 4, 8);
    expect(Array.from(adaptive(backend(), row, 1, 1, 5, 1, 3))).toEqual([1.5, 3, 6]);
    expect(Array.from(adaptive(backend(), x44, 1, 4, 4, 1, 1))).toEqual([8.5]); // global average
    expect(Array.from(adaptive(backend(), Float32Array.of(2, 4), 1, 1, 2, 1, 4))).toEqual([2, 2, 4, 4]); // more bins than positions
    const dx = adaptiveBackward(backend(), Float32Array.of(2, 3, 4), 1, 1, 5, 1, 3);
    expect(Array.from(dx)).toEqual([1, 2, 1, 3, 2]);
  });

  it.each(AVG_GEOMETRIES)('avgPool2dBackward is the adjoint of avgPool2d on %j', (...g) => {
    const s = avgSizes(g);
    const x = smallIntegers(s.image, 1, 4);
    const dy = smallIntegers(s.out, 2, 4);
    // The divisors (9, 6, 5, …) do not all divide exactly: the forward in double, one rounding per element of dx.
    const y = new Float64Array(s.out);
    referenceKernels('float64').avgPool2d(Float64Array.from(x), ...g, y);
    expect(Math.abs(dot(y, dy) - dot(x, avgBackward(backend(), dy, g)))).toBeLessThan(1e-4);
  });

  it('scales each plane by its factor, in place too', () => {
    const x = Float32Array.of(1, 2, 3, 4, 5, 6);
    const y = new Float32Array(6);
    backend().scalePlanes(x, Float32Array.of(0, 2, -1), 3, 2, y);
    expect(Array.from(y)).toEqual([0, 0, 6, 8, -5, -6]);
    backend().scalePlanes(x, Float32Array.of(2, 2, 2), 3, 2, x);
    expect(Array.from(x)).toEqual([2, 4, 6, 8, 10, 12]);
  });

  it('refuses windows that do not fit, padding past half the kernel, empty planes and indices outside the plane', () => {
    expect(() => backend().maxPool2d(new Float32Array(9), 1, 3, 3, 4, 2, 1, 1, 0, 0, 1, 1, false, new Float32Array(0), new Int32Array(0))).toThrow(
      new RangeError('maxPool2d: Expected an output height of at least 1 (a window of 4 rows within height+2*padH = 3) but the window does not fit'),
    );
    expect(() => backend().avgPool2d(new Float32Array(9), 1, 3, 3, 2, 3, 1, 1, 0, 2, false, true, 0, new Float32Array(12))).toThrow(
      new RangeError('avgPool2d: Expected padW at most half of kernelW = 3 but received padW = 2'),
    );
    expect(() => backend().adaptiveAvgPool2d(new Float32Array(0), 1, 0, 3, 1, 1, new Float32Array(1))).toThrow(
      new RangeError('adaptiveAvgPool2d: Expected a plane of at least one position but received height = 0, width = 3'),
    );
    expect(() => backend().maxPool2dBackward(new Float32Array(1), Int32Array.of(4), 1, 2, 2, 1, 1, new Float32Array(4))).toThrow(
      new RangeError('maxPool2dBackward: Expected indices in [0 - 1, height*width) = [-1, 4) but indices[0] is 4'),
    );
  });
});

describe.each(nativePaths())('pooling kernels: native (%s) against the reference', (simd) => {
  let native: Backend;
  beforeAll(() => {
    setSimdLevel(simd);
    native = nativeBackend();
  });

  it.each([...MAX_GEOMETRIES, [6, 17, 13, 3, 5, 2, 1, 1, 2, 1, 2, true] as MaxGeometry])('max pooling gives the same bits on %j', (...g) => {
    const s = maxSizes(g);
    const random = makeRandom(s.image + s.out);
    const x = randomArray(s.image, random);
    x[3 % Math.max(x.length, 1)] = NaN;
    expectBackendsAgree(native, referenceBackend, 'maxPool2d', [x, ...g, new Float32Array(s.out), new Int32Array(s.out)]);
    const { indices } = maxPool(referenceBackend, x, g);
    const dy = randomArray(s.out, random);
    expectBackendsAgree(native, referenceBackend, 'maxPool2dBackward', [dy, indices, s.planes, s.h, s.w, s.outH, s.outW, new Float32Array(s.image)]);
  });

  // The native 2×2 stride-2 path (full windows in straight-line code, the rest by the general loop).
  const TWO_BY_TWO: MaxGeometry[] = [
    [3, 14, 14, 2, 2, 2, 2, 0, 0, 1, 1, false],
    [2, 7, 9, 2, 2, 2, 2, 0, 0, 1, 1, true], // ceilMode: a last row and column of half windows
    [2, 8, 6, 2, 2, 2, 2, 1, 0, 1, 1, false], // top padding: the first row of windows is half
  ];
  it.each(TWO_BY_TWO)('2×2 max pooling keeps the first of equal maxima and the last NaN, as the reference, on %j', (...g) => {
    const s = maxSizes(g);
    const random = makeRandom(s.image);
    // ReLU-like values: many ties at 0 and at a few levels, and NaNs here and there.
    const x = randomArray(s.image, random).map((v) => (v < 0 ? 0 : Math.round(v * 3) / 3));
    for (let i = 5; i < x.length; i += 11) x[i] = NaN;
    for (let i = 6; i < x.length; i += 23) x[i] = NaN;
    expectBackendsAgree(native, referenceBackend, 'maxPool2d', [x, ...g, new Float32Array(s.out), new Int32Array(s.out)]);
    const { indices } = maxPool(referenceBackend, x, g);
    expectBackendsAgree(native, referenceBackend, 'maxPool2dBackward', [randomArray(s.out, random), indices, s.planes, s.h, s.w, s.outH, s.outW, new Float32Array(s.image)]);
  });

  it.each([...AVG_GEOMETRIES, [5, 13, 11, 3, 3, 2, 2, 1, 1, true, false, 0] as AvgGeometry])('average pooling gives the same bits on %j', (...g) => {
    const s = avgSizes(g);
    const random = makeRandom(s.image * 3 + s.out);
    expectBackendsAgree(native, referenceBackend, 'avgPool2d', [randomArray(s.image, random), ...g, new Float32Array(s.out)]);
    expectBackendsAgree(native, referenceBackend, 'avgPool2dBackward', [randomArray(s.out, random), ...g, new Float32Array(s.image)]);
  });

  it.each([[3, 7, 5, 3, 2], [2, 5, 9, 4, 4], [4, 6, 6, 1, 1], [2, 3, 4, 5, 7]])('adaptive pooling gives the same bits on %i planes of %i×%i to %i×%i', (planes, h, w, oh, ow) => {
    const random = makeRandom(planes * h * w);
    expectBackendsAgree(native, referenceBackend, 'adaptiveAvgPool2d', [randomArray(planes * h * w, random), planes, h, w, oh, ow, new Float32Array(planes * oh * ow)]);
    expectBackendsAgree(native, referenceBackend, 'adaptiveAvgPool2dBackward', [randomArray(planes * oh * ow, random), planes, h, w, oh, ow, new Float32Array(planes * h * w)]);
  });

  it('scales planes with the same bits', () => {
    const random = makeRandom(4);
    expectBackendsAgree(native, referenceBackend, 'scalePlanes', [randomArray(7 * 33, random), randomArray(7, random), 7, 33, new Float32Array(7 * 33)]);
  });

  it('gives the same bits on 1 and 2 threads', () => {
    const g: MaxGeometry = [64, 16, 16, 3, 3, 2, 2, 1, 1, 1, 1, false];
    const a: AvgGeometry = [64, 16, 16, 3, 3, 2, 2, 1, 1, true, false, 0];
    const s = maxSizes(g);
    const random = makeRandom(6);
    const x = randomArray(s.image, random);
    const dy = randomArray(s.out, random);
    const dyAverage = randomArray(avgSizes(a).out, random);
    const run = () => {
      const { y, indices } = maxPool(native, x, g);
      return [bits(y), indices, bits(maxBackward(native, dy, indices, g)), bits(avgPool(native, x, a)), bits(avgBackward(native, dyAverage, a)),
        bits(adaptive(native, x, 64, 16, 16, 5, 3)), bits(adaptiveBackward(native, dy.subarray(0, 64 * 15), 64, 16, 16, 5, 3))];
    };
    const [one, two] = onThreadCounts([1, 2], run);
    expect(two).toEqual(one);
  });
});

describe('pooling in float64 and bfloat16', () => {
  it('computes in float64 on Float64Array, no rounding to float32', () => {
    const random = makeRandom(31);
    const g: AvgGeometry = [2, 7, 6, 3, 3, 2, 2, 1, 1, false, false, 0];
    const s = avgSizes(g);
    const x = Float64Array.from({ length: s.image }, () => random() + 1e-12);
    const y = new Float64Array(s.out);
    referenceKernels('float64').avgPool2d(x, ...g, y);
    const y32 = avgPool(referenceBackend, Float32Array.from(x), g);
    expectClose(y, y32, 1e-6, 'avgPool2d float64 against float32');
    expect(y.some((v) => v !== Math.fround(v))).toBe(true);
    const dx = new Float64Array(s.image);
    referenceKernels('float64').avgPool2dBackward(y, ...g, dx);
    expect(dx.some((v) => v !== Math.fround(v))).toBe(true);
  });

  it.each(bfloat16Tables())('refuses bfloat16 on %s, naming the dtypes it declares', (_label, kernels) => {
    expect(() => kernels().maxPool2d(new Uint16Array(16), 1, 4, 4, 2, 2, 2, 2, 0, 0, 1, 1, false, new Uint16Array(4), new Int32Array(4))).toThrow(
      new TypeError('maxPool2d: Expected a dtype it declares (float32 or float64) but received bfloat16'),
    );
  });
});

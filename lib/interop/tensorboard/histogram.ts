/**
 * Histograms as TensorFlow summarises them (tensorflow/core/lib/histogram/histogram.cc, which
 * tf.summary.histogram's v1 op and TensorBoard's legacy reader use): the default bucket limits
 * grow by 10% from 1e-12 to 1e20 on each side of 0, bounded by ±DBL_MAX; a value v falls in the
 * first bucket whose limit is greater than v; runs of empty buckets are merged when encoded.
 */
import type { HistogramProto } from './proto';

let defaultLimits: Float64Array | undefined;

/** TensorFlow's default bucket limits, ascending: -DBL_MAX, …, -1e-12, 0, 1e-12, …, DBL_MAX. */
export function defaultBucketLimits(): Float64Array {
  if (!defaultLimits) {
    const positive: number[] = [];
    for (let v = 1.0e-12; v < 1.0e20; v *= 1.1) positive.push(v);
    positive.push(Number.MAX_VALUE);
    const negative = positive.map((v) => -v).reverse();
    defaultLimits = Float64Array.from([...negative, 0, ...positive]);
  }
  return defaultLimits;
}

/** The index of the first limit greater than v (std::upper_bound). */
function bucketOf(limits: Float64Array, v: number): number {
  let lo = 0;
  let hi = limits.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (limits[mid]! > v) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** How many of `values` are NaN or infinite (which a histogram cannot hold). */
export function countNonFinite(values: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) n++;
  return n;
}

/**
 * The HistogramProto of `values` with TensorFlow's default buckets, summed in float64 in the
 * values' order as TensorFlow does. NaN or ±Infinity is a RangeError, as TensorFlow's "Nan in
 * summary histogram" is.
 */
export function histogramOf(values: ArrayLike<number>, what = 'histogram'): HistogramProto {
  if (values === null || typeof values !== 'object' || typeof values.length !== 'number') {
    throw new TypeError(`${what}: Expected an array of numbers but received ${String(values)}`);
  }
  const bad = countNonFinite(values);
  if (bad > 0) throw new RangeError(`${what}: Expected finite values but received ${bad} NaN or infinite of ${values.length}`);
  const limits = defaultBucketLimits();
  const counts = new Float64Array(limits.length);
  // An empty histogram has TensorFlow's initial bounds: min DBL_MAX, max -DBL_MAX.
  let min = Number.MAX_VALUE;
  let max = -Number.MAX_VALUE;
  let sum = 0;
  let sumSquares = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    // DBL_MAX itself has no limit above it (TensorFlow reads past the end): the last bucket.
    counts[Math.min(bucketOf(limits, v), limits.length - 1)]!++;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    sumSquares += v * v;
  }
  // Histogram::EncodeToProto without preserve_zero_buckets: a run of empty buckets becomes one,
  // carrying the limit of the run's last bucket.
  const bucketLimit: number[] = [];
  const bucket: number[] = [];
  for (let i = 0; i < counts.length;) {
    let end = limits[i]!;
    let count = counts[i]!;
    let j = i + 1;
    while (count <= 0 && j < counts.length && counts[j]! <= 0) {
      end = limits[j]!;
      count = counts[j]!;
      j++;
    }
    bucketLimit.push(end);
    bucket.push(count);
    i = j;
  }
  return { min, max, num: values.length, sum, sum_squares: sumSquares, bucket_limit: bucketLimit, bucket };
}

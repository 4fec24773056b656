// What the ranks of the collective tests contribute, and how results are compared: shared by
// the rank scripts (plain CommonJS, run by mpirun) and the test files that check them.
'use strict';

/** Rank r's contribution of n elements: distinct per rank and element, signs and magnitudes mixed. */
function contribution(rank, n, Type = Float32Array) {
  const out = new Type(n);
  for (let i = 0; i < n; i++) out[i] = Math.sin(i * 0.618 + rank * 1.7) * (1 + ((i * 7 + rank * 3) % 11)) * 0.37;
  return out;
}

/** FNV-1a over the bytes of a typed array: equal digests mean equal bits. */
function digest(array) {
  const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i];
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return `${h.toString(16)}:${array.length}`;
}

/** The single-process answer: contributions of ranks 0 … size−1 combined in rank order, in Type's precision. */
function expected(op, size, n, Type = Float32Array) {
  const out = contribution(0, n, Type);
  for (let r = 1; r < size; r++) {
    const part = contribution(r, n, Type);
    for (let i = 0; i < n; i++) {
      if (op === 'max') out[i] = Math.max(out[i], part[i]);
      else if (op === 'min') out[i] = Math.min(out[i], part[i]);
      else out[i] += part[i];
    }
  }
  if (op === 'mean') for (let i = 0; i < n; i++) out[i] /= size;
  return out;
}

/** The exact (float64) sum of the contributions, for the error of orders other than rank order. */
function exactSum(size, n) {
  const out = new Float64Array(n);
  for (let r = 0; r < size; r++) {
    const part = contribution(r, n, Float32Array);
    for (let i = 0; i < n; i++) out[i] += part[i];
  }
  return out;
}

/** Σ|x_r| per element: the scale of the float32 summation error bound. */
function absSum(size, n) {
  const out = new Float64Array(n);
  for (let r = 0; r < size; r++) {
    const part = contribution(r, n, Float32Array);
    for (let i = 0; i < n; i++) out[i] += Math.abs(part[i]);
  }
  return out;
}

const SIZES = [0, 1, 7, 1_000_000];

/** SyncBatchNorm cases: each rank's rows (uneven on purpose in one), channels and length. */
const BN_CASES = {
  '2d': { rows: [4, 4], c: 3, hw: 1 },
  uneven: { rows: [5, 2], c: 2, hw: 1 },
  '3d': { rows: [3, 3], c: 2, hw: 4 },
};

/** A rank's input rows for a case: an offset and a spread per channel, so statistics matter. */
function bnInput(name, rank) {
  const { rows, c, hw } = BN_CASES[name];
  const n = rows[rank];
  const out = new Float64Array(n * c * hw);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < c; j++) {
      for (let k = 0; k < hw; k++) out[(i * c + j) * hw + k] = 3 * j - 1 + (1 + j) * Math.sin(1.3 * i + 0.7 * k + 2.1 * rank + j);
    }
  }
  return out;
}

/** The upstream gradient dL/dy of a rank's rows (the loss is Σ dy·y). */
function bnUpstream(name, rank) {
  const { rows, c, hw } = BN_CASES[name];
  const out = new Float64Array(rows[rank] * c * hw);
  for (let e = 0; e < out.length; e++) out[e] = Math.cos(0.9 * e + 1.7 * rank) - 0.2;
  return out;
}

module.exports = { contribution, digest, expected, exactSum, absSum, SIZES, BN_CASES, bnInput, bnUpstream };

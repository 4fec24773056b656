#!/usr/bin/env node
// The accuracy sweep of the vector transcendental kernels: every float32 bit pattern (or every
// k-th, `node bench/elementwise-accuracy.js 97`), on each SIMD path, against float64 Math.
// Prints, per kernel and path, the largest relative error (|y − f(x)| / max(|f(x)|, FLT_MIN),
// so denormal results count in units of the smallest normal), the largest absolute error, and
// where each occurred. The full sweep takes a few minutes per kernel and path.
'use strict';
const { loadAddon } = require('../dist/backend/addon');

const FLT_MIN = 2 ** -126;
const ORACLES = {
  exp: Math.exp,
  log: Math.log,
  tanh: Math.tanh,
  sigmoid: (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))),
};

function sweep(kernel, oracle, stride) {
  const chunk = 1 << 22;
  const bits = new Uint32Array(chunk);
  const x = new Float32Array(bits.buffer);
  const y = new Float32Array(chunk);
  const worst = { rel: 0, relAt: NaN, abs: 0, absAt: NaN, count: 0, mismatchedSpecials: 0 };
  for (let start = 0; start < 2 ** 32; start += chunk * stride) {
    const length = Math.min(chunk, Math.ceil((2 ** 32 - start) / stride));
    for (let i = 0; i < length; i++) bits[i] = start + i * stride;
    kernel(x.subarray(0, length), y.subarray(0, length));
    for (let i = 0; i < length; i++) {
      const v = x[i];
      const expected = oracle(v);
      const actual = y[i];
      if (Number.isNaN(v) || !Number.isFinite(expected) || !Number.isFinite(actual)) {
        if (!Object.is(actual, Math.fround(expected)) && !(Number.isNaN(actual) && Number.isNaN(expected))) {
          worst.mismatchedSpecials++;
        }
        continue;
      }
      worst.count++;
      const abs = Math.abs(actual - expected);
      const rel = abs / Math.max(Math.abs(expected), FLT_MIN);
      if (rel > worst.rel) Object.assign(worst, { rel, relAt: v });
      if (abs > worst.abs) Object.assign(worst, { abs, absAt: v });
    }
  }
  return worst;
}

function main() {
  const stride = Number(process.argv[2] ?? 1);
  const addon = loadAddon().addon;
  if (!addon) throw new Error('bench: the native addon is not available');
  // The avx512 level runs these kernels' AVX2 code: the avx2 row covers it.
  const paths = addon.detectedSimd === 'portable' ? ['portable'] : ['avx2', 'portable'];
  console.log(`sweep of every ${stride === 1 ? '' : `${stride}th `}float32 bit pattern against float64 Math`);
  console.log('| kernel | path | inputs | max relative error (at x) | max absolute error (at x) | special-value mismatches |');
  console.log('|---|---|---:|---|---|---:|');
  for (const [name, oracle] of Object.entries(ORACLES)) {
    for (const path of paths) {
      addon.simdLevel(path);
      const w = sweep(addon[name], oracle, stride);
      console.log(`| ${name} | ${path} | ${w.count} | ${w.rel.toExponential(3)} (${w.relAt}) | ${w.abs.toExponential(3)} (${w.absAt}) | ${w.mismatchedSpecials} |`);
    }
  }
  addon.simdLevel(addon.detectedSimd);
}

main();

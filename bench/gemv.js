#!/usr/bin/env node
// node bench/gemv.js — small-m SGEMM on the native backend, one thread: the products of batch-1
// inference (the MLP's Linear layers, x·Wᵀ with W stored [out, in], so transB; the LSTM's
// recurrent product, beta 1) at m = 1..12, their NN and TN forms, and gemmBiasActivation. Median
// µs per call over 7 samples of at least 0.05 s each, per SIMD level this CPU has (or those given
// with --simd avx512,avx2,portable). Timings live here, never in tests.
//   --cases REGEX   only the rows whose name matches
'use strict';
const { nativeBackend, nativeInfo, setNumThreads, setSimdLevel } = require('../dist');
const { median, sampleCall } = require('./timing');

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}
const CASES = new RegExp(option('--cases', ''));
const LEVELS = option('--simd', (nativeInfo().simdLevels ?? ['portable']).join(',')).split(',');

// [name, transA, transB, m, n, k, beta, epilogue]
const cases = [];
for (const m of [1, 2, 4, 8, 12]) cases.push([`NT ${m}×784·(256×784)ᵀ`, false, true, m, 256, 784, 0, false]);
cases.push(['NT 1×784·(256×784)ᵀ bias+relu', false, true, 1, 256, 784, 0, true]);
cases.push(['NT 1×256·(128×256)ᵀ bias+relu', false, true, 1, 128, 256, 0, true]);
cases.push(['NT 1×128·(10×128)ᵀ bias', false, true, 1, 10, 128, 0, true]);
cases.push(['NT 1×256·(1024×256)ᵀ beta 1 (LSTM)', false, true, 1, 1024, 256, 1, false]);
cases.push(['NT 1×17·(300×17)ᵀ', false, true, 1, 300, 17, 0, false]);
cases.push(['NT 4×2048·(2048×2048)ᵀ', false, true, 4, 2048, 2048, 0, false]);
// Short k: one vector (or less) per dot product, then the reduction and write-back of each.
cases.push(['NT 8×16·(3000×16)ᵀ', false, true, 8, 3000, 16, 0, false]);
cases.push(['NT 4×8·(1000×8)ᵀ', false, true, 4, 1000, 8, 0, false]);
cases.push(['NT 8×32·(256×32)ᵀ', false, true, 8, 256, 32, 0, false]);
cases.push(['TT 1×784·(256×784)ᵀ', true, true, 1, 256, 784, 0, false]);
for (const m of [1, 4, 8, 12]) cases.push([`NN ${m}×784·784×256`, false, false, m, 256, 784, 0, false]);
cases.push(['NN 1×2048·2048×2048', false, false, 1, 2048, 2048, 0, false]);
cases.push(['TN 1×784·784×256', true, false, 1, 256, 784, 0, false]);

setNumThreads(1);
const fill = (n) => Float32Array.from({ length: n }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
const rows = [];
for (const level of LEVELS) {
  setSimdLevel(level);
  const native = nativeBackend();
  for (const [name, transA, transB, m, n, k, beta, epilogue] of cases) {
    if (!CASES.test(name)) continue;
    const a = fill(m * k), b = fill(k * n), bias = fill(n), c = new Float32Array(m * n);
    const call = epilogue
      ? () => native.gemmBiasActivation(transA, transB, m, n, k, a, b, bias, 'relu', 0, c)
      : () => native.gemm(transA, transB, m, n, k, 1, a, b, beta, c);
    for (let i = 0; i < 20; i++) call();
    const us = median(Array.from({ length: 7 }, () => sampleCall(call, 0.05).seconds)) * 1e6;
    rows.push({ level, name, us });
    process.stdout.write(`${level.padEnd(8)} ${name.padEnd(40)} ${us.toFixed(2).padStart(9)} µs\n`);
  }
}

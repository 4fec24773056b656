#!/usr/bin/env node
// `npm run bench`: each kernel of the contract, native (each SIMD path) against the reference
// backend, side by side in one run. Prints the machine, the thread count and a table of median
// times with the speed-up over the reference. The cases live in bench/kernels/<area>.js.
// Timings live here, never in tests.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { getNumThreads, nativeBackend, nativeInfo, referenceBackend, setSimdLevel } = require('../dist');
const { median } = require('./timing');


/** Median milliseconds of fn over enough repetitions to fill about `budgetMs`. */
function time(fn, budgetMs) {
  fn(); // warm-up
  const start = performance.now();
  fn();
  const once = Math.max(performance.now() - start, 1e-3);
  const reps = Math.max(3, Math.min(200, Math.round(budgetMs / once)));
  const samples = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  return median(samples);
}

/** The inputs a case names: { name: length } → Float32Arrays in [-1, 1) (negative: Uint32Array). */
function makeData(spec, seed) {
  const data = {};
  for (const [name, length] of Object.entries(spec)) {
    if (length < 0) {
      data[name] = new Uint32Array(-length);
    } else {
      data[name] = new Float32Array(length);
      referenceBackend.fillUniform(data[name], seed++, 0, -1, 1);
    }
  }
  return data;
}

function loadCases() {
  const dir = path.join(__dirname, 'kernels');
  const only = process.argv[2];
  return fs.readdirSync(dir).filter((f) => f.endsWith('.js') && (!only || f === `${only}.js`)).sort()
    .flatMap((f) => require(path.join(dir, f)));
}

function main() {
  const info = nativeInfo();
  if (!info.available) {
    console.error(`bench: the native addon is not available: ${info.error}`);
    process.exit(1);
  }
  // Every level this CPU runs: on avx512 only gemm has code of its own, the rest repeat avx2.
  const paths = info.simdLevels;
  console.log(`machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, ${os.platform()}-${os.arch()}, Node ${process.version}`);
  console.log(`threads: ${getNumThreads()} for gemm (TENSORGRAD_NUM_THREADS); every other kernel runs on 1\n`);
  const header = ['kernel', 'reference ms', ...paths.flatMap((p) => [`native ${p} ms`, `${p} speed-up`]), 'best rate'];
  const rows = [];
  for (const c of loadCases()) {
    const data = makeData(c.data, 1);
    const reference = time(() => c.run(referenceBackend, data), 1000);
    const row = [c.name, reference.toFixed(3)];
    let best = Infinity;
    for (const p of paths) {
      setSimdLevel(p);
      const native = time(() => c.run(nativeBackend(), data), 300);
      best = Math.min(best, native);
      row.push(native.toFixed(3), `${(reference / native).toFixed(1)}x`);
    }
    row.push(c.flops ? `${(c.flops / best / 1e6).toFixed(1)} GFLOPS` : `${(c.bytes / best / 1e6).toFixed(1)} GB/s`);
    rows.push(row);
  }
  setSimdLevel(info.detectedSimd);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => `| ${cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
  for (const row of rows) console.log(line(row));
}

main();

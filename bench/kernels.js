#!/usr/bin/env node
// `npm run bench`: each kernel of the contract, native (each SIMD path) against the reference
// backend, side by side in one run. Prints the machine, the thread count and a table of median
// times with the speed-up over the reference. Timings live here, never in tests.
'use strict';
const os = require('node:os');
const { performance } = require('node:perf_hooks');
const { nativeBackend, nativeInfo, referenceBackend, setSimdLevel } = require('../dist');

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Median milliseconds of fn over enough repetitions to fill about `budgetMs`. */
function time(fn, budgetMs = 300) {
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

function filled(n, seed) {
  const x = new Float32Array(n);
  referenceBackend.fillUniform(x, seed, 0, -1, 1);
  return x;
}

const N = 1 << 20;
const G = 256;
const cases = [
  { name: `gemm ${G}x${G}x${G}`, flops: 2 * G * G * G, run: (b, d) => b.gemm(false, false, G, G, G, 1, d.a, d.b, 0, d.c) },
  { name: `gemm ${G}x${G}x${G} (B transposed)`, flops: 2 * G * G * G, run: (b, d) => b.gemm(false, true, G, G, G, 1, d.a, d.b, 0, d.c) },
  { name: 'add 1M', bytes: 12 * N, run: (b, d) => b.add(d.x, d.y, d.out) },
  { name: 'mul 1M', bytes: 12 * N, run: (b, d) => b.mul(d.x, d.y, d.out) },
  { name: 'relu 1M', bytes: 8 * N, run: (b, d) => b.relu(d.x, d.out) },
  { name: 'reluBackward 1M', bytes: 12 * N, run: (b, d) => b.reluBackward(d.x, d.y, d.out) },
  { name: 'rowSum 1024x1024', bytes: 4 * N, run: (b, d) => b.rowSum(d.x, 1024, 1024, d.rows) },
  { name: 'colSum 1024x1024', bytes: 4 * N, run: (b, d) => b.colSum(d.x, 1024, 1024, d.rows) },
  { name: 'randomBits 1M', bytes: 4 * N, run: (b, d) => b.randomBits(d.bits, 1, 0) },
  { name: 'fillUniform 1M', bytes: 4 * N, run: (b, d) => b.fillUniform(d.out, 1, 0, 0, 1) },
  { name: 'fillNormal 1M', bytes: 4 * N, run: (b, d) => b.fillNormal(d.out, 1, 0, 0, 1) },
];

function main() {
  const info = nativeInfo();
  if (!info.available) {
    console.error(`bench: the native addon is not available: ${info.error}`);
    process.exit(1);
  }
  const data = {
    a: filled(G * G, 1), b: filled(G * G, 2), c: new Float32Array(G * G),
    x: filled(N, 3), y: filled(N, 4), out: new Float32Array(N), rows: new Float32Array(1024),
    bits: new Uint32Array(N),
  };
  const paths = info.detectedSimd === 'avx2' ? ['avx2', 'portable'] : ['portable'];
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  console.log(`machine: ${cpu}, ${os.cpus().length} cores, ${os.platform()}-${os.arch()}, Node ${process.version}`);
  console.log('threads: 1 (the kernels of this release are single-threaded)\n');
  const header = ['kernel', 'reference ms', ...paths.flatMap((p) => [`native ${p} ms`, `${p} speed-up`]), 'best rate'];
  const rows = [];
  for (const c of cases) {
    const reference = time(() => c.run(referenceBackend, data), 1000);
    const row = [c.name, reference.toFixed(3)];
    let best = Infinity;
    for (const p of paths) {
      setSimdLevel(p);
      const native = time(() => c.run(nativeBackend(), data));
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

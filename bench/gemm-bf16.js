#!/usr/bin/env node
// `npm run bench:gemm-bf16`: the bfloat16 GEMM (native/kernels/gemm_bf16.h, C++ functions not yet
// registered with the addon) against tensorgrad's SGEMM on bench:gemm's shapes
// (bench/gemm-shapes.js), 1 and 2 threads, in one process with their samples alternating
// (bench/gemm-bf16.cc, compiled here with the addon's flags). Columns: SGEMM, bf16 (AVX-512 BF16
// vdpbf16ps where the CPU has it) and bf16 emulated (the same bits without the BF16 instructions),
// GFLOPS = 2·m·n·k per call, with fractions of the measured peak of one core times the threads
// (bench/openblas/fma_peak.c: zmm FMAs for SGEMM, vdpbf16ps for bf16, the FMA peak for the
// emulation, which runs FMAs). Prints the CPU, the load average and a Markdown table; saves it
// as bench/results/gemm-bf16.{json,md}.
//   --cases REGEX   only the shapes whose name matches (not saved)
//   --threads 1,2   the thread counts (not saved unless 1,2)
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { buildNativeProgram, compilerMissing, GEMM_BF16_SOURCES } = require('../scripts/build-native-program');
const { gemmCases } = require('./gemm-shapes');
const { hasAvx512Bf16, loadAverage, machineLine, measurePeaks } = require('./peak');

const SAMPLES = 7;
const MIN_SECONDS = 0.03;

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

function main() {
  const missing = compilerMissing();
  if (missing) {
    console.error(`bench:gemm-bf16: cannot build the harness: ${missing}`);
    process.exit(1);
  }
  const cases = gemmCases().filter((c) => new RegExp(option('--cases', '')).test(c.name));
  const threadCounts = option('--threads', '1,2').split(',').map(Number);
  if (threadCounts.some((t) => !Number.isInteger(t) || t < 1)) {
    throw new RangeError(`bench:gemm-bf16: Expected thread counts such as 1,2 for --threads but received ${option('--threads')}`);
  }
  const partial = process.argv.includes('--cases') || threadCounts.join(',') !== '1,2';
  const bf16 = hasAvx512Bf16();
  const peaks = measurePeaks(['avx512', ...(bf16 ? ['avx512bf16'] : [])]);
  const machine = machineLine();
  const loadBefore = loadAverage();
  const { dir, binary } = buildNativeProgram('bench/gemm-bf16.cc', GEMM_BF16_SOURCES);
  const rows = [];
  try {
    for (const threads of threadCounts) {
      const shapeArgs = cases.flatMap((c) => [c.transA ? 1 : 0, c.transB ? 1 : 0, c.m, c.n, c.k].map(String));
      const run = spawnSync(binary, [String(threads), String(SAMPLES), String(MIN_SECONDS), ...shapeArgs], { encoding: 'utf8' });
      if (run.status !== 0) throw new Error(`bench:gemm-bf16: the harness failed: ${run.stderr}`);
      run.stdout.trim().split('\n').forEach((line, i) => {
        const [, , , , , sgemm, half, emulated, hardware] = line.split(' ').map(Number);
        const c = cases[i];
        const flops = 2 * c.m * c.n * c.k;
        const row = { case: c.name, m: c.m, n: c.n, k: c.k, threads, hardware: hardware === 1,
          sgemm: flops / sgemm / 1e9, bf16: flops / half / 1e9, emulated: flops / emulated / 1e9 };
        rows.push(row);
        process.stderr.write(`  ${threads}T ${c.name}: SGEMM ${row.sgemm.toFixed(1)}, bf16 ${row.bf16.toFixed(1)}, emulated ${row.emulated.toFixed(1)} GFLOPS\n`);
      });
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const loadAfter = loadAverage();
  const bf16Peak = peaks.avx512bf16 ?? peaks.avx512;
  const of = (g, peak, threads) => `${((100 * g) / (peak * threads)).toFixed(0)}%`;
  const header = ['case', 'm×n×k', 'threads', 'SGEMM GFLOPS', 'of FMA peak', 'bf16 GFLOPS', 'of bf16 peak', 'bf16 / SGEMM',
    'bf16 emulated GFLOPS', 'of FMA peak'];
  const cells = rows.map((r) => [r.case, `${r.m}×${r.n}×${r.k}`, String(r.threads), r.sgemm.toFixed(1), of(r.sgemm, peaks.avx512, r.threads),
    r.bf16.toFixed(1), of(r.bf16, bf16Peak, r.threads), (r.bf16 / r.sgemm).toFixed(2), r.emulated.toFixed(1), of(r.emulated, peaks.avx512, r.threads)]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i].length)));
  const line = (row) => `| ${row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join(' | ')} |`;
  const markdown = [
    '# bfloat16 GEMM against SGEMM (tensorgrad, C++ harness)',
    '',
    `machine: ${machine}; threads: ${threadCounts.join(' and ')} (setNumThreads)`,
    `load average (1, 5, 15 min) before: ${loadBefore}; after: ${loadAfter}`,
    `peak per core (bench/openblas/fma_peak.c): FMA (zmm) ${peaks.avx512.toFixed(1)} GFLOPS` +
      (peaks.avx512bf16 ? `, vdpbf16ps ${peaks.avx512bf16.toFixed(1)} GFLOPS` : ' (no AVX-512 BF16: bf16 is the emulation, against the FMA peak)'),
    `bf16 ran on ${bf16 ? 'AVX-512 BF16 (vdpbf16ps)' : 'the emulation'}; flops = 2·m·n·k per call; "of peak" = GFLOPS / (peak × threads); ` +
      `median of ${SAMPLES} samples of ≥ ${MIN_SECONDS * 1000} ms per cell, the three columns alternating; operands float32, rounded to bfloat16 while packed`,
    '',
    line(header),
    `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
    ...cells.map(line),
    '',
  ].join('\n');
  console.log(`\n${markdown}`);
  if (partial) {
    console.log('(a partial run, --cases or --threads: not saved)');
    return;
  }
  const { writeFileAtomic } = require('../dist/io/atomic');
  const results = path.join(__dirname, 'results');
  fs.mkdirSync(results, { recursive: true });
  const json = { date: new Date().toISOString(), machine, loadBefore, loadAfter, peaks, samples: SAMPLES, minSeconds: MIN_SECONDS, rows };
  writeFileAtomic(path.join(results, 'gemm-bf16.json'), Buffer.from(`${JSON.stringify(json, null, 2)}\n`));
  writeFileAtomic(path.join(results, 'gemm-bf16.md'), Buffer.from(markdown));
  console.log('saved bench/results/gemm-bf16.md and gemm-bf16.json');
}

main();

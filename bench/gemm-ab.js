#!/usr/bin/env node
// Two builds of the addon side by side in one process, for a change to the GEMM:
//   node bench/gemm-ab.js bits OLD.node [NEW.node]   every path's bits, old against new
//   node bench/gemm-ab.js time OLD.node [NEW.node]   bench:gemm's shapes, samples interleaved
//     (GEMM_AB_CASES=regex picks the shapes, GEMM_AB_THREADS=1 the thread counts, comma-separated,
//     GEMM_AB_ROUNDS the passes over all cells, GEMM_AB_SAMPLES the samples per cell and pass)
//   node bench/gemm-ab.js once FILE.node SIMD CASE REPS   one shape only (for callgrind)
// NEW defaults to build/Release/tensorgrad.node. Build the old one from its commit elsewhere
// (git worktree add /tmp/gemm-old REV && cd /tmp/gemm-old && npm ci). "time" runs every SIMD
// level with a GEMM kernel of its own on 1 and 2 threads, alternating old and new samples so a
// burst of load from the other processes on a shared machine hits both alike, in several passes
// so each cell's samples spread over the run; it prints the CPU, the measured FMA peak, the load
// average before and after, and the cells that miss "within 3%".
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { gemmCases } = require('./gemm-shapes');
const { loadAverage, machineLine, measurePeaks } = require('./peak');
const { median, sampleCall } = require('./timing');

const SAMPLES = Number(process.env.GEMM_AB_SAMPLES ?? 5);
const ROUNDS = Number(process.env.GEMM_AB_ROUNDS ?? 3);
const MIN_SECONDS = 0.03;

function load(file) {
  if (!fs.existsSync(file)) throw new Error(`gemm-ab: Expected an addon file but received ${file}`);
  const addon = require(path.resolve(file));
  if (typeof addon.gemm === 'function' || typeof addon.bindKernel !== 'function') return addon;
  // An addon of the declared registration (after 2b96ddd) exports no gemm: bind its entry to the
  // declaration's plan, as the native backend does, so its argument checks are timed as well.
  const { planOf } = require('../dist/backend/registry');
  return Object.assign(Object.create(addon), { gemm: addon.bindKernel('gemm:float32', planOf('gemm', 'float32')) });
}

/** Values in [-1, 1) from a fixed LCG: both builds see the same inputs. */
function randomArray(length, seed) {
  const x = new Float32Array(length);
  let s = seed >>> 0;
  for (let i = 0; i < length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    x[i] = (s >>> 8) / 8388608 - 1;
  }
  return x;
}

const levelsOf = (addon) => {
  const all = ['avx512', 'avx2', 'portable'];
  return all.slice(all.indexOf(addon.detectedSimd));
};

// Products along every path: the tile and block edges, the in-place and C^T paths, k blocks.
function bitCases() {
  const shapes = [
    [1, 1, 1], [2, 3, 5], [5, 9, 17], [7, 17, 385], [12, 33, 770], [13, 31, 600], [25, 47, 385],
    [40, 40, 800], [37, 33, 150], [23, 30, 90], [128, 10, 128], [64, 6, 900], [600, 10, 200],
    [320, 22, 800], [300, 13, 800], [256, 3, 100], [272, 2, 30], [131, 1, 77], [1, 131, 77],
    [241, 9, 20], [245, 35, 400], [5, 3073, 3], [481, 65, 400], [485, 97, 20], [128, 256, 784],
    [784, 256, 128], [128, 784, 256], [128, 128, 256], [256, 128, 128], [128, 128, 10],
    [250, 300, 260], [97, 3100, 30], [20, 30, 1500], [64, 64, 64], [300, 300, 300],
  ];
  const list = [];
  for (const [m, n, k] of shapes) {
    for (const [transA, transB] of [[false, false], [true, false], [false, true], [true, true]]) {
      list.push({ m, n, k, transA, transB });
    }
  }
  return list;
}

function runBits(oldAddon, newAddon) {
  let compared = 0;
  let differing = 0;
  for (const level of levelsOf(newAddon)) {
    for (const threads of [1, 2]) {
      for (const addon of [oldAddon, newAddon]) {
        addon.simdLevel(level);
        addon.setNumThreads(threads);
      }
      for (const c of bitCases()) {
        const seed = c.m * 7919 + c.n * 31 + c.k + (c.transA ? 1 : 0) + (c.transB ? 2 : 0);
        const a = randomArray(c.m * c.k, seed);
        const b = randomArray(c.k * c.n, seed + 1);
        const c0 = randomArray(c.m * c.n, seed + 2);
        const bias = randomArray(c.n, seed + 3);
        const calls = [
          (x, out) => x.gemm(c.transA, c.transB, c.m, c.n, c.k, 1, a, b, 0, out),
          (x, out) => x.gemm(c.transA, c.transB, c.m, c.n, c.k, -0.75, a, b, 0.5, out),
          (x, out) => x.gemm(c.transA, c.transB, c.m, c.n, c.k, 1, a, b, 1, out),
          (x, out) => x.gemmBiasActivation(c.transA, c.transB, c.m, c.n, c.k, a, b, bias, 'relu', 0, out),
          (x, out) => x.gemmBiasActivation(c.transA, c.transB, c.m, c.n, c.k, a, b, bias, 'leakyRelu', 0.1, out),
          (x, out) => x.gemmBiasActivation(c.transA, c.transB, c.m, c.n, c.k, a, b, bias, 'none', 0, out),
        ];
        calls.forEach((call, i) => {
          const before = c0.slice();
          const after = c0.slice();
          call(oldAddon, before);
          call(newAddon, after);
          const x = new Uint32Array(before.buffer);
          const y = new Uint32Array(after.buffer);
          let bad = 0;
          for (let j = 0; j < x.length; j++) if (x[j] !== y[j]) bad++;
          compared++;
          if (bad) {
            differing++;
            console.log(`differ: ${level} ${threads}T ${c.m}x${c.n}x${c.k} ${c.transA ? 'T' : 'N'}${c.transB ? 'T' : 'N'} call ${i}: ${bad} of ${x.length} elements`);
          }
        });
      }
    }
  }
  console.log(`${compared} products compared on ${levelsOf(newAddon).join(', ')} x 1, 2 threads: ${differing} differ`);
  return differing === 0;
}

function inputs(c) {
  return { a: randomArray(c.m * c.k, 1), b: randomArray(c.k * c.n, 2), c: randomArray(c.m * c.n, 3) };
}

function runTime(oldAddon, newAddon) {
  const levels = levelsOf(newAddon).filter((l) => l !== 'portable');
  const pick = new RegExp(process.env.GEMM_AB_CASES ?? '');
  const threadCounts = (process.env.GEMM_AB_THREADS ?? '1,2').split(',').map(Number);
  const cases = gemmCases().filter((x) => pick.test(x.name));
  const peaks = measurePeaks(levels);
  const loadBefore = loadAverage();
  console.log(`machine: ${machineLine()}`);
  console.log(`FMA peak per core (bench/openblas/fma_peak.c): ${levels.map((l) => `${l} ${peaks[l].toFixed(1)} GFLOPS`).join(', ')}`);
  console.log(`threads: ${threadCounts.join(', ')} (setNumThreads on both builds); load average before: ${loadBefore}`);
  // cell key → { old: [seconds], new: [seconds] }; every round adds SAMPLES to each cell, so a
  // cell's samples are spread over the whole run, not one burst of it.
  const samples = new Map();
  const key = (threads, c, level) => `${threads}|${c.name}|${level}`;
  for (let round = 0; round < ROUNDS; round++) {
    for (const threads of threadCounts) {
      for (const c of cases) {
        const d = inputs(c);
        for (const level of levels) {
          if (!samples.has(key(threads, c, level))) samples.set(key(threads, c, level), { old: [], new: [], oldCpu: [], newCpu: [] });
          const times = samples.get(key(threads, c, level));
          const sides = [['old', oldAddon], ['new', newAddon]];
          for (const [, addon] of sides) {
            addon.simdLevel(level);
            addon.setNumThreads(threads);
            addon.gemm(c.transA, c.transB, c.m, c.n, c.k, 1, d.a, d.b, 0, d.c);
          }
          for (let s = 0; s < SAMPLES; s++) {
            // Alternate which goes first, so neither always runs on a cache the other warmed.
            const order = s % 2 ? sides : [...sides].reverse();
            for (const [name, addon] of order) {
              const one = sampleCall(() => addon.gemm(c.transA, c.transB, c.m, c.n, c.k, 1, d.a, d.b, 0, d.c), MIN_SECONDS);
              times[name].push(one.seconds);
              times[`${name}Cpu`].push(one.seconds * one.cores); // CPU seconds per call: time preempted not counted
            }
          }
        }
      }
      process.stderr.write(`  round ${round + 1}/${ROUNDS}, ${threads} thread(s) done; load average ${loadAverage()}\n`);
    }
  }
  const rows = [];
  for (const threads of threadCounts) {
    for (const c of cases) {
      const flops = 2 * c.m * c.n * c.k;
      const row = { name: c.name, threads, cells: {} };
      for (const level of levels) {
        const times = samples.get(key(threads, c, level));
        const best = (list) => Math.min(...list);
        row.cells[level] = {
          old: flops / median(times.old) / 1e9, new: flops / median(times.new) / 1e9,
          bestRatio: best(times.old) / best(times.new),
          cpuRatio: median(times.oldCpu) / median(times.newCpu),
        };
        row.cells[level].ratio = row.cells[level].new / row.cells[level].old;
      }
      rows.push(row);
    }
  }
  const ofPeak = (g, level, threads) => `${((100 * g) / (peaks[level] * threads)).toFixed(0)}%`;
  const header = ['case', 'threads', ...levels.flatMap((l) => [`${l} old`, `${l} new`, 'of peak', 'new/old', 'best/best', 'cpu'])];
  const cells = rows.map((r) => [r.name, String(r.threads), ...levels.flatMap((l) => [
    r.cells[l].old.toFixed(1), r.cells[l].new.toFixed(1), ofPeak(r.cells[l].new, l, r.threads),
    r.cells[l].ratio.toFixed(3), r.cells[l].bestRatio.toFixed(3), r.cells[l].cpuRatio.toFixed(3)])]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i].length)));
  const line = (row) => `| ${row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join(' | ')} |`;
  console.log(`GFLOPS (2·m·n·k per call), median of ${ROUNDS} rounds × ${SAMPLES} interleaved samples of ≥ ${MIN_SECONDS * 1000} ms, ` +
    'alpha 1, beta 0; of peak: new / (FMA peak of that level × threads); new/old: of the medians, best/best: of the fastest ' +
    'samples (the ones least disturbed by other load), cpu: of the median CPU seconds per call (time the process was ' +
    'preempted not counted; on 2 threads it includes the workers\' spinning)');
  console.log(line(header));
  console.log(`|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
  for (const row of cells) console.log(line(row));
  // A row misses the 3% target when all three of its ratios are below 0.97.
  const misses = rows.flatMap((r) => levels.filter((l) => Math.max(r.cells[l].ratio, r.cells[l].bestRatio, r.cells[l].cpuRatio) < 0.97)
    .map((l) => `${r.threads}T ${r.name} ${l}`));
  const ratios = rows.flatMap((r) => levels.map((l) => r.cells[l].ratio));
  console.log(`new/old over all ${ratios.length} cells: min ${Math.min(...ratios).toFixed(3)}, max ${Math.max(...ratios).toFixed(3)}; ` +
    `below 0.97 on all three ratios: ${misses.length ? misses.join(', ') : 'none'}`);
  console.log(`load average after: ${loadAverage()}`);
}

/** One shape, REPS calls, nothing else timed: for valgrind --tool=callgrind --toggle-collect. */
function runOnce(addon, level, name, reps) {
  const c = gemmCases().find((x) => x.name === name);
  if (!c) throw new Error(`gemm-ab: Expected one of ${gemmCases().map((x) => x.name).join(', ')} but received ${name}`);
  addon.simdLevel(level);
  addon.setNumThreads(1);
  const d = inputs(c);
  for (let i = 0; i < reps; i++) addon.gemm(c.transA, c.transB, c.m, c.n, c.k, 1, d.a, d.b, 0, d.c);
}

function main() {
  const [mode, first, second, ...rest] = process.argv.slice(2);
  const fallback = path.join(__dirname, '..', 'build', 'Release', 'tensorgrad.node');
  if (mode === 'bits' || mode === 'time') {
    if (!first) throw new Error('gemm-ab: Expected the old addon file as the second argument');
    const oldAddon = load(first);
    const newAddon = load(second ?? fallback);
    if (mode === 'bits') process.exitCode = runBits(oldAddon, newAddon) ? 0 : 1;
    else runTime(oldAddon, newAddon);
  } else if (mode === 'once') {
    runOnce(load(first), second, rest[0], Number(rest[1] ?? 10));
  } else {
    throw new Error(`gemm-ab: Expected bits, time or once but received ${mode}`);
  }
}

main();

#!/usr/bin/env node
// Two builds of the whole library side by side in one process, for a change to the backend
// (how kernels are declared, checked and called):
//   node bench/backend-ab.js OLD_ROOT [NEW_ROOT]
// OLD_ROOT and NEW_ROOT are package roots with dist/ and build/Release built (NEW_ROOT defaults to
// this checkout); build the old one elsewhere (git worktree add /tmp/old REV && cd /tmp/old &&
// npm ci). Times bench:train's tensorgrad scenarios (the Fashion-MNIST MLP: training steps at
// batch 32, 128 and 512, with BatchNorm and Dropout, inference at 1000) and bench:gemm's products
// (squares and the MLP's layers) on 1 and 2 threads, each through the library's public calls.
// Old and new samples alternate, in several passes, so a burst of load from other processes on
// a shared machine hits both alike; each cell keeps its fastest sample (AB_STAT=median for the
// median): on a loaded machine the fastest is the one least disturbed. Prints a Markdown table
// with new/old per row, the load average before and after, and the rows outside 3%.
// AB_ROUNDS (passes, default 7), AB_SECONDS (seconds per sample, default 0.25), AB_ONLY=train|gemm|calls (tiny kernels: the cost of a call),
// AB_THREADS (comma-separated, default 1,2).
'use strict';
const os = require('node:os');
const path = require('node:path');
const { median, sampleCall } = require('./timing');
const { gemmCases } = require('./gemm-shapes');
const { model } = require('./train/model');

const ROUNDS = Number(process.env.AB_ROUNDS ?? 7);
const SECONDS = Number(process.env.AB_SECONDS ?? 0.25);
const STAT = process.env.AB_STAT === 'median' ? median : (values) => Math.min(...values);
const THREADS = (process.env.AB_THREADS ?? '1,2').split(',').map(Number);
const ONLY = process.env.AB_ONLY;

const [oldRoot, newRoot = path.join(__dirname, '..')] = process.argv.slice(2);
if (!oldRoot) {
  console.error('backend-ab: Expected OLD_ROOT (a package root with dist/ and build/Release) as the first argument');
  process.exit(1);
}
const builds = [
  { label: 'old', root: path.resolve(oldRoot) },
  { label: 'new', root: path.resolve(newRoot) },
].map((b) => ({ ...b, tg: require(path.join(b.root, 'dist')) }));
for (const b of builds) {
  if (!b.tg.nativeInfo().available) throw new Error(`backend-ab: the ${b.label} build at ${b.root} has no addon: ${b.tg.nativeInfo().error}`);
  b.tg.setBackend('native');
  b.tg.setFlushDenormal(true); // as bench:train
}

const loadAverage = () => os.loadavg().map((v) => v.toFixed(2)).join(' ');

// ---- bench:train's scenarios -------------------------------------------------------------

const fashion = builds[1].tg.data.datasets.fashionMnist().train;
const FEATURES = 784;

/** The first `count` batches of a fixed permutation, as tensors of one build. */
function batchesFor(tg, size, count) {
  const order = builds[1].tg.data.shuffledIndices(fashion.x.shape[0], 0, 0);
  const list = [];
  for (let b = 0; b < count; b++) {
    const x = new Float32Array(size * FEATURES);
    const y = new Float32Array(size);
    for (let r = 0; r < size; r++) {
      const row = order[(b * size + r) % order.length];
      x.set(fashion.x.data.subarray(row * FEATURES, (row + 1) * FEATURES), r * FEATURES);
      y[r] = fashion.y.data[row];
    }
    list.push({ x: new tg.Tensor(x, [size, FEATURES]), y: new tg.Tensor(y, [size]) });
  }
  return list;
}

/** One step of a scenario in one build, as bench/train/tensorgrad-run.js takes it. */
function trainScenario(tg, { batch, variant }) {
  tg.manualSeed(0);
  const net = model(tg, variant);
  const optimizer = new tg.optim.Adam(net.parameters(), { lr: 1e-3 });
  const pool = new tg.BufferPool();
  const params = net.parameters();
  const list = batchesFor(tg, batch, 8);
  let i = 0;
  if (variant === 'inference') {
    net.eval();
    return () => {
      pool.reclaim();
      pool.run(() => tg.noGrad(() => net.call(list[i++ % list.length].x)));
    };
  }
  return () => {
    const { x, y } = list[i++ % list.length];
    pool.reclaim();
    for (const p of params) if (p.grad) pool.give(p.grad.data);
    optimizer.zeroGrad();
    pool.run(() => tg.nn.functional.crossEntropy(net.call(x), y).backward());
    optimizer.step();
  };
}

const TRAIN = [
  { name: 'train, batch 32', batch: 32, variant: 'mlp' },
  { name: 'train, batch 128', batch: 128, variant: 'mlp' },
  { name: 'train, batch 512', batch: 512, variant: 'mlp' },
  { name: 'train, batch 128, BatchNorm + Dropout(0.5)', batch: 128, variant: 'bn-dropout' },
  { name: 'inference, batch 1000', batch: 1000, variant: 'inference' },
];

// ---- bench:gemm's products ---------------------------------------------------------------

function gemmScenario(tg, c) {
  const fill = (n, seed) => {
    const a = new Float32Array(n);
    let s = seed >>> 0;
    for (let i = 0; i < n; i++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      a[i] = (s >>> 8) / 8388608 - 1;
    }
    return a;
  };
  const a = fill(c.m * c.k, 1);
  const b = fill(c.k * c.n, 2);
  const out = new Float32Array(c.m * c.n);
  const backend = tg.nativeBackend();
  return () => backend.gemm(c.transA, c.transB, c.m, c.n, c.k, 1, a, b, 0, out);
}

// ---- the cost of a call: tiny kernels, where checking the arguments is most of the time ------

const CALLS = [
  { name: 'add, 16 floats', make: (k) => { const [a, b, o] = [new Float32Array(16), new Float32Array(16), new Float32Array(16)]; return () => k.add(a, b, o); } },
  { name: 'gemm 4×4×4', make: (k) => { const [a, b, c] = [new Float32Array(16), new Float32Array(16), new Float32Array(16)]; return () => k.gemm(false, true, 4, 4, 4, 1, a, b, 0, c); } },
  {
    name: 'adamStep, 64 floats',
    make: (k) => {
      const [p, g, m, v] = [0, 0, 0, 0].map(() => new Float32Array(64));
      return () => k.adamStep(p, g, m, v, new Float32Array(0), 1e-3, 0.9, 0.999, 1e-8, 0, false, true, 1);
    },
  },
];

/** Many calls per timed unit, so the timer's own cost does not count. */
function callScenario(tg, c) {
  const call = c.make(tg.nativeBackend());
  return () => {
    for (let i = 0; i < 1000; i++) call();
  };
}

// ---- the run -----------------------------------------------------------------------------

function cells() {
  const list = [];
  for (const threads of THREADS) {
    if (ONLY === undefined || ONLY === 'train') {
      for (const s of TRAIN) list.push({ group: 'bench:train', name: s.name, threads, make: (tg) => trainScenario(tg, s), unit: s.batch === 1000 ? 1000 : s.batch, per: 'samples/s' });
    }
    if (ONLY === undefined || ONLY === 'calls') {
      for (const c of CALLS) list.push({ group: 'calls', name: c.name, threads, make: (tg) => callScenario(tg, c), unit: 1000 / 1e6, per: 'M calls/s' });
    }
    if (ONLY === undefined || ONLY === 'gemm') {
      for (const c of gemmCases()) list.push({ group: 'bench:gemm', name: c.name, threads, make: (tg) => gemmScenario(tg, c), unit: 2 * c.m * c.n * c.k / 1e9, per: 'GFLOPS' });
    }
  }
  return list;
}

function main() {
  const before = loadAverage();
  const info = builds.map((b) => `${b.label}: ${b.root} (SIMD ${b.tg.nativeInfo().simd})`).join('; ');
  console.error(`backend-ab: ${info}; ${ROUNDS} passes of ${SECONDS} s samples; load average ${before}`);
  const list = cells();
  // Each cell's step function, made once per build (models, arrays, warm-up).
  const steps = list.map((cell) => builds.map((b) => {
    b.tg.setNumThreads(cell.threads);
    const step = cell.make(b.tg);
    for (let w = 0; w < 5; w++) step();
    return step;
  }));
  const samples = list.map(() => [[], []]);
  for (let round = 0; round < ROUNDS; round++) {
    list.forEach((cell, k) => {
      // Alternate which build goes first, so neither always follows the other.
      const order = (round + k) % 2 === 0 ? [0, 1] : [1, 0];
      for (const which of order) {
        builds[which].tg.setNumThreads(cell.threads);
        samples[k][which].push(sampleCall(steps[k][which], SECONDS).seconds);
      }
    });
    process.stderr.write(`pass ${round + 1}/${ROUNDS} done, load ${loadAverage()}\n`);
  }
  const after = loadAverage();
  const rows = list.map((cell, k) => {
    const [oldRate, newRate] = samples[k].map((s) => cell.unit / STAT(s));
    return { ...cell, oldRate, newRate, ratio: newRate / oldRate };
  });
  console.log(`CPU: ${os.cpus()[0].model}, ${os.cpus().length} cores; load average before ${before}, after ${after}`);
  console.log(`${ROUNDS} interleaved passes of ${SECONDS} s samples per cell and build, the ${STAT === median ? 'median' : 'fastest'} kept\n`);
  console.log('| bench | case | threads | old | new | new/old |');
  console.log('|---|---|---:|---:|---:|---:|');
  const digits = (r) => (r >= 100 ? 0 : r >= 10 ? 1 : 2);
  for (const r of rows) {
    console.log(`| ${r.group} | ${r.name} | ${r.threads} | ${r.oldRate.toFixed(digits(r.oldRate))} ${r.per} | ${r.newRate.toFixed(digits(r.newRate))} ${r.per} | ${r.ratio.toFixed(3)} |`);
  }
  const outside = rows.filter((r) => Math.abs(r.ratio - 1) > 0.03);
  console.log(`\n${outside.length === 0 ? 'every row within 3%' : `outside 3%: ${outside.map((r) => `${r.name} ${r.threads}T (${r.ratio.toFixed(3)})`).join(', ')}`}`);
}

main();

#!/usr/bin/env node
// `npm run bench:hsoftmax`: one training step of the output layer (forward + backward, the
// parameter gradients included), full softmax against hierarchical softmax, side by side in one
// run: hidden 256, batch 128, for 1k, 10k and 100k classes. Full softmax is Linear + softmax
// cross-entropy on the existing fused kernels (GEMM with bias, fused softmax-CE, GEMMs for dX and
// dW, a column sum for db); hierarchical softmax is nn.HierarchicalSoftmax (the hsoftmax kernels:
// only the nodes on each target's path) on a balanced random tree for uniform targets, and on a
// Huffman tree for Zipf targets. Two levels each: the kernels alone, and the autograd step a
// user runs (module forward, loss.backward()), with the parameter gradients kept across steps
// (accumulated, as between zeroGrad calls). For scale, the last column times one SGD update of
// the [C, 256] weight: dense, the same for both, and not part of the step measured here. Median
// of alternating samples, so load from elsewhere hits both alike. A second table times the whole
// training step of the layer (zeroGrad, forward, backward, optimizer step) with a dense gradient
// (a no-op hook on the parameters makes the op hand the engine a new [C − 1, 256] gradient and
// every row is updated: what every step cost before row-sparse gradients) against the row-sparse
// one (gradRows: only the rows on the batch's paths are zeroed and updated), for SGD and for
// Adam against SparseAdam. Prints the machine and thread
// count and a Markdown table; saves bench/results/hsoftmax.{json,md}. Timings live here, never
// in tests.
'use strict';
const os = require('node:os');
const path = require('node:path');
const fs = require('node:fs');
const tg = require('../dist');
const { writeFileAtomic } = require('../dist/io/atomic');
const { median, sampleCall } = require('./timing');

const HIDDEN = 256;
const BATCH = 128;
// The three sizes with uniform targets on a balanced random tree, then 100k with Zipf-distributed
// targets (word-like) on the Huffman tree of those frequencies: shorter paths for frequent classes.
const CASES = [[1000, 'uniform'], [10000, 'uniform'], [100000, 'uniform'], [100000, 'zipf']];
const SAMPLES = 9;
const MIN_SECONDS = 0.1;

/** Seconds per call: fn repeated until the sample lasts MIN_SECONDS. */
const sample = (fn) => sampleCall(fn, MIN_SECONDS).seconds;

/** Median seconds of each function, samples alternating between them. */
function race(fns) {
  for (const fn of fns) fn(); // warm-up: first-call allocations, the thread pool
  const times = fns.map(() => []);
  for (let s = 0; s < SAMPLES; s++) fns.forEach((fn, k) => times[k].push(sample(fn)));
  return times.map(median);
}

function xorshift(seed) {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13; state >>>= 0; state ^= state >>> 17; state ^= state << 5; state >>>= 0;
    return state / 4294967296;
  };
}

const zipf = (classes) => Array.from({ length: classes }, (_, k) => 1 / (k + 1));

/** Targets uniform over the classes, or drawn from the Zipf frequencies (inverse CDF). */
function randomLabels(n, classes, kind, seed) {
  const random = xorshift(seed);
  if (kind === 'uniform') return Int32Array.from({ length: n }, () => Math.floor(random() * classes));
  const cdf = new Float64Array(classes);
  zipf(classes).reduce((sum, p, k) => (cdf[k] = sum + p), 0);
  return Int32Array.from({ length: n }, () => {
    const u = random() * cdf[classes - 1];
    let lo = 0;
    let hi = classes - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  });
}

const treeFor = (classes, kind) =>
  kind === 'uniform' ? tg.nn.hsoftmax.balancedTree(classes, { seed: 1 }) : tg.nn.hsoftmax.huffmanTree(zipf(classes));

/** The kernels alone, on preallocated arrays. */
function kernelSteps(classes, x, labels, tree) {
  const k = tg.getBackend();
  const none = new Float32Array(0);
  const w = tg.randn([classes, HIDDEN], { std: 0.05 }).data;
  const b = new Float32Array(classes);
  const logits = new Float32Array(BATCH * classes);
  const loss = new Float32Array(1);
  const dx = new Float32Array(BATCH * HIDDEN);
  const dw = new Float32Array(classes * HIDDEN);
  const db = new Float32Array(classes);
  const full = () => {
    k.gemmBiasActivation(false, true, BATCH, classes, HIDDEN, x, w, b, 'none', 0, logits);
    k.softmaxCrossEntropy(logits, labels, BATCH, classes, none, 0, logits, loss);
    k.softmaxCrossEntropyBackward(logits, labels, BATCH, classes, none, 0, 1, logits);
    k.gemm(false, false, BATCH, HIDDEN, classes, 1, logits, w, 0, dx);
    k.gemm(true, false, classes, HIDDEN, BATCH, 1, logits, x, 0, dw);
    k.colSum(logits, BATCH, classes, db);
  };
  const hw = tg.randn([classes - 1, HIDDEN], { std: 0.05 }).data;
  const hb = new Float32Array(classes - 1);
  const dz = new Float32Array(BATCH * tree.depth);
  const losses = new Float32Array(BATCH);
  const g = new Float32Array(BATCH).fill(1 / BATCH);
  const hdw = new Float32Array((classes - 1) * HIDDEN);
  const hdb = new Float32Array(classes - 1);
  const t = tree;
  const hsm = () => {
    k.hsoftmaxLoss(x, labels, hw, hb, t.pathOffsets, t.pathNodes, t.pathCodes, BATCH, HIDDEN, classes, t.depth, dz, losses);
    k.hsoftmaxBackward(x, labels, hw, t.pathOffsets, t.pathNodes, t.pathCodes, dz, g, BATCH, HIDDEN, classes, t.depth, dx, hdw, hdb);
  };
  let decisions = 0;
  for (const label of labels) decisions += tree.pathLength(label);
  return { full, hsm, depth: tree.depth, meanPath: decisions / labels.length };
}

/** What a user runs: the modules, forward and loss.backward(), gradients accumulating. */
function autogradSteps(classes, x, labels, tree) {
  const input = new tg.Tensor(x, [BATCH, HIDDEN], { requiresGrad: true });
  const linear = new tg.nn.Linear(HIDDEN, classes);
  const hsm = new tg.nn.HierarchicalSoftmax(HIDDEN, classes, { tree });
  const sgd = new tg.optim.SGD(linear.parameters(), { lr: 1e-3 });
  const fullStep = () => tg.nn.functional.crossEntropy(linear.forward(input), labels).backward();
  fullStep(); // gradients exist from here on: the SGD update has something to apply
  return {
    full: fullStep,
    hsm: () => hsm.forward(input, labels).backward(),
    update: () => sgd.step(),
  };
}

/** The inner nodes on the batch's paths: the rows a row-sparse step zeroes and updates. */
function rowsTouched(labels, tree) {
  const nodes = new Set();
  for (const label of labels) for (let k = tree.pathOffsets[label]; k < tree.pathOffsets[label + 1]; k++) nodes.add(tree.pathNodes[k]);
  return nodes.size;
}

/** The whole step a training loop runs: zeroGrad, forward, backward, optimizer step. */
function trainingSteps(classes, x, labels, tree) {
  const input = new tg.Tensor(x, [BATCH, HIDDEN], { requiresGrad: true });
  const make = (dense, Optimizer, options) => {
    const hsm = new tg.nn.HierarchicalSoftmax(HIDDEN, classes, { tree });
    if (dense) for (const p of hsm.parameters()) p.registerHook(() => {});
    const opt = new Optimizer(hsm.parameters(), options);
    return () => {
      opt.zeroGrad();
      input.grad = null;
      hsm.forward(input, labels).backward();
      opt.step();
    };
  };
  const { SGD, Adam, SparseAdam } = tg.optim;
  return {
    sgdDense: make(true, SGD, { lr: 1e-3 }), sgdSparse: make(false, SGD, { lr: 1e-3 }),
    adamDense: make(true, Adam, { lr: 1e-4 }), sparseAdam: make(false, SparseAdam, { lr: 1e-4 }),
  };
}

function main() {
  const info = tg.nativeInfo();
  if (!info.available) {
    console.error(`bench:hsoftmax: the native addon is not available: ${info.error}`);
    process.exit(1);
  }
  tg.setBackend('native');
  tg.manualSeed(0);
  const cpus = os.cpus();
  const machine = `${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores, ${os.platform()}-${os.arch()}, Node ${process.version}`;
  const threads = tg.getNumThreads();
  console.log(`machine: ${machine}`);
  console.log(`threads: ${threads} (TENSORGRAD_NUM_THREADS or setNumThreads), SIMD: ${info.simd}, batch ${BATCH}, hidden ${HIDDEN}`);
  const rows = [];
  for (const [classes, targets] of CASES) {
    const x = tg.randn([BATCH, HIDDEN]).data;
    const labels = randomLabels(BATCH, classes, targets, classes);
    const tree = treeFor(classes, targets);
    const kernels = kernelSteps(classes, x, labels, tree);
    const [kFull, kHsm] = race([kernels.full, kernels.hsm]);
    const autograd = autogradSteps(classes, x, labels, tree);
    const [aFull, aHsm, update] = race([autograd.full, autograd.hsm, autograd.update]);
    const steps = trainingSteps(classes, x, labels, tree);
    const [sgdDense, sgdSparse, adamDense, sparseAdam] = race([steps.sgdDense, steps.sgdSparse, steps.adamDense, steps.sparseAdam]);
    const row = {
      classes, targets, tree: targets === 'uniform' ? 'balanced random' : 'Huffman', depth: kernels.depth,
      meanPath: kernels.meanPath,
      kernels: { fullMs: kFull * 1e3, hsmMs: kHsm * 1e3, speedup: kFull / kHsm },
      autograd: { fullMs: aFull * 1e3, hsmMs: aHsm * 1e3, speedup: aFull / aHsm },
      sgdUpdateMs: update * 1e3,
      step: {
        rowsTouched: rowsTouched(labels, tree),
        sgdDenseMs: sgdDense * 1e3, sgdSparseMs: sgdSparse * 1e3, sgdSpeedup: sgdDense / sgdSparse,
        adamDenseMs: adamDense * 1e3, sparseAdamMs: sparseAdam * 1e3, adamSpeedup: adamDense / sparseAdam,
      },
    };
    rows.push(row);
    console.log(`C = ${classes} (${targets}): kernels ${row.kernels.fullMs.toFixed(3)} vs ${row.kernels.hsmMs.toFixed(3)} ms (${row.kernels.speedup.toFixed(1)}×), ` +
      `autograd ${row.autograd.fullMs.toFixed(3)} vs ${row.autograd.hsmMs.toFixed(3)} ms (${row.autograd.speedup.toFixed(1)}×); ` +
      `whole step SGD dense ${row.step.sgdDenseMs.toFixed(3)} vs row-sparse ${row.step.sgdSparseMs.toFixed(3)} ms (${row.step.sgdSpeedup.toFixed(1)}×), ` +
      `Adam ${row.step.adamDenseMs.toFixed(3)} vs SparseAdam ${row.step.sparseAdamMs.toFixed(3)} ms (${row.step.adamSpeedup.toFixed(1)}×)`);
  }
  const f = (v) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(3));
  const table = [
    '| classes | targets, tree | depth (mean path) | kernels: full softmax ms | kernels: HSM ms | speed-up | autograd: full softmax ms | autograd: HSM ms | speed-up | SGD update of the weight ms |',
    '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.classes} | ${r.targets}, ${r.tree} | ${r.depth} (${r.meanPath.toFixed(1)}) | ${f(r.kernels.fullMs)} | ${f(r.kernels.hsmMs)} | ${r.kernels.speedup.toFixed(1)}× | ` +
      `${f(r.autograd.fullMs)} | ${f(r.autograd.hsmMs)} | ${r.autograd.speedup.toFixed(1)}× | ${f(r.sgdUpdateMs)} |`),
  ].join('\n');
  const stepTable = [
    '| classes | targets, tree | rows touched of C − 1 | SGD, dense gradient ms | SGD, row-sparse ms | speed-up | Adam, dense gradient ms | SparseAdam, row-sparse ms | speed-up |',
    '|---:|---|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.classes} | ${r.targets}, ${r.tree} | ${r.step.rowsTouched} of ${r.classes - 1} | ${f(r.step.sgdDenseMs)} | ${f(r.step.sgdSparseMs)} | ` +
      `${r.step.sgdSpeedup.toFixed(1)}× | ${f(r.step.adamDenseMs)} | ${f(r.step.sparseAdamMs)} | ${r.step.adamSpeedup.toFixed(1)}× |`),
  ].join('\n');
  const markdown = `# Output layer training step: full softmax vs hierarchical softmax\n\n` +
    `Machine: ${machine}. Threads: ${threads}. SIMD: ${info.simd}. Batch ${BATCH}, hidden ${HIDDEN}, ` +
    `targets uniform (balanced random tree) or Zipf (Huffman tree). Median of ${SAMPLES} alternating samples; ms per step ` +
    `(forward + backward, parameter gradients included). Run: \`npm run bench:hsoftmax\`.\n\n${table}\n\n` +
    `The SGD column is one dense update of the [C, ${HIDDEN}] weight, the same for both layers and not in the step ` +
    `times: HSM's gradient touches only the rows on the batch's paths, but a dense update covers every row.\n\n` +
    `## The whole training step: dense gradient vs row-sparse gradient\n\n` +
    `ms per step of nn.HierarchicalSoftmax: optimizer.zeroGrad(), forward, backward, optimizer.step(). Dense: a no-op ` +
    `hook on the weight and bias makes the op return a dense [C − 1, ${HIDDEN}] gradient (a new zeroed array each step, ` +
    `as before row-sparse gradients) and the optimizer updates every row. Row-sparse: the op adds the path rows into the ` +
    `kept gradient and records them (gradRows); zeroGrad clears those rows and SGD (plain) / SparseAdam update those ` +
    `rows alone. Dense Adam updates every row's moments; SparseAdam is lazy Adam (only the rows present).\n\n${stepTable}\n`;
  console.log(`\n${markdown}`);
  const results = path.join(__dirname, 'results');
  fs.mkdirSync(results, { recursive: true });
  const json = { machine, threads, simd: info.simd, batch: BATCH, hidden: HIDDEN, samples: SAMPLES, date: new Date().toISOString(), rows };
  writeFileAtomic(path.join(results, 'hsoftmax.json'), new TextEncoder().encode(`${JSON.stringify(json, null, 2)}\n`));
  writeFileAtomic(path.join(results, 'hsoftmax.md'), new TextEncoder().encode(markdown));
  console.log(`saved ${path.relative(process.cwd(), path.join(results, 'hsoftmax.md'))} and hsoftmax.json`);
}

main();

// Where a training step of the bench:train MLP (784-256-128-10, ReLU fused in the GEMMs, softmax
// cross-entropy, Adam) spends its time: each kernel of the step called alone with the step's
// shapes, next to the whole step, the forward pass and the optimizer, all in one process. What
// the kernels do not account for is the JavaScript around them (ops, tape, pool, checks).
//   node bench/train-profile.js [--batch 32,128,512] [--threads 1] [--rounds 7] [--ms 150] [--clock cpu|wall] [--no-flush]
// Each row is the median over rounds of the mean time per call, the rows interleaved round by
// round so a busy machine slows them alike. On one thread the clock is the process's CPU time
// (default), which other processes on a shared machine barely disturb; on more, wall time.
// Needs `npm run build:ts` (reads dist/).
'use strict';
const os = require('node:os');
const { performance } = require('node:perf_hooks');
const tg = require('../dist');

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const batches = option('--batch', '32,128,512').split(',').map(Number);
const threads = Number(option('--threads', '1'));
const rounds = Number(option('--rounds', '7'));
const msPerRow = Number(option('--ms', '150'));
const clockKind = option('--clock', threads === 1 ? 'cpu' : 'wall');
if (clockKind !== 'cpu' && clockKind !== 'wall') throw new Error(`--clock: Expected cpu or wall but received ${clockKind}`);

const flush = !args.includes('--no-flush');
tg.setBackend('native');
tg.setNumThreads(threads);
tg.setFlushDenormal(flush); // as bench:train does (--no-flush: IEEE subnormals)
const k = tg.getBackend();
const LAYERS = [[784, 256, 'relu'], [256, 128, 'relu'], [128, 10, 'none']];

function random(size, seed) {
  const out = new Float32Array(size);
  let s = seed >>> 0;
  for (let i = 0; i < size; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 32 - 0.5;
  }
  return out;
}

/** The rows for one batch size: [phase, label, fn]; every fn does what one step does once. */
function rowsFor(n) {
  tg.manualSeed(0);
  const net = new tg.nn.Sequential(...LAYERS.map(([i, o, a]) => new tg.nn.Linear(i, o, { activation: a })));
  const optimizer = new tg.optim.Adam(net.parameters(), { lr: 1e-3 });
  const pool = new tg.BufferPool();
  const netParams = net.parameters();
  const x = new tg.Tensor(random(n * 784, 1).map((v) => v + 0.5), [n, 784]);
  const y = Int32Array.from({ length: n }, (_, i) => (i * 7) % 10);
  const step = () => {
    pool.reclaim();
    for (const p of netParams) if (p.grad) pool.give(p.grad.data);
    optimizer.zeroGrad();
    pool.run(() => tg.nn.functional.crossEntropy(net.call(x), y).backward());
    optimizer.step();
  };
  step();

  // The step's arrays, for calling its kernels alone.
  const acts = [x.data];
  for (const [i, o] of LAYERS) acts.push(random(n * o, i + o));
  const weights = LAYERS.map(([i, o]) => random(o * i, i * o));
  const biases = LAYERS.map(([, o]) => random(o, o));
  const grads = LAYERS.map(([, o]) => random(n * o, o + 7));
  const dxs = LAYERS.map(([i]) => new Float32Array(n * i));
  const dws = LAYERS.map(([i, o]) => new Float32Array(o * i));
  const dbs = LAYERS.map(([, o]) => new Float32Array(o));
  const probs = new Float32Array(n * 10);
  const loss = new Float32Array(1);
  const noWeights = new Float32Array(0);
  const params = net.parameters().map((p) => ({ p: p.data, g: random(p.size, p.size), m: new Float32Array(p.size), v: new Float32Array(p.size) }));
  const tiny = new Float32Array(1);

  const fused = [];
  fused.push(['forward GEMMs', `${LAYERS.length} × gemmBiasActivation (bias + ReLU fused)`, () => {
    LAYERS.forEach(([i, o, a], l) => k.gemmBiasActivation(false, true, n, o, i, acts[l], weights[l], biases[l], a, 0.01, acts[l + 1]));
  }]);
  fused.push(['loss', 'softmaxCrossEntropy + backward', () => {
    k.softmaxCrossEntropy(acts[3], y, n, 10, noWeights, 0, probs, loss);
    k.softmaxCrossEntropyBackward(probs, y, n, 10, noWeights, 0, 1, probs);
  }]);
  fused.push(['activation backward', `${LAYERS.length - 1} × reluBackward`, () => {
    for (let l = 0; l < LAYERS.length - 1; l++) k.reluBackward(acts[l + 1], grads[l], grads[l]);
  }]);
  fused.push(['backward GEMMs (dx)', `${LAYERS.length - 1} × gemm NN (layer 1 needs no dx)`, () => {
    for (let l = 1; l < LAYERS.length; l++) {
      const [i, o] = LAYERS[l];
      k.gemm(false, false, n, i, o, 1, grads[l], weights[l], 0, dxs[l]);
    }
  }]);
  fused.push(['backward GEMMs (dW)', `${LAYERS.length} × gemm TN`, () => {
    LAYERS.forEach(([i, o], l) => k.gemm(true, false, o, i, n, 1, grads[l], acts[l], 0, dws[l]));
  }]);
  fused.push(['bias gradients', `${LAYERS.length} × colSum`, () => {
    LAYERS.forEach(([, o], l) => k.colSum(grads[l], n, o, dbs[l]));
  }]);
  fused.push(['optimizer (kernels)', `${params.length} × adamStep`, () => {
    for (const s of params) k.adamStep(s.p, s.g, s.m, s.v, noWeights, 1e-9, 0.9, 0.999, 1e-8, 0, false, true, 2);
  }]);
  const kernelCalls = 3 + 2 + 2 + 2 + 3 + 3 + params.length;
  // The same step with every kernel an empty JavaScript function: what the ops, the tape, the
  // pool and the optimizer's bookkeeping cost without any arithmetic.
  const noOp = { name: 'native' };
  for (const key of Object.keys(k)) if (typeof k[key] === 'function') noOp[key] = () => {};
  const noOpStep = () => {
    tg.setBackend(noOp);
    try {
      step();
    } finally {
      tg.setBackend(k);
    }
  };
  return {
    kernels: fused,
    whole: [
      ['whole step', 'pool, zeroGrad, forward, backward, Adam', step],
      ['forward (recorded)', 'net.call + crossEntropy on the tape', () => { pool.reclaim(); pool.run(() => tg.nn.functional.crossEntropy(net.call(x), y)); }],
      ['optimizer.step()', 'Adam over 6 parameters, JS included', () => optimizer.step()],
      ['no-op step', 'the whole step with empty kernels: JS, tape, pool, optimizer bookkeeping', noOpStep],
      ['N-API call', `one call on a 1-element array (× ${kernelCalls} kernel calls per step)`, () => k.reluBackward(tiny, tiny, tiny)],
    ],
    kernelCalls,
    flops: 2 * n * LAYERS.reduce((s, [i, o]) => s + i * o, 0) * 3 - 2 * n * 784 * 256,
  };
}

/** The mean ms per call of fn over about msPerRow milliseconds (of wall time), on the chosen clock. */
function clock(fn) {
  let calls = 0;
  const start = performance.now();
  const cpu = process.cpuUsage();
  let now = start;
  while (now - start < msPerRow || calls < 3) {
    fn();
    calls++;
    now = performance.now();
  }
  if (clockKind === 'wall') return (now - start) / calls;
  const used = process.cpuUsage(cpu);
  return (used.user + used.system) / 1000 / calls;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms) => (ms >= 0.1 ? ms.toFixed(3) : ms.toFixed(4));

console.log(`# bench:train profile\n`);
console.log(`machine: ${os.cpus()[0].model}, ${os.cpus().length} cores, Node ${process.version}, SIMD ${tg.nativeInfo().simd}; threads ${threads}; subnormals ${flush ? 'flushed' : 'kept'}; ${clockKind === 'cpu' ? 'CPU time of the process' : 'wall time'}; median of ${rounds} rounds, ${msPerRow} ms per row per round\n`);
for (const n of batches) {
  const { kernels, whole, kernelCalls, flops } = rowsFor(n);
  const all = [...whole, ...kernels];
  const times = all.map(() => []);
  for (let r = 0; r < rounds; r++) all.forEach(([, , fn], i) => times[i].push(clock(fn)));
  const ms = times.map(median);
  const stepMs = ms[0];
  const kernelMs = ms.slice(whole.length).reduce((a, b) => a + b, 0);
  const callMs = ms[4];
  console.log(`## batch ${n}: ${fmt(stepMs)} ms/step, ${Math.round(n / stepMs * 1000)} samples/s, ${(flops / stepMs / 1e6).toFixed(1)} GFLOPS\n`);
  console.log('| phase | what | ms | % of step |');
  console.log('|---|---|---|---|');
  const row = (phase, what, t) => console.log(`| ${phase} | ${what} | ${fmt(t)} | ${(100 * t / stepMs).toFixed(1)} |`);
  all.forEach(([phase, what], i) => row(phase, what, ms[i]));
  row('sum of the kernels', 'the rows from forward GEMMs down', kernelMs);
  row('N-API crossings', `${kernelCalls} × the empty call`, kernelCalls * callMs);
  row('JS around the kernels', 'whole step − sum of the kernels', stepMs - kernelMs);
  console.log('');
}

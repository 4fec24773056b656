#!/usr/bin/env node
// `npm run soak`: 1 000 000 native kernel calls (scripts/kernel-mix.js, every area) and 20 000
// training steps of a small MLP, with resident memory sampled after a full GC. Fails (exit 1)
// when RSS after warm-up grows by 5% or more by the end. Prints memory at start and end and the
// throughput. Options: --calls N --steps N --bound 0.05 --json (one JSON line for the CI test).
// Run with --expose-gc (npm run soak does). Throughput is printed, never judged.
'use strict';
const os = require('node:os');
const path = require('node:path');
const { mix } = require('./kernel-mix.js');

const tg = require(path.join(__dirname, '..', 'dist', 'index.js'));

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`soak: Expected a non-negative number for --${name} but received ${process.argv[i + 1]}`);
  return value;
}

const CALLS = option('calls', 1_000_000);
const STEPS = option('steps', 20_000);
const BOUND = option('bound', 0.05);
const JSON_OUT = process.argv.includes('--json');

if (typeof global.gc !== 'function') {
  console.error('soak: run with node --expose-gc (npm run soak does)');
  process.exit(2);
}

const MB = 1024 * 1024;
function rss() {
  global.gc();
  global.gc();
  return process.memoryUsage().rss;
}

function kernelCalls(calls, count) {
  for (let i = 0; i < count; i++) calls[i % calls.length][1]();
}

function model() {
  tg.manualSeed(0);
  const net = new tg.nn.Sequential(
    new tg.nn.Linear(32, 64), new tg.nn.ReLU(),
    new tg.nn.Linear(64, 64), new tg.nn.ReLU(),
    new tg.nn.Linear(64, 10),
  );
  const optimizer = new tg.optim.Adam(net.parameters(), { lr: 1e-3 });
  const x = tg.randn([32, 32]);
  const labels = Int32Array.from({ length: 32 }, (_, i) => i % 10);
  const step = () => {
    optimizer.zeroGrad();
    const loss = tg.nn.functional.crossEntropy(net.call(x), labels);
    loss.backward();
    optimizer.step();
    return loss.item();
  };
  return step;
}

function trainSteps(step, count) {
  let last = NaN;
  for (let i = 0; i < count; i++) last = step();
  if (!Number.isFinite(last)) throw new Error(`soak: the loss is ${last} after training`);
  return last;
}

function main() {
  const info = tg.nativeInfo();
  if (!info.available) throw new Error(`soak: the native addon did not load: ${info.error}`);
  const backend = tg.nativeBackend();
  const calls = mix(backend);
  const step = model();
  const start = rss();

  // Warm-up: a tenth of each phase (JIT, pools, the kernels' scratch buffers, V8 heap sizing).
  const warmCalls = Math.ceil(CALLS / 10), warmSteps = Math.ceil(STEPS / 10);
  kernelCalls(calls, warmCalls);
  trainSteps(step, warmSteps);
  const warm = rss();

  const samples = [];
  let t = process.hrtime.bigint();
  const chunks = 10;
  let kernelNs = 0n;
  for (let c = 0; c < chunks; c++) {
    kernelCalls(calls, Math.ceil((CALLS - warmCalls) / chunks));
    const now = process.hrtime.bigint();
    kernelNs += now - t;
    samples.push(rss());
    t = process.hrtime.bigint();
  }
  let trainNs = 0n;
  let loss = NaN;
  for (let c = 0; c < chunks; c++) {
    loss = trainSteps(step, Math.ceil((STEPS - warmSteps) / chunks));
    const now = process.hrtime.bigint();
    trainNs += now - t;
    samples.push(rss());
    t = process.hrtime.bigint();
  }
  const end = rss();
  const growth = (end - warm) / warm;
  const result = {
    calls: warmCalls + chunks * Math.ceil((CALLS - warmCalls) / chunks),
    steps: warmSteps + chunks * Math.ceil((STEPS - warmSteps) / chunks),
    rssStartMB: start / MB,
    rssWarmMB: warm / MB,
    rssEndMB: end / MB,
    rssMaxMB: Math.max(...samples) / MB,
    growth,
    bound: BOUND,
    callsPerSecond: (chunks * Math.ceil((CALLS - warmCalls) / chunks)) / (Number(kernelNs) / 1e9),
    stepsPerSecond: (chunks * Math.ceil((STEPS - warmSteps) / chunks)) / (Number(trainNs) / 1e9),
    finalLoss: loss,
    addon: info.path,
    threads: tg.getNumThreads ? tg.getNumThreads() : undefined,
  };
  if (JSON_OUT) {
    console.log(JSON.stringify(result));
  } else {
    const f = (v) => v.toFixed(1);
    console.log(`soak on ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, ` +
      `${result.threads ?? '?'} kernel threads, Node ${process.version}, addon ${info.path} (${info.simd})`);
    console.log(`kernel calls   ${result.calls}  (${calls.length} kernels over every area)  ${Math.round(result.callsPerSecond)} calls/s`);
    console.log(`training steps ${result.steps}  (MLP 32-64-64-10, batch 32, Adam)  ${f(result.stepsPerSecond)} steps/s, final loss ${loss.toFixed(4)}`);
    console.log(`RSS start ${f(result.rssStartMB)} MB, after warm-up ${f(result.rssWarmMB)} MB, ` +
      `end ${f(result.rssEndMB)} MB, max sampled ${f(result.rssMaxMB)} MB`);
    console.log(`growth after warm-up ${(growth * 100).toFixed(2)}% (bound ${(BOUND * 100).toFixed(0)}%): ${growth < BOUND ? 'ok' : 'FAILED'}`);
  }
  process.exit(growth < BOUND ? 0 : 1);
}

main();

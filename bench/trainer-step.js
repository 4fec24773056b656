// The Trainer's step, before and after the parameter arena, interleaved in one process:
//   inline        the loop Trainer.fit ran before trainStep existed (a kernel call per parameter)
//   per parameter Trainer.trainStep with flatParameters: false
//   arena         Trainer.trainStep as it is by default: the gradients copied into one array,
//                 the optimizer's update one kernel call over every parameter
// on the bench:train MLP (784-256-128-10, ReLU fused), the same with BatchNorm and Dropout, and a
// deep narrow MLP of many small parameters (16 × [64 → 64, BatchNorm]).
//   node bench/trainer-step.js [--batch 32,128] [--rounds 9] [--steps 200] [--threads 1]
// Each figure is the median over rounds of the CPU time per step (one thread: other processes on
// a shared machine barely move it); the rounds alternate the variants.
//   node bench/trainer-step.js --callgrind [--batch 32,128]
// counts instructions instead, which a busy machine does not change: each variant runs alone
// under valgrind --tool=callgrind for 10 and for 60 steps (after the same warm-up), and the
// difference over 50 is its instructions per step. Needs `npm run build:ts`.
'use strict';
const os = require('node:os');
const fs = require('node:fs');
const path = require('node:path');
const tg = require('../dist');
const { median } = require('./timing');

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const batches = option('--batch', '32,128').split(',').map(Number);
const rounds = Number(option('--rounds', '9'));
const steps = Number(option('--steps', '200'));
const threads = Number(option('--threads', '1'));
tg.setBackend('native');
tg.setNumThreads(threads);
tg.setFlushDenormal(true);

const { nn } = tg;
const MODELS = {
  'MLP 784-256-128-10': () => new nn.Sequential(new nn.Linear(784, 256, { activation: 'relu' }), new nn.Linear(256, 128, { activation: 'relu' }), new nn.Linear(128, 10)),
  'BatchNorm + Dropout': () => new nn.Sequential(
    new nn.Linear(784, 256), new nn.BatchNorm1d(256), new nn.ReLU(), new nn.Dropout(0.5),
    new nn.Linear(256, 128), new nn.BatchNorm1d(128), new nn.ReLU(), new nn.Dropout(0.5), new nn.Linear(128, 10)),
  'deep narrow (66 parameters)': () => new nn.Sequential(new nn.Linear(784, 64),
    ...Array.from({ length: 16 }, () => [new nn.Linear(64, 64), new nn.BatchNorm1d(64), new nn.ReLU()]).flat(), new nn.Linear(64, 10)),
};

function random(size, seed) {
  const out = new Float32Array(size);
  let s = seed >>> 0;
  for (let i = 0; i < size; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 32;
  }
  return out;
}

function variants(make, n) {
  const x = new tg.Tensor(random(n * 784, 1), [n, 784]);
  const y = new tg.Tensor(Float32Array.from({ length: n }, (_, i) => (i * 7) % 10), [n]);
  const batch = { x, y };
  const loss = (o, t) => nn.functional.crossEntropy(o, t);
  const build = () => {
    tg.manualSeed(0);
    const model = make();
    return { model, optimizer: new tg.optim.Adam(model.parameters(), { lr: 1e-4 }) };
  };
  const inline = build();
  const pool = new tg.BufferPool();
  const params = inline.model.parameters();
  const inlineStep = () => {
    pool.reclaim();
    for (const p of params) if (p.grad) pool.give(p.grad.data);
    inline.optimizer.zeroGrad();
    pool.run(() => loss(inline.model.call(x), y).backward());
    inline.optimizer.step();
  };
  const trainer = (flatParameters) => {
    const { model, optimizer } = build();
    const t = new tg.Trainer({ model, loss, optimizer, flatParameters });
    return () => t.trainStep(batch);
  };
  return [
    ['inline (before)', async () => inlineStep()],
    ['trainStep, per parameter', trainer(false)],
    ['trainStep, arena', trainer(true)],
  ];
}

async function cpuPerStep(step) {
  const start = process.cpuUsage();
  for (let i = 0; i < steps; i++) await step();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000 / steps;
}

/** Runs one variant for `count` steps after warm-up (what --callgrind measures in a child). */
async function runOnly(modelName, n, variantName, count) {
  const list = variants(MODELS[modelName], n);
  const step = list.find(([name]) => name === variantName)[1];
  for (let i = 0; i < 20 + count; i++) await step();
}

function callgrindInstructions(modelName, n, variantName, count) {
  const { execFileSync } = require('node:child_process');
  const out = path.join(os.tmpdir(), `tg-trainer-step-${process.pid}.callgrind`);
  execFileSync('valgrind', ['--tool=callgrind', '--smc-check=all-non-file', `--callgrind-out-file=${out}`, process.execPath, __filename,
    '--only', JSON.stringify([modelName, n, variantName, count]), '--threads', String(threads)], { stdio: ['ignore', 'ignore', 'pipe'] });
  const summary = /^summary:\s+(\d+)/m.exec(fs.readFileSync(out, 'utf8'));
  fs.rmSync(out, { force: true });
  return Number(summary[1]);
}

async function mainCallgrind() {
  console.log('# Trainer step: before and after the parameter arena (callgrind)\n');
  console.log(`machine: ${os.cpus()[0].model}, Node ${process.version}, SIMD ${tg.nativeInfo().simd}; threads ${threads}; Adam; instructions per step (60-step run − 10-step run) / 50`);
  console.log(`load average at start: ${fs.readFileSync('/proc/loadavg', 'utf8').trim()}\n`);
  console.log('| model | batch | inline (before) | trainStep, per parameter | trainStep, arena | arena ÷ before |');
  console.log('|---|---|---|---|---|---|');
  for (const name of Object.keys(MODELS)) {
    for (const n of batches) {
      const counts = variants(MODELS[name], n).map(([variant]) => (callgrindInstructions(name, n, variant, 60) - callgrindInstructions(name, n, variant, 10)) / 50);
      console.log(`| ${name} | ${n} | ${counts.map((c) => `${(c / 1e6).toFixed(3)} M`).join(' | ')} | ${(counts[2] / counts[0]).toFixed(3)} |`);
    }
  }
}

async function main() {
  console.log('# Trainer step: before and after the parameter arena\n');
  console.log(`machine: ${os.cpus()[0].model}, ${os.cpus().length} cores, Node ${process.version}, SIMD ${tg.nativeInfo().simd}; threads ${threads}; Adam; CPU ms per step, median of ${rounds} interleaved rounds of ${steps} steps`);
  console.log(`load average at start: ${fs.readFileSync('/proc/loadavg', 'utf8').trim()}\n`);
  console.log('| model | batch | inline (before) | trainStep, per parameter | trainStep, arena | arena ÷ before |');
  console.log('|---|---|---|---|---|---|');
  for (const [name, make] of Object.entries(MODELS)) {
    for (const n of batches) {
      const list = variants(make, n);
      for (const [, step] of list) for (let i = 0; i < 20; i++) await step(); // warm-up
      const times = list.map(() => []);
      for (let r = 0; r < rounds; r++) for (let v = 0; v < list.length; v++) times[v].push(await cpuPerStep(list[v][1]));
      const ms = times.map(median);
      console.log(`| ${name} | ${n} | ${ms.map((t) => t.toFixed(4)).join(' | ')} | ${(ms[2] / ms[0]).toFixed(3)} |`);
    }
  }
  console.log(`\nload average at end: ${fs.readFileSync('/proc/loadavg', 'utf8').trim()}`);
}

const only = option('--only', '');
(only ? runOnly(...JSON.parse(only)) : args.includes('--callgrind') ? mainCallgrind() : main()).catch((error) => {
  console.error(error);
  process.exitCode = 1;
});

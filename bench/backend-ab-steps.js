#!/usr/bin/env node
// bench:train's tensorgrad scenarios in two builds, each run in a process of its own (so the two
// builds share nothing: not the heap, the JIT or a thread pool), old and new alternating in
// several passes, timed by CPU time per step — on a shared machine the process is descheduled
// often, which wall time counts and CPU time does not. One thread, where CPU time is the step's
// own work (with 2 threads it would count the pool's waiting too).
//   node bench/backend-ab-steps.js OLD_ROOT [NEW_ROOT]     (AB_ROUNDS passes, default 5)
// Prints a Markdown table of µs per step (the median over passes, and the fastest pass) and
// new/old, the load average; AB_SAMPLES_OUT=file.json keeps every sample.
'use strict';
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { median } = require('./timing');

const ROUNDS = Number(process.env.AB_ROUNDS ?? 5);
const [oldRoot, newRoot = path.join(__dirname, '..')] = process.argv.slice(2);
if (!oldRoot) {
  console.error('backend-ab-steps: Expected OLD_ROOT (a package root with dist/ and build/Release) as the first argument');
  process.exit(1);
}
const roots = [path.resolve(oldRoot), path.resolve(newRoot)];
// Warm-up before timing: about 2 s of steps, enough for V8 to finish optimizing the step (with
// 200 steps, its concurrent compiler was still at work during the timed steps, which CPU time
// counted and the steady state of a training run never sees).
const SCENARIOS = [
  { name: 'train, batch 32', batch: 32, variant: 'mlp', steps: 3000, warmup: 5000 },
  { name: 'train, batch 128', batch: 128, variant: 'mlp', steps: 1000, warmup: 2000 },
  { name: 'train, batch 512', batch: 512, variant: 'mlp', steps: 300, warmup: 600 },
  { name: 'train, batch 128, BatchNorm + Dropout(0.5)', batch: 128, variant: 'bn-dropout', steps: 1000, warmup: 1500 },
  { name: 'inference, batch 1000', batch: 1000, variant: 'inference', steps: 300, warmup: 600 },
];

function measure(root, scenario) {
  const run = spawnSync(process.execPath, [path.join(__dirname, 'train', 'step-time.js'), root, JSON.stringify(scenario)], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`backend-ab-steps: ${root}: ${run.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return JSON.parse(run.stdout.trim().split('\n').at(-1));
}

const loadAverage = () => os.loadavg().map((v) => v.toFixed(2)).join(' ');
const before = loadAverage();
// samples[scenario][build] = [{ cpuMicros, wallMicros }, ...]
const samples = SCENARIOS.map(() => [[], []]);
for (let round = 0; round < ROUNDS; round++) {
  SCENARIOS.forEach((s, k) => {
    for (const which of (round + k) % 2 === 0 ? [0, 1] : [1, 0]) samples[k][which].push(measure(roots[which], s));
  });
  process.stderr.write(`pass ${round + 1}/${ROUNDS} done, load ${loadAverage()}\n`);
}
console.log(`CPU: ${os.cpus()[0].model}, ${os.cpus().length} cores; load average before ${before}, after ${loadAverage()}`);
console.log(`old: ${roots[0]}; new: ${roots[1]}; 1 thread; ${ROUNDS} interleaved passes, one process per sample, µs per step (median) after the warm-up (${SCENARIOS.map((s) => s.warmup).join('/')} steps)`);
// CPU time counts V8's helper threads (GC) too, so on a quiet machine it exceeds wall time; wall
// time counts descheduling on a busy one. Both are shown; the verdict uses CPU time.
console.log('CPU time includes V8 helper threads (GC); wall time includes descheduling.\n');
// The fastest pass is the one least disturbed by other processes; it is shown beside the median.
console.log('| scenario | old CPU µs | new CPU µs | new/old (CPU) | old wall µs | new wall µs | new/old (wall) | new/old (fastest CPU) | new/old (fastest wall) |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
const fastest = (runs, key) => Math.min(...runs.map((r) => r[key]));
const rows = SCENARIOS.map((s, k) => {
  const [o, n] = samples[k].map((runs) => median(runs.map((r) => r.cpuMicros)));
  const [ow, nw] = samples[k].map((runs) => median(runs.map((r) => r.wallMicros)));
  const [of, nf] = samples[k].map((runs) => fastest(runs, 'cpuMicros'));
  const [ofw, nfw] = samples[k].map((runs) => fastest(runs, 'wallMicros'));
  console.log(`| ${s.name} | ${o.toFixed(1)} | ${n.toFixed(1)} | ${(n / o).toFixed(3)} | ${ow.toFixed(1)} | ${nw.toFixed(1)} | ${(nw / ow).toFixed(3)} | ${(nf / of).toFixed(3)} | ${(nfw / ofw).toFixed(3)} |`);
  return { name: s.name, ratio: n / o };
});
if (process.env.AB_SAMPLES_OUT) {
  const out = SCENARIOS.map((s, k) => ({ scenario: s.name, old: samples[k][0], new: samples[k][1] }));
  require('node:fs').writeFileSync(process.env.AB_SAMPLES_OUT, `${JSON.stringify(out, null, 1)}\n`);
}
const outside = rows.filter((r) => Math.abs(r.ratio - 1) > 0.03);
console.log(`\n${outside.length === 0 ? 'every row within 3%' : `outside 3%: ${outside.map((r) => `${r.name} (${r.ratio.toFixed(3)})`).join(', ')}`}`);

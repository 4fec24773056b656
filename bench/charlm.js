// npm run bench:charlm — character-LM training throughput, side by side in one run: Embedding(V, 64)
// → one recurrent layer of 256 units → Linear(256, V), sequence 64, batch 32, on the shipped text
// (data/genesis-kjv.txt, V = 60), truncated BPTT, clipping, Adam; tensorgrad (native) and PyTorch
// (Debian python3-torch), each on 1 and 2 threads, each measurement in its own process after a
// warm-up. Also times the fused LSTM cell kernels against the same math from separate
// elementwise kernels. Prints a Markdown table (characters/s, ms/step, peak RSS, ratios) with the
// machine, thread counts and load; saves bench/results/charlm.{md,json}.
//
// Options: --quick (1.5 s per measurement), --seconds N, --repeats N (median), --cells lstm,gru.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { PYTORCH_PACKAGES, describeMachine, describePeers, ensurePackages, peerEnv, runMeasurement, tensorgradEnv } = require('./peers');

const HERE = __dirname;
const PYTHON = '/usr/bin/python3';
const TEXT = path.join(HERE, '..', 'data', 'genesis-kjv.txt');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const quick = args.includes('--quick');
const seconds = Number(option('--seconds', quick ? 1.5 : 5));
const repeats = Number(option('--repeats', 1));
const cells = option('--cells', 'lstm,gru').split(',');

const run = (command, argv, env) => runMeasurement(command, argv, env);

function median(results) {
  const ok = results.filter((r) => !r.error).sort((a, b) => a.charsPerSecond - b.charsPerSecond);
  return ok.length ? ok[Math.floor(ok.length / 2)] : results[0];
}

ensurePackages(PYTORCH_PACKAGES);
const hasTorch = spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
if (!hasTorch) console.error('bench:charlm: /usr/bin/python3 has no torch (apt-get install python3-torch): PyTorch rows skipped');

const peers = [
  ['tensorgrad', 1, (spec) => run(process.execPath, [path.join(HERE, 'charlm', 'tensorgrad-run.js'), JSON.stringify(spec)], tensorgradEnv(spec.threads))],
  ['tensorgrad', 2, (spec) => run(process.execPath, [path.join(HERE, 'charlm', 'tensorgrad-run.js'), JSON.stringify(spec)], tensorgradEnv(spec.threads))],
  ...(hasTorch ? [
    ['pytorch', 1, (spec) => run(PYTHON, [path.join(HERE, 'charlm', 'pytorch_run.py'), JSON.stringify(spec)], peerEnv(spec.threads, { preloadAllocator: true }))],
    ['pytorch', 2, (spec) => run(PYTHON, [path.join(HERE, 'charlm', 'pytorch_run.py'), JSON.stringify(spec)], peerEnv(spec.threads, { preloadAllocator: true }))],
  ] : []),
];

const load = os.loadavg();
const measured = [];
for (const cell of cells) {
  for (const [peer, threads, fn] of peers) {
    const spec = { text: TEXT, cell, hidden: 256, embedding: 64, seq: 64, batch: 32, threads, seconds };
    const result = median(Array.from({ length: repeats }, () => fn(spec)));
    measured.push({ cell, peer, threads, ...result });
    process.stderr.write(`${cell} ${peer} ${threads}T: ${result.error ?? `${Math.round(result.charsPerSecond)} chars/s`}\n`);
  }
}
const kernels = run(process.execPath, [path.join(HERE, 'charlm', 'cell-kernels.js'), JSON.stringify({ n: 32, hidden: 256, seconds: quick ? 0.5 : 1 })], tensorgradEnv(1));

const fmt = (v, d = 0) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(d) : '—');
const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
const torchVersion = measured.find((m) => m.torch)?.torch ?? 'absent';
const simd = require('../dist').nativeInfo().simd;
const lines = [
  '# bench:charlm',
  '',
  `machine: ${describeMachine()}; tensorgrad SIMD ${simd}, PyTorch ${torchVersion}; load average ${load.map((l) => l.toFixed(2)).join(', ')} at the start`,
  describePeers(),
  `model: Embedding(60, 64) → 1 recurrent layer, 256 units → Linear(256, 60); sequence 64, batch 32 (2 048 characters a step), truncated BPTT, clip 5, Adam lr 2e-3; ${fmt(seconds, 1)} s per measurement after 5 warm-up steps, median of ${repeats}`,
  '',
  '| cell | peer | threads | characters/s | ms/step | peak RSS MiB | tensorgrad ÷ PyTorch (same threads) |',
  '|---|---|---|---|---|---|---|',
];
for (const m of measured) {
  const torch = measured.find((x) => x.cell === m.cell && x.peer === 'pytorch' && x.threads === m.threads);
  const ratio = m.peer === 'tensorgrad' && torch && !torch.error && !m.error ? `${fmt(m.charsPerSecond / torch.charsPerSecond, 2)}×` : '';
  if (m.error) lines.push(`| ${m.cell} | ${m.peer} | ${m.threads} | ${m.error} | | | |`);
  else lines.push(`| ${m.cell} | ${m.peer} | ${m.threads} | ${fmt(m.charsPerSecond)} | ${fmt(m.msPerStep, 1)} | ${fmt(m.peakRssMiB)} | ${ratio} |`);
}
lines.push('');
if (load[0] > os.cpus().length) {
  lines.push(`The load average (${load[0].toFixed(1)}) exceeds the ${os.cpus().length} cores: other processes compete for them, so every figure is low and the 2-thread rows (PyTorch's OpenMP threads above all, which spin while they wait) say little; compare the 1-thread rows.`);
  lines.push('');
}
if (!kernels.error) {
  lines.push(`LSTM cell kernels at [32, 256], forward + backward of one step, 1 thread: fused ${fmt(kernels.fusedMicros, 1)} µs, from separate elementwise kernels ${fmt(kernels.unfusedMicros, 1)} µs (fused ÷ separate time: ${fmt(kernels.fusedMicros / kernels.unfusedMicros, 2)}).`);
  lines.push('');
}
const table = `${lines.join('\n')}`;
console.log(table);
const dir = path.join(HERE, 'results');
fs.mkdirSync(dir, { recursive: true });
fs.writeFileSync(path.join(dir, 'charlm.md'), `${table}\n`);
fs.writeFileSync(path.join(dir, 'charlm.json'), `${JSON.stringify({ date: new Date().toISOString(), machine: cpu, cores: os.cpus().length, load, seconds, repeats, measured, kernels }, null, 2)}\n`);

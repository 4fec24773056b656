// npm run bench:inference — inference throughput side by side in one run: the 784-256-128-10
// MLP of `tensorgrad train` at batch 1, 32 and 1000, the CNN of `tensorgrad train --model
// c32k3-bn-relu-p2-c64k3-bn-relu-p2-f-128-10` on 28×28 images at batch 1, 32 and 256, and the
// character LM of `train-lm` (Embedding(60, 64) → LSTM 256 → Linear(256, 60), 64 characters,
// batch 1 and 32); tensorgrad (native, eval, no tape) against ONNX Runtime running the file
// tensorgrad exported (1 and 2 intra-op threads) and PyTorch at its best (tcmalloc preloaded,
// OpenBLAS overrides unset, inference_mode). Each measurement in its own process after a
// warm-up. Prints a Markdown table; saves bench/results/inference.{md,json}.
//
// Options: --quick (1 s per measurement), --seconds N, --models mlp,cnn,charlm (default all).
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { PYTORCH_PACKAGES, describeMachine, describePeers, ensurePackages, peerEnv, runMeasurement, tensorgradEnv } = require('./peers');
const { buildModels, CHARLM, SEQUENCE, CNN_SPEC, IMAGE } = require('./inference/models');

const HERE = __dirname;
const PYTHON = '/usr/bin/python3';
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const seconds = Number(option('--seconds', args.includes('--quick') ? 1 : 3));
const chosen = option('--models', 'mlp,cnn,charlm').split(',');

const run = (command, argv, env) => runMeasurement(command, argv, env);

ensurePackages(PYTORCH_PACKAGES);
const hasTorch = spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
let hasOrt = true;
try { require.resolve('onnxruntime-node'); } catch { hasOrt = false; }

// The files every peer reads: the exported ONNX model and the raw weights for PyTorch.
const tg = require('../dist');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tensorgrad-bench-inference-'));
const models = buildModels(tg);
const files = {};
for (const name of Object.keys(models).filter((m) => chosen.includes(m))) {
  const { model, inputShape } = models[name](1);
  model.eval();
  files[name] = { onnx: path.join(work, `${name}.onnx`), weights: path.join(work, name), shapes: {} };
  tg.onnx.exportModel(model, { inputShape, file: files[name].onnx });
  fs.mkdirSync(files[name].weights);
  for (const [key, t] of Object.entries(model.stateDict())) {
    // PyTorch's LSTM keeps the same names and layout; our CharLM's keys match its modules.
    files[name].shapes[key] = t.shape;
    fs.writeFileSync(path.join(files[name].weights, `${key}.f32`), Buffer.from(Float32Array.from(t.data).buffer));
  }
}

const CASES = [['mlp', 1], ['mlp', 32], ['mlp', 1000], ['cnn', 1], ['cnn', 32], ['cnn', 256], ['charlm', 1], ['charlm', 32]].filter(([m]) => chosen.includes(m));
const load = os.loadavg();
const measured = [];
for (const [model, batch] of CASES) {
  const { perCall, unit } = models[model](batch);
  const dims = model === 'charlm' ? [batch, SEQUENCE] : [batch, 784];
  const peers = [
    ['tensorgrad', 1, () => run(process.execPath, [path.join(HERE, 'inference', 'tensorgrad-run.js'), JSON.stringify({ model, batch, threads: 1, seconds })], tensorgradEnv(1))],
    ['tensorgrad', 2, () => run(process.execPath, [path.join(HERE, 'inference', 'tensorgrad-run.js'), JSON.stringify({ model, batch, threads: 2, seconds })], tensorgradEnv(2))],
    ...(hasOrt ? [1, 2].map((threads) => ['onnxruntime', threads, () => run(process.execPath, [path.join(HERE, 'inference', 'ort-run.js'), JSON.stringify({ file: files[model].onnx, dims, ids: model === 'charlm' ? CHARLM.vocabSize : 0, threads, seconds })], tensorgradEnv(threads))]) : []),
    ...(hasTorch ? [1, 2].map((threads) => ['pytorch', threads, () => run(PYTHON, [path.join(HERE, 'inference', 'pytorch_run.py'), JSON.stringify({ model, batch, threads, seconds, weights: files[model].weights, shapes: files[model].shapes, charlm: CHARLM, sequence: SEQUENCE, image: IMAGE })], peerEnv(threads, { preloadAllocator: true }))]) : []),
  ];
  for (const [peer, threads, fn] of peers) {
    const r = fn();
    const row = { model, batch, peer, threads, unit, ...r, perSecond: r.error ? null : perCall / r.secondsPerCall };
    measured.push(row);
    process.stderr.write(`${model} batch ${batch} ${peer} ${threads}T: ${r.error ?? `${(r.secondsPerCall * 1e6).toFixed(1)} µs/call`}\n`);
  }
}
fs.rmSync(work, { recursive: true, force: true });

const fmt = (v, d = 0) => (typeof v === 'number' && Number.isFinite(v) ? v.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) : '—');
const versions = {
  ort: measured.find((m) => m.ort)?.ort ?? 'absent', torch: measured.find((m) => m.torch)?.torch ?? 'absent',
};
const lines = [
  '# bench:inference',
  '',
  `machine: ${describeMachine()}; tensorgrad SIMD ${tg.nativeInfo().simd}, ONNX Runtime ${versions.ort} (onnxruntime-node, the file tensorgrad exported, graph optimizations on), PyTorch ${versions.torch}; load average ${load.map((l) => l.toFixed(2)).join(', ')} at the start`,
  describePeers(),
  `${fmt(seconds, 1)} s per measurement (median of 3 samples) after 5 warm-up calls, each in its own process`,
  '',
  '| model | batch | peer | threads | per second | µs/call | cores used | tensorgrad ÷ ONNX Runtime (same threads) |',
  '|---|---|---|---|---|---|---|---|',
];
for (const m of measured) {
  const ort = measured.find((x) => x.model === m.model && x.batch === m.batch && x.peer === 'onnxruntime' && x.threads === m.threads);
  const ratio = m.peer === 'tensorgrad' && ort && !ort.error && !m.error ? `${fmt(m.perSecond / ort.perSecond, 2)}×` : '';
  const name = m.model === 'mlp' ? 'MLP 784-256-128-10' : m.model === 'cnn' ? `CNN ${CNN_SPEC} (${IMAGE.slice(1).join('×')})` : `char LM (LSTM 256, ${SEQUENCE} chars)`;
  if (m.error) lines.push(`| ${name} | ${m.batch} | ${m.peer} | ${m.threads} | ${m.error} | | | |`);
  else lines.push(`| ${name} | ${m.batch} | ${m.peer} | ${m.threads} | ${fmt(m.perSecond)} ${m.unit} | ${fmt(m.secondsPerCall * 1e6, 1)} | ${fmt(m.cores, 2)} | ${ratio} |`);
}
lines.push('');
if (load[0] > os.cpus().length) {
  lines.push(`The load average (${load[0].toFixed(1)}) exceeds the ${os.cpus().length} cores: other processes compete for them, so the 2-thread rows say little; compare the 1-thread rows.`);
  lines.push('');
}
const table = lines.join('\n');
console.log(table);
const dir = path.join(HERE, 'results');
fs.mkdirSync(dir, { recursive: true });
fs.writeFileSync(path.join(dir, 'inference.md'), `${table}\n`);
fs.writeFileSync(path.join(dir, 'inference.json'), `${JSON.stringify({ date: new Date().toISOString(), machine: os.cpus()[0]?.model, cores: os.cpus().length, load, seconds, measured }, null, 2)}\n`);

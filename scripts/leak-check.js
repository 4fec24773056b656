#!/usr/bin/env node
// A loop of kernel calls (scripts/kernel-mix.js, every area) and training steps, for
// LeakSanitizer: scripts/sanitize.sh runs it against the ASan build with detect_leaks=1, and
// scripts/sanitizer-report.js then fails on any leak allocated from the addon's code (Node and
// V8 leave their own allocations to the OS at exit; those are not ours to judge).
'use strict';
const path = require('node:path');
const { mix } = require('./kernel-mix.js');

const tg = require(path.join(__dirname, '..', 'dist', 'index.js'));

const rounds = Number(process.argv[2] ?? 200);
const info = tg.nativeInfo();
if (!info.available) throw new Error(`leak-check: the native addon did not load: ${info.error}`);
const calls = mix(tg.nativeBackend());
for (let r = 0; r < rounds; r++) for (const [, call] of calls) call();

// Errors thrown from C++ (argument checks, out-of-memory) must not leak their messages either.
for (let r = 0; r < rounds; r++) {
  try {
    tg.nativeBackend().gemm(false, false, 2, 2, 2, 1, new Float32Array(3), new Float32Array(4), 0, new Float32Array(4));
  } catch {}
}

tg.manualSeed(0);
const net = new tg.nn.Sequential(new tg.nn.Linear(16, 32), new tg.nn.ReLU(), new tg.nn.Linear(32, 4));
const optimizer = new tg.optim.SGD(net.parameters(), { lr: 0.05, momentum: 0.9 });
const x = tg.randn([16, 16]);
const labels = Int32Array.from({ length: 16 }, (_, i) => i % 4);
let loss = NaN;
for (let s = 0; s < rounds; s++) {
  optimizer.zeroGrad();
  const l = tg.nn.functional.crossEntropy(net.call(x), labels);
  l.backward();
  optimizer.step();
  loss = l.item();
}
console.log(`leak-check: ${rounds} rounds of ${calls.length} kernels and ${rounds} training steps on ${info.path}; loss ${loss.toFixed(4)}`);

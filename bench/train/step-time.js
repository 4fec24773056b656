// One build's training (or inference) step, timed in its own process by CPU time and wall time:
//   node bench/train/step-time.js ROOT '{"batch":32,"variant":"mlp","threads":1,"steps":2000}'
// ROOT is a package root with dist/ built (bench/backend-ab-steps.js passes two). Synthetic
// Fashion-MNIST-shaped batches (the step's cost does not depend on the pixel values; denormals
// are flushed as in bench:train). Prints one JSON line: µs per step, by CPU time and by wall.
'use strict';
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { model } = require('./model');

const [root, specText = '{}'] = process.argv.slice(2);
const { batch = 32, variant = 'mlp', threads = 1, steps = 2000, warmup = 200 } = JSON.parse(specText);
const tg = require(path.join(path.resolve(root), 'dist'));
tg.setBackend('native');
tg.setFlushDenormal(true);
tg.setNumThreads(threads);
tg.manualSeed(0);

const net = model(tg, variant);
const optimizer = new tg.optim.Adam(net.parameters(), { lr: 1e-3 });
const pool = new tg.BufferPool();
const params = net.parameters();
const x = new tg.Tensor(Float32Array.from({ length: batch * 784 }, (_, i) => ((i * 37) % 256) / 255), [batch, 784]);
const y = new tg.Tensor(Float32Array.from({ length: batch }, (_, i) => (i * 7) % 10), [batch]);
const step = variant === 'inference'
  ? () => {
    pool.reclaim();
    pool.run(() => tg.noGrad(() => net.call(x)));
  }
  : () => {
    pool.reclaim();
    for (const p of params) if (p.grad) pool.give(p.grad.data);
    optimizer.zeroGrad();
    pool.run(() => tg.nn.functional.crossEntropy(net.call(x), y).backward());
    optimizer.step();
  };
if (variant === 'inference') net.eval();
for (let i = 0; i < warmup; i++) step();
const cpu = process.cpuUsage();
const start = performance.now();
for (let i = 0; i < steps; i++) step();
const used = process.cpuUsage(cpu);
process.stdout.write(`${JSON.stringify({ cpuMicros: (used.user + used.system) / steps, wallMicros: ((performance.now() - start) * 1000) / steps })}\n`);

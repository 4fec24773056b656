// One tensorgrad measurement, in its own process (so its thread count and peak RSS are its own):
// node bench/train/tensorgrad-run.js '{"batch":128,"threads":1,"variant":"mlp","seconds":3}'
// Prints one JSON line: samples/s, ms/step, peak RSS, and (with epochs) the test accuracy.
'use strict';
const { performance } = require('node:perf_hooks');
const tg = require('../../dist');
const { loadFashion, batches } = require('./fashion');
const { model: mlp } = require('./model');

const spec = JSON.parse(process.argv[2] ?? '{}');
const { batch = 128, threads = 1, variant = 'mlp', seconds = 3, warmupSteps = 20, epochs = 0, backend = 'native', seed = 0, flushDenormal = true, precision = 'fp32' } = spec;
tg.setBackend(backend);
// As torch.set_flush_denormal in pytorch_run.py: Adam's moments of weights whose gradient is
// mostly zero decay into subnormals and stay there, which this CPU processes slowly.
tg.setFlushDenormal(flushDenormal);
if (backend !== 'reference') tg.setNumThreads(threads);
tg.manualSeed(seed);

const model = () => mlp(tg, variant);

const data = loadFashion();
const net = model();
const optimizer = new tg.optim.Adam(net.parameters(), { lr: 1e-3 });
const pool = new tg.BufferPool();
// precision 'bf16': the forward (and so every GEMM of the step) under amp.autocast, as the
// Trainer's precision option does; the backward computes as its forward did.
const cast = precision === 'bf16' ? (fn) => tg.amp.autocast('bfloat16', fn) : (fn) => fn();
const loss = (x, y) => cast(() => tg.nn.functional.crossEntropy(net.call(x), y));

const params = net.parameters(); // once: the module tree does not change

function trainStep(x, y) {
  pool.reclaim();
  for (const p of params) if (p.grad) pool.give(p.grad.data);
  optimizer.zeroGrad();
  pool.run(() => loss(x, y).backward());
  optimizer.step();
}

function inferStep(x) {
  pool.reclaim();
  pool.run(() => tg.noGrad(() => cast(() => net.call(x))));
}

function accuracy(x, y) {
  net.eval();
  let correct = 0;
  for (const b of batches(x, y, 1000, false, 0)) {
    const predicted = tg.noGrad(() => tg.argmax(cast(() => net.call(b.x)), 1));
    predicted.forEach((p, i) => { if (p === b.y.data[i]) correct++; });
  }
  net.train();
  return correct / y.size;
}

const result = { peer: 'tensorgrad', backend, threads, batch, variant, precision, bf16Instructions: tg.nativeInfo().bf16 ?? false };
if (epochs > 0) {
  for (let e = 0; e < epochs; e++) for (const b of batches(data.train.x, data.train.y, batch, true, seed + e)) trainStep(b.x, b.y);
  result.testAccuracy = accuracy(data.test.x, data.test.y);
} else {
  // Batches prepared up front: data loading is not timed.
  const isInference = variant === 'inference';
  const list = [...batches(data.train.x, data.train.y, isInference ? 1000 : batch, !isInference, seed)];
  const step = (i) => (isInference ? inferStep(list[i % list.length].x) : trainStep(list[i % list.length].x, list[i % list.length].y));
  if (isInference) net.eval();
  for (let i = 0; i < warmupSteps; i++) step(i);
  let steps = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000 || steps < 5) step(warmupSteps + steps++);
  const elapsed = (performance.now() - start) / 1000;
  const perStep = isInference ? 1000 : batch;
  Object.assign(result, { steps, samplesPerSecond: (steps * perStep) / elapsed, msPerStep: (elapsed * 1000) / steps });
}
result.peakRssMiB = process.resourceUsage().maxRSS / 1024;
process.stdout.write(`${JSON.stringify(result)}\n`);

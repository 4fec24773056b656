// A small seeded MLP trained with Adam on a fixed synthetic problem, in plain CommonJS so that
// worker_threads (which cannot load TypeScript) run exactly what the main thread runs. Loads the
// compiled library (dist/, built by `npm test`'s pretest). Returns every parameter's values,
// concatenated, so two runs can be compared bit for bit.
'use strict';
const path = require('node:path');

const tg = require(path.join(__dirname, '..', '..', 'dist', 'index.js'));

// Large enough that the hidden layer's products (128·256·256 multiply-adds) run on the kernel
// thread pool, so concurrent workers really share it.
const FEATURES = 64;
const HIDDEN = 256;
const CLASSES = 8;
const BATCH = 128;

// Inputs and labels from the library's seeded generator: the same for every run with this seed.
function problem(seed) {
  tg.manualSeed(seed);
  const x = tg.randn([BATCH, FEATURES]);
  const labels = new Int32Array(BATCH);
  for (let i = 0; i < BATCH; i++) labels[i] = i % CLASSES;
  return { x, labels };
}

/** onStep(step, loss) runs after each step (the termination test reports progress from it). */
function trainMlp({ seed = 1, steps = 30, onStep } = {}) {
  const { x, labels } = problem(seed);
  tg.manualSeed(seed + 1);
  const model = new tg.nn.Sequential(
    new tg.nn.Linear(FEATURES, HIDDEN), new tg.nn.ReLU(),
    new tg.nn.Linear(HIDDEN, HIDDEN), new tg.nn.ReLU(),
    new tg.nn.Linear(HIDDEN, CLASSES),
  );
  const optimizer = new tg.optim.Adam(model.parameters(), { lr: 1e-2 });
  const losses = [];
  for (let step = 0; step < steps; step++) {
    optimizer.zeroGrad();
    const loss = tg.nn.functional.crossEntropy(model.call(x), labels);
    loss.backward();
    optimizer.step();
    losses.push(loss.item());
    if (onStep) onStep(step, losses[step]);
  }
  const params = model.parameters();
  const total = params.reduce((n, p) => n + p.data.length, 0);
  const weights = new Float32Array(total);
  let at = 0;
  for (const p of params) {
    weights.set(p.data, at);
    at += p.data.length;
  }
  return { weights, losses };
}

module.exports = { tg, trainMlp };

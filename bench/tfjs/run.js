// One TensorFlow.js measurement (backend "cpu" or "wasm"), in its own process, with the model,
// loss, optimizer and batches of bench/train/tensorgrad-run.js. Prints one JSON line.
'use strict';
const { performance } = require('node:perf_hooks');
const tf = require('@tensorflow/tfjs');
const path = require('node:path');
const { loadFashion, batches } = require('../train/fashion');

async function main() {
  const spec = JSON.parse(process.argv[2] ?? '{}');
  const { batch = 128, variant = 'mlp', seconds = 3, warmupSteps = 5, backend = 'cpu', seed = 0 } = spec;
  if (backend === 'wasm') {
    const wasm = require('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(`${path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`);
  }
  await tf.setBackend(backend);
  await tf.ready();
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [784], units: 256, activation: 'relu' }),
      tf.layers.dense({ units: 128, activation: 'relu' }),
      tf.layers.dense({ units: 10 }),
    ],
  });
  const optimizer = tf.train.adam(1e-3);
  const data = loadFashion();
  const isInference = variant === 'inference';
  const list = [...batches(data.train.x, data.train.y, isInference ? 1000 : batch, !isInference, seed)].slice(0, 50).map((b) => ({
    x: tf.tensor2d(b.x.data, b.x.shape),
    y: tf.oneHot(tf.tensor1d(Int32Array.from(b.y.data), 'int32'), 10),
  }));
  const step = (i) => {
    const { x, y } = list[i % list.length];
    if (isInference) {
      tf.tidy(() => model.predict(x)).dataSync();
      return;
    }
    const cost = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x)), true);
    cost.dataSync();
    cost.dispose();
  };
  for (let i = 0; i < warmupSteps; i++) step(i);
  let steps = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000 || steps < 3) step(warmupSteps + steps++);
  const elapsed = (performance.now() - start) / 1000;
  const perStep = isInference ? 1000 : batch;
  process.stdout.write(`${JSON.stringify({
    peer: `tfjs-${backend}`, batch, variant, threads: 1, steps, samplesPerSecond: (steps * perStep) / elapsed, msPerStep: (elapsed * 1000) / steps,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  })}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});

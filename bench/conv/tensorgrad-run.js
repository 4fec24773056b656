// One tensorgrad training measurement for bench/conv.js, in its own process: the model of
// spec.model built from its conv spec (as `tensorgrad train --model` builds it), Adam lr 1e-3,
// cross-entropy, on 8 Fashion-MNIST batches of spec.batch images taken in turn (random images
// without the data set), steps in a BufferPool as the Trainer runs them, timed for spec.seconds after a warm-up. Prints one JSON line.
'use strict';
const fs = require('node:fs');
const tg = require('../../dist');
const { convModelFrom } = require('../../dist/train/conv-spec');

const SPECS = {
  // The CNN: two conv blocks with BatchNorm2d, then a 128-unit hidden layer.
  cnn: 'c32k3-bn-relu-p2-c64k3-bn-relu-p2-f-128-10',
  // LeNet-5 on 28×28 (padding 2 on the first convolution), ReLU and max pooling; relu between the Linear layers.
  lenet5: 'c6k5p2-relu-p2-c16k5valid-relu-p2-f-120-84-10',
};

const spec = JSON.parse(process.argv[2]);
tg.setNumThreads(spec.threads ?? 1);
tg.setFlushDenormal(true);
tg.manualSeed(0);

function images(count) {
  const file = tg.data.datasets.FASHION_MNIST_DIR;
  if (!fs.existsSync(file)) {
    return { x: tg.rand([count, 1, 28, 28]), y: new tg.Tensor(Float32Array.from({ length: count }, (_, i) => i % 10), [count]) };
  }
  const { train } = tg.data.datasets.fashionMnist();
  const rows = Int32Array.from({ length: count }, (_, i) => i);
  return { x: tg.reshape(tg.gather(train.x, rows), [count, 1, 28, 28]), y: tg.gather(train.y, rows) };
}

const { model } = convModelFrom(SPECS[spec.model], [1, 28, 28], 10);
const optimizer = new tg.optim.Adam(model.parameters(), { lr: 1e-3 });
const batch = spec.batch;
const all = images(batch * 8);
const batches = Array.from({ length: 8 }, (_, i) => {
  const rows = Int32Array.from({ length: batch }, (_, r) => i * batch + r);
  return { x: tg.noGrad(() => tg.gather(all.x, rows)), y: tg.noGrad(() => tg.gather(all.y, rows)) };
});
// Each step's activations and gradients from a BufferPool, as Trainer.fit runs it (and as the
// CLI trains): the same buffers every step instead of fresh arrays the OS must fault in again.
const pool = new tg.BufferPool();
const params = model.parameters();
let next = 0;
function step() {
  const b = batches[next++ % 8];
  pool.reclaim();
  for (const p of params) if (p.grad) pool.give(p.grad.data);
  optimizer.zeroGrad();
  pool.run(() => tg.nn.functional.crossEntropy(model.call(b.x), b.y).backward());
  optimizer.step();
}
for (let i = 0; i < (spec.warmupSteps ?? 2); i++) step();
let steps = 0;
const start = performance.now();
let elapsed = 0;
do {
  step();
  steps++;
  elapsed = (performance.now() - start) / 1000;
} while (elapsed < spec.seconds);
// The ops take conv2d from the backend in use (lib/backend/kernels/conv.ts): native unless the addon is missing.
const native = tg.getBackend().name !== 'reference';
console.log(JSON.stringify({
  peer: 'tensorgrad', model: spec.model, batch, threads: spec.threads ?? 1, imagesPerSecond: (steps * batch) / elapsed, msPerStep: (1000 * elapsed) / steps,
  convPath: native ? 'native' : 'reference loops',
}));

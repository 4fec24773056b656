// One training-throughput measurement for bench/distributed.js: the MLP 784-256-128-10 (ReLU
// fused into the GEMMs, softmax cross-entropy, Adam lr 1e-3) at `batch` samples per process, as
// bench/train's tensorgrad run, or (model "cnn") the convolution issue's CNN
// c32k3-bn-relu-p2-c64k3-bn-relu-p2-f-128-10 as bench/conv builds it. Alone (node train.cjs '{"threads":2}') or under mpirun with
// DistributedDataParallel ('{"threads":1,"ddp":true,"overlap":true}'). Batches of Fashion-MNIST
// when installed, else of seeded random pixels (the step costs the same), prepared up front.
// Every rank runs the same number of steps: windows of `window` steps, the median timed.
// Rank 0 prints one JSON line: global samples/s, ms/step, the ms/step syncGradients took, and
// the cores the job got.
'use strict';
const fs = require('node:fs');
const { performance } = require('node:perf_hooks');
const tg = require('../../dist');
const { median } = require('../timing');

const spec = JSON.parse(process.argv[2] ?? '{}');
const { model = 'mlp', batch = 128, threads = 1, ddp = false, overlap = true, bucketCapMB, firstBucketCapMB, windows = 5, window = 150, warmup = 30 } = spec;
const group = ddp ? tg.distributed.init() : undefined;
const rank = group?.rank ?? 0;
tg.setNumThreads(threads);
tg.setFlushDenormal(true); // as bench/train: Adam's moments decay into subnormals
tg.manualSeed(0);

const FASHION = '/usr/share/datasets/fashion-mnist';
let x;
let y;
let source;
if (fs.existsSync(FASHION)) {
  ({ x, y } = tg.data.datasets.fashionMnist().train);
  source = 'Fashion-MNIST';
} else {
  x = tg.rand([8192, 784]);
  y = tg.tensor(Int32Array.from({ length: 8192 }, (_, i) => (i * 7) % 10), [8192]);
  source = 'random pixels (Fashion-MNIST not installed)';
}
// Each rank its own rows: rank r takes batches r, r + size, … of one permutation.
const size = group?.size ?? 1;
const order = tg.data.shuffledIndices(x.shape[0], 0, 0);
const list = [];
for (let b = rank; (b + 1) * batch <= x.shape[0] && list.length < 64; b += size) {
  const rows = order.subarray(b * batch, (b + 1) * batch);
  const images = tg.noGrad(() => tg.gather(x, rows));
  list.push({ x: model === 'cnn' ? tg.reshape(images, [batch, 1, 28, 28]) : images, y: tg.noGrad(() => tg.gather(y, rows)) });
}

const { nn } = tg;
// BatchNorm keeps per-rank statistics under DDP (the default, as PyTorch's).
const net = model === 'cnn'
  ? require('../../dist/train/conv-spec').convModelFrom('c32k3-bn-relu-p2-c64k3-bn-relu-p2-f-128-10', [1, 28, 28], 10).model
  : new nn.Sequential(new nn.Linear(784, 256, { activation: 'relu' }), new nn.Linear(256, 128, { activation: 'relu' }), new nn.Linear(128, 10));
const wrapped = ddp
  ? new tg.distributed.DistributedDataParallel(net, { overlap, ...(bucketCapMB ? { bucketCapMB } : {}), ...(firstBucketCapMB ? { firstBucketCapMB } : {}) })
  : net;
const optimizer = new tg.optim.Adam(net.parameters(), { lr: 1e-3 });
const pool = new tg.BufferPool();
const params = net.parameters();

function step(i) {
  const b = list[i % list.length];
  pool.reclaim();
  for (const p of params) if (p.grad) pool.give(p.grad.data);
  optimizer.zeroGrad();
  pool.run(() => tg.nn.functional.crossEntropy(wrapped.call(b.x), b.y).backward());
  if (ddp) wrapped.syncGradients();
  optimizer.step();
}

let i = 0;
for (; i < warmup; i++) step(i);
const perStep = [];
const syncPerStep = [];
// The cores this process got while timed (CPU time over wall time, the communication thread's
// polling included): on a shared machine 2 threads or 2 ranks may get less than 2.
const cpu0 = process.cpuUsage();
const wall0 = performance.now();
for (let w = 0; w < windows; w++) {
  if (group) tg.distributed.barrier();
  const sync0 = ddp ? wrapped.stats.seconds : 0;
  const start = performance.now();
  for (let k = 0; k < window; k++) step(i++);
  perStep.push((performance.now() - start) / 1000 / window);
  syncPerStep.push(ddp ? (wrapped.stats.seconds - sync0) / window : 0);
}
const used = process.cpuUsage(cpu0);
const cores = Float64Array.of((used.user + used.system) / 1e3 / (performance.now() - wall0));
if (group) tg.distributed.allreduce(cores); // the job's: every rank's cores added
const seconds = median(perStep);
const result = {
  model, processes: size, threads, batch, ddp, overlap: ddp ? overlap : undefined, source,
  samplesPerSecond: (size * batch) / seconds, msPerStep: seconds * 1e3, syncMsPerStep: median(syncPerStep) * 1e3,
  cores: cores[0], buckets: ddp ? wrapped.buckets.length : undefined, gradientBytes: params.reduce((n, p) => n + 4 * p.size, 0),
};
if (rank === 0) process.stdout.write(`${JSON.stringify(result)}\n`);

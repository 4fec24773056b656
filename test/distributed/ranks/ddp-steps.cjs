// 20 Adam steps of a digits MLP on global batches of 128, in one of four ways (argv[2]):
//   ddp, ddp-fixed   under mpirun -np 2: each rank trains on its 64 rows, DistributedDataParallel
//                    averages the gradients (MPI's order, or rank order)
//   single           one process, the whole batch of 128
//   halves           one process, the gradient of each half of 64 computed separately and
//                    averaged in float32 as (g0 + g1) / 2: what the ranks compute, in rank order
// argv[3]: the safetensors file the final weights (rank 0's) are written to. argv[4] (ddp):
// a bucket capacity in MiB; argv[5] no-overlap: reduce only after backward. Rank 1 seeds its generator differently: DDP must start it from
// rank 0's weights.
'use strict';
const tg = require('../../../dist');
const { distributed, nn, optim, data, manualSeed, tensor, io } = tg;

const [mode, out, cap, overlap] = process.argv.slice(2);
const distributedMode = mode === 'ddp' || mode === 'ddp-fixed';
const group = distributedMode ? distributed.init({ timeout: 60 }) : undefined;
const rank = group?.rank ?? 0;
tg.setNumThreads(1);

const { x, y } = data.datasets.digits({ scale: true });
manualSeed(rank === 0 ? 11 : 99);
let model = new nn.Sequential(new nn.Linear(64, 48), new nn.ReLU(), new nn.Linear(48, 32), new nn.Tanh(), new nn.Linear(32, 10));
const ddp = distributedMode
  ? new distributed.DistributedDataParallel(model, { reduceOrder: mode === 'ddp-fixed' ? 'fixed' : 'any', overlap: overlap !== 'no-overlap', ...(cap ? { bucketCapMB: Number(cap), firstBucketCapMB: Number(cap) } : {}) })
  : undefined;
const opt = new optim.Adam(model.parameters(), { lr: 3e-3 });
const loss = (out, target) => nn.functional.crossEntropy(out, target);

/** The rows of global step s: a fixed scramble of the 1797 digits. */
function rows(step, from, count) {
  return Int32Array.from({ length: count }, (_, i) => ((step * 128 + from + i) * 37) % 1797);
}
const batch = (step, from, count) => {
  const r = rows(step, from, count);
  return { x: tg.gather(x, r), y: tg.gather(y, r) };
};

for (let step = 0; step < 20; step++) {
  opt.zeroGrad();
  if (distributedMode) {
    const b = batch(step, 64 * rank, 64);
    loss(ddp.call(b.x), b.y).backward();
    ddp.syncGradients();
  } else if (mode === 'single') {
    const b = batch(step, 0, 128);
    loss(model.call(b.x), b.y).backward();
  } else {
    const grads = [0, 1].map((half) => {
      opt.zeroGrad();
      const b = batch(step, 64 * half, 64);
      loss(model.call(b.x), b.y).backward();
      return model.parameters().map((p) => p.grad.data.slice());
    });
    model.parameters().forEach((p, i) => {
      const g0 = grads[0][i];
      const g1 = grads[1][i];
      const mean = new Float32Array(g0.length);
      for (let k = 0; k < g0.length; k++) mean[k] = Math.fround(g0[k] + g1[k]) / 2;
      p.grad = tensor(mean, p.shape);
    });
  }
  opt.step();
}
// Every rank holds the same weights: rank 1 reports how many elements differ from rank 0's.
if (group) {
  const flat = Float32Array.from(model.parameters().flatMap((p) => Array.from(p.data)));
  const gathered = distributed.allgather(flat);
  let differ = 0;
  for (let i = 0; i < flat.length; i++) if (!Object.is(gathered[i], gathered[flat.length + i])) differ++;
  require('./records.cjs').recorder(rank)({ what: 'replicas', differ, buckets: ddp.buckets.length, overlapped: ddp.stats.overlapped, stateKeys: Object.keys(ddp.stateDict()) });
}
if (rank === 0) io.save(model.stateDict(), out);

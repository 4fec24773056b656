// DistributedDataParallel's contract on 2 ranks, case by case (JSON lines per rank):
// the model check, the start from rank 0's parameters and buffers, unused parameters, noSync,
// per-rank and broadcast BatchNorm statistics, row-sparse gradients, and the layer's stateDict.
'use strict';
const tg = require('../../../dist');
const { distributed, nn, manualSeed, tensor } = tg;

const group = distributed.init({ timeout: 60 });
const { rank } = group;
const say = require('./records.cjs').recorder(rank);
const flat = (params) => Float32Array.from(params.flatMap((p) => Array.from(p.data)));
const same = (a, b) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
/** Whether every rank holds the same values. */
function agreed(values) {
  const all = distributed.allgather(values);
  return same(all.subarray(0, values.length), all.subarray(values.length));
}

// A model that differs on rank 1: every rank throws, naming rank 1.
try {
  new distributed.DistributedDataParallel(new nn.Linear(4, rank === 0 ? 3 : 5));
  say({ what: 'mismatch', error: null });
} catch (e) {
  say({ what: 'mismatch', error: e.message });
}

// Rank 1 starts elsewhere; after construction both hold rank 0's parameters and buffers.
manualSeed(rank === 0 ? 1 : 2);
const bn = new nn.BatchNorm1d(3);
bn.runningMean.data.fill(rank + 0.5);
const net = new nn.Sequential(new nn.Linear(4, 3), bn);
const before = flat(net.parameters());
const ddpNet = new distributed.DistributedDataParallel(net);
say({
  what: 'start', differedBefore: !agreed(before), agreeAfter: agreed(flat(net.parameters())),
  runningMean: Array.from(bn.runningMean.data), keys: Object.keys(ddpNet.stateDict()), names: ddpNet.buckets.flatMap((b) => b.parameters),
});

// Per-rank statistics by default: each rank's running mean follows its own batches.
const local = tensor(Array.from({ length: 8 }, (_, i) => [i + rank * 10, i, -i, rank]));
ddpNet.call(local);
say({ what: 'bn-per-rank', runningMeanAgrees: agreed(Float32Array.from(bn.runningMean.data)) });
// With broadcastBuffers each forward starts from rank 0's statistics: after two forwards a
// rank's running mean is 0.9·(rank 0's after the first) + 0.1·(its own batch mean).
const batchMean = Array.from({ length: 4 }, (_, j) => Array.from({ length: 8 }, (_, i) => local.data[i * 4 + j]).reduce((a, b) => a + b) / 8);
function startOfSecondForward(broadcastBuffers) {
  const layer = new nn.BatchNorm1d(4);
  const wrapped = new distributed.DistributedDataParallel(layer, { broadcastBuffers });
  wrapped.call(local);
  wrapped.call(local);
  const base = Float32Array.from(layer.runningMean.data, (v, j) => (v - 0.1 * batchMean[j]) / 0.9);
  const all = distributed.allgather(base);
  return Math.max(...Array.from(base, (_, j) => Math.abs(all[j] - all[4 + j])));
}
say({ what: 'bn-broadcast', broadcast: startOfSecondForward(true), perRank: startOfSecondForward(false) });

// Two heads; rank 1 never uses head b: its gradient counts as zeros, so both get rank 0's / 2.
manualSeed(3);
class TwoHeads extends nn.Module {
  constructor() {
    super();
    this.trunk = new nn.Linear(4, 4);
    this.a = new nn.Linear(4, 2);
    this.b = new nn.Linear(4, 2);
  }
  forward(x) {
    const h = this.trunk.call(x).relu();
    return rank === 0 ? this.a.call(h).add(this.b.call(h)) : this.a.call(h);
  }
}
const heads = new TwoHeads();
const ddpHeads = new distributed.DistributedDataParallel(heads, { bucketCapMB: 1e-5, firstBucketCapMB: 1e-5 });
const input = tensor(Array.from({ length: 5 }, (_, i) => [i, 1 - i, rank, 0.5]));
ddpHeads.call(input).sum().backward();
const ownB = heads.b.weight.grad ? Array.from(heads.b.weight.grad.data) : null;
const ownA = Float32Array.from(heads.a.weight.grad.data);
// No collective of our own between backward and syncGradients: with overlap, rank 0 has
// started head b's bucket during backward, rank 1 (which never used it) starts it only now.
ddpHeads.syncGradients();
const gatheredA = distributed.allgather(ownA);
const meanA = Array.from(ownA, (_, i) => Math.fround(gatheredA[i] + gatheredA[ownA.length + i]) / 2);
say({
  what: 'unused', ownB, b: Array.from(heads.b.weight.grad.data), aIsMean: same(Array.from(heads.a.weight.grad.data), meanA), buckets: ddpHeads.buckets.length,
});

// noSync: two backward passes accumulate locally; one sync then averages the sums.
heads.zeroGrad();
ddpHeads.noSync(() => {
  ddpHeads.call(input).sum().backward();
  ddpHeads.syncGradients(); // does nothing inside noSync
  ddpHeads.call(input.mul(2)).sum().backward();
});
const accumulated = Float32Array.from(heads.trunk.weight.grad.data);
ddpHeads.syncGradients();
const gatheredT = distributed.allgather(accumulated);
const meanT = Array.from(accumulated, (_, i) => Math.fround(gatheredT[i] + gatheredT[accumulated.length + i]) / 2);
say({ what: 'nosync', trunkIsMeanOfSums: same(Array.from(heads.trunk.weight.grad.data), meanT), localDiffered: !agreed(accumulated) });

// Two backward passes without noSync: with overlap the second throws (the reductions started
// during the first hold its gradients only); with overlap false the mean is that of the sums.
function twoPasses(overlap) {
  manualSeed(5);
  const model = new nn.Linear(4, 3);
  const wrapped = new distributed.DistributedDataParallel(model, { overlap });
  try {
    wrapped.call(input).sum().backward();
    wrapped.call(input.mul(3)).sum().backward();
  } catch (e) {
    return { error: e.message };
  }
  const sums = model.parameters().map((p) => Float32Array.from(p.grad.data));
  wrapped.syncGradients();
  const meansOk = model.parameters().every((p, k) => {
    const all = distributed.allgather(sums[k]);
    const n = sums[k].length;
    return same(Array.from(p.grad.data), Array.from(sums[k], (_, i) => Math.fround(all[i] + all[n + i]) / 2));
  });
  return { meansOk };
}
say({ what: 'twice-overlap', ...twoPasses(true) });
say({ what: 'twice-after', ...twoPasses(false) });

// Row-sparse gradients: rank r touches rows {r, 2}; after the mean the record is gone (dense).
manualSeed(4);
const emb = new nn.Embedding(5, 2, { sparse: true });
const ddpEmb = new distributed.DistributedDataParallel(emb);
ddpEmb.call(Int32Array.from([rank, 2])).sum().backward();
const rowsBefore = emb.weight.gradRows ? Array.from(emb.weight.gradRows) : null;
ddpEmb.syncGradients();
say({ what: 'sparse', rowsBefore, rowsAfter: emb.weight.gradRows, grad: Array.from(emb.weight.grad.data), stats: ddpEmb.stats.syncs });
say({ what: 'done' });

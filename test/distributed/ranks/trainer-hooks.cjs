// The Trainer callbacks of a distributed run on 2 ranks: a stop decided on rank 1 alone (at
// epoch 1, batch 2) stops rank 0 at the same batch; the epoch record is the job's (loss and
// accuracy the ranks' means, samples/s their sum); the gradients the optimizer sees are the same
// on every rank (the mean, as test/distributed/ddp.test.ts checks to the bit).
'use strict';
const tg = require('../../../dist');
const { distributed, nn, optim, data, manualSeed, tensor, Trainer } = tg;

const group = distributed.init({ timeout: 60 });
const { rank } = group;
const say = require('./records.cjs').recorder(rank);

manualSeed(2);
const n = 64;
const x = tensor(Array.from({ length: n }, (_, i) => [Math.sin(i), Math.cos(3 * i), i / n]));
const y = tensor(Array.from({ length: n }, (_, i) => i % 3));
const dataset = new data.TensorDataset(x, y);
const loader = new data.DataLoader(dataset, { batchSize: 4, sampler: new distributed.DistributedSampler(dataset, { seed: 1 }) });
const model = new nn.Sequential(new nn.Linear(3, 8), new nn.ReLU(), new nn.Linear(8, 3));
const ddp = new distributed.DistributedDataParallel(model);
const local = [];
const batchesRun = [];
const stopper = {
  onBatchEnd(record, trainer) {
    if (rank === 1 && record.epoch === 1 && record.batch === 2) trainer.stop('rank 1 wants to stop');
  },
};
const recorder = {
  // Before GlobalEpochRecord: what this rank measured itself.
  onBatchEnd(record) {
    batchesRun[record.epoch] = (batchesRun[record.epoch] ?? 0) + 1;
  },
  onEpochEnd(record) {
    local.push({ trainLoss: record.trainLoss, accuracy: record.train.accuracy, samplesPerSecond: record.samplesPerSecond });
  },
};
const meanCheck = {
  onGradients(step) {
    // The gradients after SyncGradients: the same on every rank.
    const g = Float32Array.from(model.parameters().flatMap((p) => Array.from(p.grad.data)));
    const all = distributed.allgather(g);
    this.same ??= true;
    for (let i = 0; i < g.length; i++) if (!Object.is(all[i], all[g.length + i])) this.same = false;
    void step;
  },
};
const trainer = new Trainer({
  model: ddp, loss: (o, t) => nn.functional.crossEntropy(o, t), optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }), metrics: ['accuracy'],
  callbacks: [new distributed.SyncGradients(ddp), meanCheck, recorder, new distributed.GlobalEpochRecord(group), stopper, new distributed.AgreeOnStopping(group)],
});
(async () => {
  const result = await trainer.fit(loader, { epochs: 3 });
  const all = distributed.allgather(Float64Array.from(local.flatMap((r) => [r.trainLoss, r.accuracy, r.samplesPerSecond])));
  say({
    what: 'fit', epochs: result.history.length, stopped: result.stoppedEarly ?? null, history: result.history.map((h) => [h.trainLoss, h.train.accuracy, h.samplesPerSecond]),
    local: Array.from(all), gradientsAgree: meanCheck.same, batchesPerEpoch: loader.length, batchesRun,
  });
})().catch((e) => {
  console.error(e);
  process.exit(1);
});

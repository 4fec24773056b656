// Data-parallel training in a page: every rank mpirun (or srun) starts runs this script; they
// train one model, each on its own shard of every epoch, and rank 0 alone prints and saves it.
//
//   npm run build && mpirun -np 2 node examples/distributed-mlp.mjs [epochs] [out.safetensors]
//
// As root add --allow-run-as-root; with more ranks than cores, --oversubscribe (docs/distributed.md).
import { Trainer, data, distributed, manualSeed, nn, optim, setNumThreads } from 'tensorgrad';

const epochs = Number(process.argv[2] ?? 10);
const out = process.argv[3] ?? 'digits-ddp.safetensors';

const group = distributed.init(); // rank and world size from mpirun or srun; alone, a world of 1
setNumThreads(distributed.threadsPerRank()); // the host's cores shared among its ranks

manualSeed(0);
const { x, y } = data.datasets.digits({ scale: true });
const dataset = new data.TensorDataset(x, y);
// Each rank its own shard of every epoch: disjoint, together the whole set once.
const sampler = new distributed.DistributedSampler(dataset, { seed: 0 });
const loader = new data.DataLoader(dataset, { batchSize: 32, sampler }); // 32 per rank and step

// BatchNorm statistics over the whole step's batch, not each rank's 32 rows.
const model = nn.SyncBatchNorm.convert(new nn.Sequential(
  new nn.Linear(64, 128), new nn.BatchNorm1d(128), new nn.ReLU(),
  new nn.Linear(128, 10),
));
// Checks every rank built the same model, then gives each rank 0's weights.
const ddp = new distributed.DistributedDataParallel(model);

const trainer = new Trainer({
  model: ddp,
  loss: (logits, target) => nn.functional.crossEntropy(logits, target),
  optimizer: new optim.Adam(model.parameters(), { lr: 1e-3 }),
  metrics: ['accuracy'],
  callbacks: [
    new distributed.SyncGradients(ddp), // the gradients' mean over the ranks, before each step
    new distributed.GlobalEpochRecord(group), // the epoch's loss, accuracy and samples/s: the job's
    ...(group.rank === 0 ? [{
      onEpochEnd: (r) => console.log(`epoch ${r.epoch + 1}: loss ${r.trainLoss.toFixed(4)}, accuracy ${(100 * r.train.accuracy).toFixed(1)}%, ${Math.round(r.samplesPerSecond)} samples/s`),
    }] : []),
    new distributed.AgreeOnStopping(group), // one rank's stop stops all at the same batch
  ],
});
await trainer.fit(loader, { epochs });
if (group.rank === 0) {
  model.save(out);
  console.log(`${group.size} ranks; saved ${out}`);
}

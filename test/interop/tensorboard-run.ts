// A small classifier trained with a TensorBoardLogger, and what the run really did (every batch
// record, every epoch record, the weights and gradients at each histogram point), for the tests
// that read the event files back: test/train/tensorboard-logger.test.ts and, with TensorBoard's
// own reader, test/interop/tensorboard-reader.test.ts.
import {
  type BatchRecord, type Callback, type EpochRecord, type Tensor, TensorBoardLogger, type TensorBoardLoggerOptions, Trainer,
  captureLayers, data, manualSeed, nn, optim, randn, tensor,
} from '../../lib';

export interface Snapshot {
  /** The global step the logger wrote the histograms at. */
  step: number;
  weights: Record<string, Float32Array | Float64Array>;
  gradients: Record<string, Float32Array | Float64Array>;
  /** Each leaf layer's output on the probe (evaluation mode) and the loss's gradient there, by "<name> (<type>)". */
  activations: Record<string, Float32Array | Float64Array>;
  activationGradients: Record<string, Float32Array | Float64Array>;
}

export interface LoggedRun {
  trainer: Trainer;
  logger: TensorBoardLogger;
  batches: BatchRecord[];
  /** The epoch's running accuracy after each batch, and the learning rate. */
  batchAccuracy: number[];
  batchLr: number[];
  epochs: EpochRecord[];
  snapshots: Snapshot[];
  probe: { x: Tensor; y: Tensor };
}

/** Records what the logger is meant to log, from the same hooks (it runs after the logger). */
class Witness implements Callback {
  constructor(private readonly run: LoggedRun, private readonly every: number) {}
  private snapshot(trainer: Trainer): void {
    const copy = (pairs: [string, Float32Array | Float64Array | undefined][]) =>
      Object.fromEntries(pairs.filter((p): p is [string, Float32Array | Float64Array] => p[1] !== undefined).map(([k, v]) => [k, v.slice()]));
    const wasTraining = trainer.model.training;
    trainer.model.eval();
    const layers = captureLayers(trainer.model, this.run.probe.x, { loss: trainer.loss, target: this.run.probe.y });
    trainer.model.train(wasTraining);
    this.run.snapshots.push({
      step: this.run.logger.step,
      weights: copy(trainer.model.namedParameters().map(([k, p]) => [k, p.data as Float32Array])),
      gradients: copy(trainer.model.namedParameters().map(([k, p]) => [k, p.grad?.data as Float32Array | undefined])),
      activations: copy(layers.map((l) => [`${l.name} (${l.type})`, l.output.data as Float32Array])),
      activationGradients: copy(layers.map((l) => [`${l.name} (${l.type})`, l.grad?.data as Float32Array | undefined])),
    });
  }
  onTrainBegin(trainer: Trainer): void {
    if (trainer.history.length === 0) this.snapshot(trainer);
  }
  onBatchEnd(record: BatchRecord, trainer: Trainer): void {
    this.run.batches.push({ ...record });
    this.run.batchAccuracy.push(trainer.metrics[0]!.compute());
    this.run.batchLr.push(trainer.optimizer.paramGroups[0]!.lr);
  }
  onEpochEnd(record: EpochRecord, trainer: Trainer): void {
    this.run.epochs.push({ ...record });
    if ((record.epoch + 1) % this.every === 0) this.snapshot(trainer);
  }
}

export function classifierData(n: number, seed: number): { x: Tensor; y: Tensor } {
  manualSeed(seed);
  const x = randn([n, 6]);
  // The class is the largest of the first three inputs.
  const y = Array.from({ length: n }, (_, i) => {
    const row = Array.from(x.data.subarray(i * 6, i * 6 + 3));
    return row.indexOf(Math.max(...row));
  });
  return { x, y: tensor(y) };
}

export function makeClassifier(seed: number): nn.Sequential {
  manualSeed(seed);
  return new nn.Sequential(new nn.Linear(6, 16), new nn.Tanh(), new nn.Dropout(0.25), new nn.Linear(16, 3));
}

/** Trains the classifier for `epochs` (4 batches of 16 each) with a logger writing into `dir`. */
export async function loggedRun(dir: string, epochs: number, options: TensorBoardLoggerOptions = {}): Promise<LoggedRun> {
  const train = classifierData(64, 1);
  const validation = classifierData(32, 2);
  const model = makeClassifier(3);
  const optimizer = new optim.SGD(model.parameters(), { lr: 0.2, momentum: 0.5 });
  const scheduler = new optim.lrScheduler.StepLR(optimizer, { stepSize: 1, gamma: 0.5 });
  const logger = new TensorBoardLogger(dir, { probe: validation, ...options });
  const run: LoggedRun = { trainer: undefined as unknown as Trainer, logger, batches: [], batchAccuracy: [], batchLr: [], epochs: [], snapshots: [], probe: validation };
  const witness = new Witness(run, options.histograms ?? 1);
  run.trainer = new Trainer({ model, loss: nn.functional.crossEntropy, optimizer, scheduler, metrics: ['accuracy'], callbacks: [logger, witness] });
  const loader = new data.DataLoader(new data.TensorDataset(train.x, train.y), { batchSize: 16, shuffle: true, seed: 4 });
  const validationLoader = new data.DataLoader(new data.TensorDataset(validation.x, validation.y), { batchSize: 32 });
  await run.trainer.fit(loader, { epochs, validation: validationLoader });
  return run;
}

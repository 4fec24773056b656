/**
 * Trainer: the training loop of a practitioner. fit() runs epochs of trainStep(batch) (forward,
 * loss, backward, gradient hooks, optimizer step), steps the schedule, evaluates on validation
 * data, keeps a history and the best model's state, and calls callbacks. It is async and yields
 * to the event loop between batches, so a server keeps serving while it trains, and an
 * AbortSignal cancels it.
 *
 * The optimizer's float32 parameters live in one ParameterArena (when the update rule is
 * elementwise): each step copies the gradients into it and the optimizer updates every parameter
 * with one native call, with the same bits as a call per parameter.
 */
import { autocast } from '../autograd/autocast';
import { noGrad } from '../autograd/grad-mode';
import { BufferPool, Tensor } from '../autograd/tensor';
import type { FloatArray } from '../autograd/tensor';
import type { Batch } from '../data/dataset';
import type { Module } from '../nn/module';
import { ParameterArena } from '../nn/parameter-arena';
import type { LRScheduler } from '../optim/lr-scheduler/scheduler';
import type { ReduceLROnPlateau } from '../optim/lr-scheduler/plateau';
import type { BaseHyper, Optimizer } from '../optim/optimizer';
import type { CallbackOf } from './callback';
import { makeMetric, type Metric, type MetricSpec } from './metrics';
import { copyModelState, restoreModelState } from './model-state';
import type { BatchRecord, EpochRecord, Evaluation, FitResult, TrainerState, TrainStep } from './records';

export type { BatchRecord, EpochRecord, Evaluation, FitResult, TrainerState, TrainStep } from './records';

export type LossFunction = (output: Tensor, target: Tensor) => Tensor;

/** A callback of the Trainer's (see CallbackOf for the hooks and their order). */
export type Callback = CallbackOf<Trainer>;

export interface TrainerOptions {
  model: Module;
  loss: LossFunction;
  optimizer: Optimizer<BaseHyper>;
  /** Stepped once per epoch after the optimizer; ReduceLROnPlateau gets the validation loss. */
  scheduler?: LRScheduler | ReduceLROnPlateau;
  metrics?: MetricSpec[];
  callbacks?: Callback[];
  /**
   * Move the optimizer's float32 parameters into one ParameterArena at the first step (their
   * .data become views of it). Default: when the optimizer updates contiguous parameters in one
   * call (every built-in rule but SparseAdam). true also for other optimizers (a gradient
   * all-reduce then has one buffer to send); false never.
   */
  flatParameters?: boolean;
  /**
   * 'bf16': the forward passes (training and evaluation) run under amp.autocast('bfloat16'): the
   * matrix products multiply bfloat16 operands with float32 accumulation, the backward products
   * too; parameters, gradients, optimizer state and losses stay float32
   * (docs/mixed-precision.md). Default 'fp32'.
   */
  precision?: Precision;
}

export const PRECISIONS = ['fp32', 'bf16'] as const;
export type Precision = (typeof PRECISIONS)[number];

export interface FitOptions {
  epochs: number;
  validation?: Iterable<Batch>;
  signal?: AbortSignal;
  /** What "best" means: a key of the epoch record (default valLoss, else trainLoss). */
  monitor?: string;
}

/** What trainStep returns: the batch's loss, the model's output (valid until the next step). */
export interface StepResult {
  loss: number;
  output: Tensor;
  size: number;
  /** Why the optimizer update was skipped, or null. */
  skipped: string | null;
}

/** Reads a monitored value from a record: "valLoss", "trainLoss", "val.accuracy", "train.accuracy". */
export function monitoredValue(record: EpochRecord, key: string): number | undefined {
  const [first, second] = key.split('.');
  const value = second === undefined ? (record as unknown as Record<string, unknown>)[first!] : (record as unknown as Record<string, Record<string, number>>)[first!]?.[second];
  return typeof value === 'number' ? value : undefined;
}

/** Whether larger is better for a monitored key: losses no, metrics as they say. */
function higherIsBetter(key: string, metrics: Metric[]): boolean {
  const name = key.split('.')[1];
  return name !== undefined && (metrics.find((m) => m.name === name)?.higherIsBetter ?? false);
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The step the hooks see; one object, refilled each step. */
class StepState implements TrainStep {
  epoch = 0;
  batch = 0;
  size = 0;
  output!: Tensor;
  loss!: Tensor;
  skipped: string | null = null;
  constructor(readonly parameters: readonly Tensor[], public gradients: Float32Array | null) {}
  skip(reason: string): void {
    this.skipped ??= String(reason);
  }
}

export class Trainer {
  readonly model: Module;
  readonly loss: LossFunction;
  readonly optimizer: Optimizer<BaseHyper>;
  readonly scheduler: LRScheduler | ReduceLROnPlateau | undefined;
  readonly metrics: Metric[];
  readonly callbacks: Callback[];
  readonly precision: Precision;
  history: EpochRecord[] = [];
  /** The state dict (copied) of the best epoch so far, by the monitored value. */
  bestState: Record<string, Tensor> | null = null;
  bestEpoch = -1;
  bestValue = Number.NaN;
  /** The epoch being trained (or last trained). */
  epoch = 0;
  /** Epochs the current fit() call will run (for progress displays). */
  plannedEpochs = 0;
  /** What the callbacks advised during the current or last fit() (see advise). */
  advice: string[] = [];
  #stopReason: string | undefined;
  #batch = 0;
  readonly #flat: boolean;
  #arena: ParameterArena | null | undefined;
  #step: StepState | undefined;
  readonly #release = (buffer: FloatArray) => this.#pool.give(buffer);
  /**
   * Activations and gradients of one step, reused by the next: the output and loss a batch
   * callback receives are valid until the next batch starts.
   */
  readonly #pool = new BufferPool();

  /** Buffers the training steps made new and reused (steady state: none made). */
  get bufferStats(): { created: number; reused: number } {
    return { ...this.#pool.stats };
  }

  constructor(options: TrainerOptions) {
    if (!options?.model || typeof options.model.forward !== 'function') throw new TypeError('Trainer: Expected a model (a Module)');
    if (typeof options.loss !== 'function') throw new TypeError('Trainer: Expected a loss function (output, target) => Tensor');
    if (!options.optimizer || typeof options.optimizer.step !== 'function') throw new TypeError('Trainer: Expected an optimizer');
    if (options.flatParameters !== undefined && typeof options.flatParameters !== 'boolean') {
      throw new TypeError(`Trainer: Expected true or false for flatParameters but received ${String(options.flatParameters)}`);
    }
    this.model = options.model;
    this.loss = options.loss;
    this.optimizer = options.optimizer;
    this.scheduler = options.scheduler;
    this.metrics = (options.metrics ?? []).map(makeMetric);
    this.callbacks = options.callbacks ?? [];
    this.#flat = options.flatParameters ?? this.optimizer.elementwise === true;
    if (options.precision !== undefined && !(PRECISIONS as readonly unknown[]).includes(options.precision)) {
      throw new TypeError(`Trainer: Expected "fp32" or "bf16" for precision but received ${typeof options.precision === 'string' ? `"${options.precision}"` : String(options.precision)}`);
    }
    this.precision = options.precision ?? 'fp32';
  }

  /** fn under the trainer's precision: autocast to bfloat16 for 'bf16', as it is for 'fp32'. */
  private forward<T>(fn: () => T): T {
    return this.precision === 'bf16' ? autocast('bfloat16', fn) : fn();
  }

  /** Asks fit() to stop after the current batch, giving the reason it will report. */
  stop(reason: string): void {
    this.#stopReason ??= reason;
  }

  /** Why the current or last fit() stopped early, if it did. */
  get stopReason(): string | undefined {
    return this.#stopReason;
  }

  get stopping(): boolean {
    return this.#stopReason !== undefined;
  }

  /** Records advice for the user (once per text): fit() returns it, the train command prints it. */
  advise(text: string): void {
    if (!this.advice.includes(text)) this.advice.push(text);
  }

  /**
   * The arena holding the optimizer's float32 parameters (made at the first step), or null when
   * there is none (flatParameters false, or fewer than two such parameters).
   */
  get arena(): ParameterArena | null {
    if (this.#arena === undefined) {
      const candidates = this.#flat ? ParameterArena.eligible(this.optimizer.paramGroups.flatMap((g) => g.params)) : [];
      this.#arena = candidates.length >= 2 ? new ParameterArena(candidates) : null;
    }
    return this.#arena;
  }

  private async call<K extends 'onTrainBegin' | 'onTrainEnd' | 'onEpochBegin' | 'onEpochEnd' | 'onBatchBegin' | 'onBatchEnd'>(hook: K, ...args: Parameters<NonNullable<Callback[K]>>): Promise<void> {
    for (const callback of this.callbacks) {
      const fn = callback[hook] as ((...a: unknown[]) => void | Promise<void>) | undefined;
      if (fn) await fn.apply(callback, args);
    }
  }

  private scalarLoss(output: Tensor, target: Tensor): Tensor {
    const loss = this.loss(output, target);
    if (!(loss instanceof Tensor) || loss.size !== 1) {
      throw new TypeError(`Trainer: Expected the loss function to return a one-element tensor but it returned ${String(loss)}`);
    }
    return loss;
  }

  /**
   * One optimizer step on a batch: forward and loss, the onLoss hooks, backward, the gradients
   * into the arena, the onGradients hooks, then optimizer.step() unless a hook skipped it. The
   * model's mode is left as it is (fit() sets training mode each epoch). The output and the
   * gradients are valid until the next step.
   */
  async trainStep(batch: Batch): Promise<StepResult> {
    const arena = this.arena;
    const step = (this.#step ??= new StepState(this.optimizer.paramGroups.flatMap((g) => g.params), arena?.grad ?? null));
    // The previous step's activations and gradients are free again: a step of the same shapes
    // allocates nothing new. The arena's gradients stay where they are.
    this.#pool.reclaim();
    for (const p of this.model.parameters()) if (p.grad && !arena?.owns(p.grad.data)) this.#pool.give(p.grad.data);
    this.optimizer.zeroGrad();
    step.epoch = this.epoch;
    step.batch = this.#batch++;
    step.size = batch.x.shape[0] ?? 1;
    step.skipped = null;
    this.#pool.run(() => {
      this.forward(() => {
        step.output = this.model.call(batch.x);
        step.loss = this.scalarLoss(step.output, batch.y);
      });
      let target = step.loss;
      for (const callback of this.callbacks) {
        const replaced = callback.onLoss?.(target, step, this);
        if (replaced === undefined) continue;
        if (!(replaced instanceof Tensor) || replaced.size !== 1) {
          throw new TypeError(`Trainer: Expected onLoss to return a one-element tensor or nothing but it returned ${String(replaced)}`);
        }
        target = replaced;
      }
      target.backward();
    });
    arena?.gatherGradients(this.#release);
    for (const callback of this.callbacks) if (callback.onGradients) await callback.onGradients(step, this);
    if (step.skipped === null) this.optimizer.step();
    return { loss: step.loss.item(), output: step.output, size: step.size, skipped: step.skipped };
  }

  async fit(loader: Iterable<Batch>, options: FitOptions): Promise<FitResult> {
    const { epochs, validation, signal } = options;
    if (!Number.isInteger(epochs) || epochs < 0) throw new RangeError(`fit: Expected a non-negative integer epochs but received ${epochs}`);
    const monitor = options.monitor ?? (validation ? 'valLoss' : 'trainLoss');
    const higher = higherIsBetter(monitor, this.metrics);
    this.#stopReason = undefined;
    this.advice = [];
    this.plannedEpochs = epochs;
    await this.call('onTrainBegin', this);
    const first = this.history.length;
    let partialEpoch: EpochRecord | undefined;
    for (let e = 0; e < epochs && !this.stopping; e++) {
      this.epoch = first + e;
      // The loader's shuffle follows the trainer's epoch, so a resumed run sees the same batches.
      const seekable = loader as Iterable<Batch> & { setEpoch?: (epoch: number) => void };
      if (typeof seekable.setEpoch === 'function') seekable.setEpoch(this.epoch);
      await this.call('onEpochBegin', this.epoch, this);
      const started = performance.now();
      const lr = this.optimizer.paramGroups[0]!.lr;
      this.model.train();
      for (const m of this.metrics) m.reset();
      let lossSum = 0;
      let seen = 0;
      let b = 0;
      let cut = false;
      for (const batch of loader) {
        // Cancelling interrupts the epoch (a resumed run repeats it); a callback's stop ends it
        // here and it is recorded, with the reason, as the run's last.
        if (signal?.aborted) {
          this.stop(`cancelled: ${String(signal.reason ?? 'aborted')}`);
          cut = true;
        }
        if (this.stopping) break;
        await this.call('onBatchBegin', this.epoch, b, this);
        this.#batch = b;
        const { loss, output, size, skipped } = await this.trainStep(batch);
        lossSum += loss * size;
        seen += size;
        for (const m of this.metrics) m.update(output, batch.y);
        const record: BatchRecord = { epoch: this.epoch, batch: b, size, loss, ...(skipped !== null ? { skipped } : {}) };
        await this.call('onBatchEnd', record, this, output);
        b++;
        await yieldToEventLoop();
      }
      if (seen === 0) break; // stopped before any batch of this epoch
      const record: EpochRecord = {
        epoch: this.epoch,
        trainLoss: lossSum / seen,
        train: Object.fromEntries(this.metrics.map((m) => [m.name, m.compute()])),
        lr,
        seconds: 0,
        samplesPerSecond: 0,
      };
      if (cut) {
        record.seconds = (performance.now() - started) / 1000;
        record.samplesPerSecond = seen / record.seconds;
        partialEpoch = record;
        break;
      }
      if (validation) {
        const v = await this.evaluate(validation);
        record.valLoss = v.loss;
        record.val = v.metrics;
      }
      record.seconds = (performance.now() - started) / 1000;
      record.samplesPerSecond = seen / record.seconds;
      if (this.scheduler) {
        if ('lrAt' in this.scheduler) this.scheduler.step();
        else this.scheduler.step(record.valLoss ?? record.trainLoss);
      }
      this.history.push(record);
      this.keepBest(record, monitor, higher);
      await this.call('onEpochEnd', record, this);
    }
    await this.call('onTrainEnd', this);
    const result: FitResult = { history: this.history };
    if (this.#stopReason !== undefined) result.stoppedEarly = this.#stopReason;
    if (partialEpoch) result.partialEpoch = partialEpoch;
    if (this.advice.length > 0) result.advice = [...this.advice];
    return result;
  }

  private keepBest(record: EpochRecord, monitor: string, higher: boolean): void {
    const value = monitoredValue(record, monitor);
    if (value === undefined || Number.isNaN(value)) return;
    const better = this.bestEpoch < 0 || (higher ? value > this.bestValue : value < this.bestValue);
    if (!better) return;
    this.bestValue = value;
    this.bestEpoch = record.epoch;
    this.bestState = copyModelState(this.model);
  }

  /** The trainer's progress as JSON: history and the best epoch (weights: tensorState()). */
  stateDict(): TrainerState {
    return { history: this.history.map((r) => ({ ...r })), bestEpoch: this.bestEpoch, bestValue: this.bestValue };
  }

  /** Restores progress: fit() continues with the epoch after the last one recorded. */
  loadStateDict(state: TrainerState): void {
    if (!Array.isArray(state?.history)) throw new TypeError('Trainer.loadStateDict: Expected a history array');
    this.history = state.history.map((r) => ({ ...r }));
    this.bestEpoch = state.bestEpoch;
    this.bestValue = state.bestValue;
    this.epoch = this.history.length;
  }

  tensorState(): Record<string, Tensor> | null {
    return this.bestState;
  }

  loadTensorState(tensors: Record<string, Tensor>): void {
    this.bestState = tensors;
  }

  /** Loads the best epoch's state (parameters and buffers) back into the model (false when there is none). */
  restoreBest(): boolean {
    if (!this.bestState) return false;
    restoreModelState(this.model, this.bestState);
    return true;
  }

  /** Mean loss and metrics over a loader, in evaluation mode and without recording gradients. */
  async evaluate(loader: Iterable<Batch>): Promise<Evaluation> {
    const wasTraining = this.model.training;
    this.model.eval();
    const metrics = this.metrics; // fit() has read the epoch's training values already
    for (const m of metrics) m.reset();
    let lossSum = 0;
    let seen = 0;
    try {
      for (const batch of loader) {
        this.#pool.reclaim();
        this.#pool.run(() => noGrad(() => {
          const { output, loss } = this.forward(() => {
            const out = this.model.call(batch.x);
            return { output: out, loss: this.scalarLoss(out, batch.y) };
          });
          const size = batch.x.shape[0] ?? 1;
          lossSum += loss.item() * size;
          seen += size;
          for (const m of metrics) m.update(output, batch.y);
        }));
        await yieldToEventLoop();
      }
    } finally {
      this.model.train(wasTraining);
    }
    return { loss: seen ? lossSum / seen : Number.NaN, metrics: Object.fromEntries(metrics.map((m) => [m.name, m.compute()])) };
  }
}

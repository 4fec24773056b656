// Trainer.fit is a loop of trainStep(batch), with hooks between backward and the optimizer's step:
// a loss scaler (onLoss, onGradients unscaling and skipping on overflow), an all-reduce across
// "ranks" (two trainers averaging their gradients through async hooks), and gradient clipping
// plug in as callbacks, without a change to the Trainer. The parameter arena moves the
// parameters into one array and updates them in one call, with the same bits as without it.
import { describe, expect, it } from 'vitest';
import { GradientClipping, Tensor, Trainer, data, manualSeed, nn, optim } from '../../lib';
import type { Callback, TrainStep } from '../../lib';

function digitsLoaders(seed: number, batchSize = 40) {
  const { x, y } = data.datasets.digits({ scale: true });
  const order = data.shuffledIndices(x.shape[0]!, 1, 0);
  const pick = (from: number, to: number) => new data.TensorDataset(x.gather(order.subarray(from, to)), y.gather(order.subarray(from, to)));
  return {
    train: new data.DataLoader(pick(0, 400), { batchSize, shuffle: true, seed }),
    validation: new data.DataLoader(pick(1400, 1600), { batchSize: 100 }),
  };
}

/** A model with BatchNorm (buffers) and Dropout (the generator) and an odd-sized output bias. */
function model(seed = 0) {
  manualSeed(seed);
  return new nn.Sequential(new nn.Linear(64, 48), new nn.BatchNorm1d(48), new nn.ReLU(), new nn.Dropout(0.2), new nn.Linear(48, 10));
}

const loss = (o: Tensor, t: Tensor) => nn.functional.crossEntropy(o, t);

function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

function expectSameState(a: nn.Module, b: nn.Module): void {
  const [sa, sb] = [a.stateDict(), b.stateDict()];
  expect(Object.keys(sa)).toEqual(Object.keys(sb));
  for (const key of Object.keys(sa)) expect(firstDifference(sa[key]!.data, sb[key]!.data), key).toBe(-1);
}

async function run(options: { flatParameters?: boolean; callbacks?: Callback[]; epochs?: number; make?: (p: Tensor[]) => optim.Optimizer }) {
  const net = model();
  const make = options.make ?? ((p: Tensor[]) => new optim.Adam(p, { lr: 3e-3 }));
  const trainer = new Trainer({
    model: net, loss, optimizer: make(net.parameters()), metrics: ['accuracy'],
    ...(options.flatParameters !== undefined ? { flatParameters: options.flatParameters } : {}), callbacks: options.callbacks ?? [],
  });
  manualSeed(5); // the dropout masks
  const { train, validation } = digitsLoaders(3);
  const result = await trainer.fit(train, { epochs: options.epochs ?? 2, validation });
  return { net, trainer, result };
}

describe('Trainer.trainStep and its hooks', () => {
  it('the arena holds every parameter and changes no bit of the run', async () => {
    const flat = await run({});
    const apart = await run({ flatParameters: false });
    const arena = flat.trainer.arena!;
    expect(arena).not.toBeNull();
    expect(apart.trainer.arena).toBeNull();
    for (const p of flat.net.parameters()) {
      expect(p.data.buffer).toBe(arena.data.buffer);
      expect(p.grad!.data.buffer).toBe(arena.grad.buffer);
    }
    expect(arena.data.length).toBe(flat.net.numParameters());
    expectSameState(flat.net, apart.net);
    expect(flat.result.history.map((r) => r.valLoss)).toEqual(apart.result.history.map((r) => r.valLoss));
  });

  it('fit is trainStep in a loop: stepping by hand gives the same losses and weights', async () => {
    const { result, net } = await run({ epochs: 1 });
    const byHand = model();
    const trainer = new Trainer({ model: byHand, loss, optimizer: new optim.Adam(byHand.parameters(), { lr: 3e-3 }) });
    manualSeed(5);
    const { train } = digitsLoaders(3);
    train.setEpoch(0);
    byHand.train();
    let sum = 0;
    let seen = 0;
    for (const batch of train) {
      const step = await trainer.trainStep(batch);
      expect(step.skipped).toBeNull();
      sum += step.loss * step.size;
      seen += step.size;
    }
    expect(sum / seen).toBe(result.history[0]!.trainLoss);
    expectSameState(byHand, net);
  });

  it('a loss scaler plugs in: × 2¹⁰ before backward, ÷ 2¹⁰ after, the same bits; an overflow skips the step', async () => {
    class LossScaler implements Callback {
      skips = 0;
      constructor(public scale: number) {}
      onLoss(l: Tensor): Tensor {
        return l.mul(this.scale);
      }
      onGradients(step: TrainStep): void {
        const g = step.gradients!;
        let finite = true;
        for (let i = 0; i < g.length; i++) finite &&= Number.isFinite(g[i]!);
        if (!finite) {
          step.skip(`loss scale ${this.scale} overflowed`);
          this.skips++;
          return;
        }
        for (let i = 0; i < g.length; i++) g[i] = g[i]! / this.scale;
      }
    }
    const scaled = await run({ callbacks: [new LossScaler(1024)] });
    const plain = await run({});
    expectSameState(scaled.net, plain.net);
    expect(scaled.result.history.map((r) => r.trainLoss)).toEqual(plain.result.history.map((r) => r.trainLoss));

    // A batch with an infinite input: its gradients are not finite, the scaler skips its step.
    const scaler = new LossScaler(1024);
    const net = model();
    const trainer = new Trainer({ model: net, loss, optimizer: new optim.Adam(net.parameters(), { lr: 3e-3 }), callbacks: [scaler] });
    const { train } = digitsLoaders(3);
    const batches = [...train];
    const poisoned = batches[4]!.x.data.slice();
    poisoned[7] = Infinity;
    batches[4] = { x: new Tensor(poisoned, batches[4]!.x.shape), y: batches[4]!.y };
    const records: { batch: number; skipped?: string }[] = [];
    let before: Float32Array[] = [];
    const moved: boolean[] = [];
    trainer.callbacks.push({
      onBatchBegin: () => { before = net.parameters().map((p) => p.data.slice() as Float32Array); },
      onBatchEnd: (r) => {
        records.push(r);
        moved.push(net.parameters().some((p, i) => firstDifference(p.data, before[i]!) !== -1));
      },
    });
    await trainer.fit(batches, { epochs: 1 });
    expect(scaler.skips).toBe(1);
    expect(records.filter((r) => r.skipped).map((r) => [r.batch, r.skipped])).toEqual([[4, 'loss scale 1024 overflowed']]);
    expect(moved).toEqual([true, true, true, true, false, true, true, true, true, true]);
  });

  it('an all-reduce plugs in: two trainers on half batches, averaging their gradients in async hooks, train as one on whole batches', async () => {
    // Each "rank" posts its arena's gradients and waits for the other's, as MPI's allreduce would.
    class Exchange {
      #round: { grads: Float32Array[]; mean: Float32Array | null; ready: Promise<void>; open: () => void } | null = null;
      async allreduceMean(grad: Float32Array): Promise<void> {
        if (!this.#round) {
          let open!: () => void;
          const ready = new Promise<void>((resolve) => (open = resolve));
          this.#round = { grads: [], mean: null, ready, open };
        }
        const round = this.#round;
        round.grads.push(grad);
        if (round.grads.length === 2) {
          this.#round = null;
          const [a, b] = round.grads as [Float32Array, Float32Array];
          round.mean = a.map((v, i) => (v + b[i]!) / 2);
          round.open();
        }
        await round.ready;
        await new Promise((resolve) => setImmediate(resolve)); // a collective completes later
        grad.set(round.mean!);
      }
    }
    const exchange = new Exchange();
    const reduce: Callback = { onGradients: (step) => exchange.allreduceMean(step.gradients!) };
    manualSeed(9);
    const net = () => new nn.Sequential(new nn.Linear(64, 32), new nn.Tanh(), new nn.Linear(32, 10));
    const ranks = [net(), net(), net()];
    ranks[1]!.loadStateDict(ranks[0]!.stateDict());
    ranks[2]!.loadStateDict(ranks[0]!.stateDict());
    const { x, y } = data.datasets.digits({ scale: true });
    const rows = (from: number, to: number, stride = 1) => Int32Array.from({ length: Math.ceil((to - from) / stride) }, (_, i) => from + i * stride);
    const half = (offset: number) => new data.DataLoader(new data.TensorDataset(x.gather(rows(offset, 320, 2)), y.gather(rows(offset, 320, 2))), { batchSize: 16 });
    // Whole batch k holds rank 0's and rank 1's batch k (the mean of two means is the mean).
    const whole = new data.DataLoader(new data.TensorDataset(x.gather(rows(0, 320)), y.gather(rows(0, 320))), { batchSize: 32 });
    const sgd = (m: nn.Module) => new optim.SGD(m.parameters(), { lr: 0.5 });
    const trainers = [0, 1].map((r) => new Trainer({ model: ranks[r]!, loss, optimizer: sgd(ranks[r]!), callbacks: [reduce] }));
    await Promise.all([trainers[0]!.fit(half(0), { epochs: 2 }), trainers[1]!.fit(half(1), { epochs: 2 })]);
    await new Trainer({ model: ranks[2]!, loss, optimizer: sgd(ranks[2]!) }).fit(whole, { epochs: 2 });
    expectSameState(ranks[0]!, ranks[1]!); // the ranks agree bit for bit
    const [a, c] = [ranks[0]!.parameters(), ranks[2]!.parameters()];
    a.forEach((p, i) => p.data.forEach((v, j) => expect(Math.abs(v - c[i]!.data[j]!), `parameter ${i}[${j}]`).toBeLessThan(1e-5)));
  });

  it('GradientClipping clips in onGradients as clipGradNorm by hand does, and reports the norm', async () => {
    const clipping = new GradientClipping({ maxNorm: 0.5 });
    const norms: number[] = [];
    const clipped = await run({ epochs: 1, callbacks: [clipping, { onBatchEnd: () => { norms.push(clipping.lastNorm); } }] });
    const byHand = await run({ epochs: 1, callbacks: [{ onGradients: (step) => { optim.clipGradNorm(step.parameters, 0.5); } }] });
    expectSameState(clipped.net, byHand.net);
    expect(norms).toHaveLength(10);
    expect(norms.some((n) => n > 0.5)).toBe(true);
    expect(() => new GradientClipping({})).toThrow(/Expected maxNorm or maxValue/);
    expect(() => new GradientClipping({ maxNorm: -1 })).toThrow(RangeError);
  });

  it('refuses an onLoss hook that returns something other than a one-element tensor', async () => {
    const bad: Callback = { onLoss: () => new Tensor(new Float32Array(2), [2]) };
    await expect(run({ epochs: 1, callbacks: [bad] })).rejects.toThrow('Trainer: Expected onLoss to return a one-element tensor or nothing');
    expect(() => new Trainer({ model: model(), loss, optimizer: new optim.SGD(model().parameters()), flatParameters: 'yes' as never })).toThrow(TypeError);
  });
});

/**
 * Training a character-level language model: teacher forcing over the text's streams with
 * truncated BPTT (bpttBatches; the state carried between batches is detached), Adam, gradient
 * clipping by global norm, and per epoch the validation loss on the held-out end of the text
 * and a sample.
 */
import { BufferPool, Tensor } from '../autograd/tensor';
import { noGrad } from '../autograd/grad-mode';
import { bpttBatches, type BpttBatch } from '../data/text/bptt-batches';
import type { CharVocab } from '../data/text/char-vocab';
import { crossEntropy } from '../nn/functional/loss';
import { type CharLM, type CharLMState, sampleIds } from '../nn/models/char-lm';
import { Adam } from '../optim/adam';
import { clipGradNorm } from '../optim/clip';

export interface LanguageModelTrainOptions {
  seqLength: number;
  batchSize: number;
  epochs: number;
  lr: number;
  /** Global gradient-norm clip (default 5; 0 turns it off). */
  clip?: number;
  /** Fraction of the text, from its end, held out for validation (default 0.1). */
  validationFraction?: number;
  /** Characters sampled after each epoch (default 200) with this temperature (default 0.8). */
  sampleLength?: number;
  temperature?: number;
  /** Seed of the samples. */
  seed?: number;
  /** Called after each epoch; may be async (writing files). */
  onEpoch?: (record: LanguageModelEpoch) => void | Promise<void>;
  signal?: AbortSignal;
}

export interface LanguageModelEpoch {
  epoch: number;
  /** Mean cross-entropy per character, in nats, over the epoch's training batches. */
  trainLoss: number;
  /** The same in bits per character. */
  trainBpc: number;
  valLoss: number;
  valBpc: number;
  /** Training characters (targets) per second, this epoch. */
  charsPerSecond: number;
  seconds: number;
  sample: string;
}

const LN2 = Math.log(2);

function idsTensor(batch: BpttBatch): Tensor {
  return new Tensor(Float32Array.from(batch.inputs), [batch.batchSize, batch.steps]);
}

/** A state that outlives the pool's step: copied out, with no history. */
function keepState(state: CharLMState): CharLMState {
  const copy = (t: Tensor) => new Tensor(t.data.slice(), t.shape);
  const out: CharLMState = { h: copy(state.h) };
  if (state.c) out.c = copy(state.c);
  return out;
}

/** Mean loss per character of the model over batches, carrying the state (no gradients). */
export function evaluateLanguageModel(model: CharLM, batches: readonly BpttBatch[]): number {
  const wasTraining = model.training;
  model.eval();
  try {
    return noGrad(() => {
      let state: CharLMState | undefined;
      let total = 0;
      let count = 0;
      for (const batch of batches) {
        const out = model.forward(idsTensor(batch), state);
        const n = batch.targets.length;
        total += crossEntropy(out.logits.reshape(n, model.config.vocabSize), batch.targets).item() * n;
        count += n;
        state = out.state;
      }
      return count > 0 ? total / count : NaN;
    });
  } finally {
    model.train(wasTraining);
  }
}

/** Splits ids into training and validation parts (validation at least seqLength + 1 long). */
export function splitText(ids: Int32Array, validationFraction: number, seqLength: number): { train: Int32Array; validation: Int32Array } {
  if (!(validationFraction >= 0 && validationFraction < 1)) {
    throw new RangeError(`trainLanguageModel: Expected validationFraction in [0, 1) but received ${validationFraction}`);
  }
  const held = validationFraction === 0 ? 0 : Math.max(seqLength + 1, Math.floor(ids.length * validationFraction));
  if (ids.length - held < 2) {
    throw new RangeError(`trainLanguageModel: Expected a text longer than ${held + 1} characters but it has ${ids.length}`);
  }
  return { train: ids.subarray(0, ids.length - held), validation: ids.subarray(ids.length - held) };
}

export async function trainLanguageModel(
  model: CharLM, vocab: CharVocab, text: string, options: LanguageModelTrainOptions,
): Promise<LanguageModelEpoch[]> {
  const { seqLength, batchSize, epochs, lr } = options;
  const clip = options.clip ?? 5;
  const ids = vocab.encode(text);
  const { train, validation } = splitText(ids, options.validationFraction ?? 0.1, seqLength);
  const batches = bpttBatches(train, batchSize, seqLength);
  const valBatches = validation.length > 1 ? bpttBatches(validation, 1, seqLength) : [];
  const params = model.parameters();
  const optimizer = new Adam(params, { lr });
  const pool = new BufferPool();
  const V = model.config.vocabSize;
  const history: LanguageModelEpoch[] = [];
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const started = performance.now();
    let state: CharLMState | undefined;
    let total = 0;
    let count = 0;
    model.train();
    for (const batch of batches) {
      if (options.signal?.aborted) return history;
      pool.reclaim();
      for (const p of params) if (p.grad) pool.give(p.grad.data);
      optimizer.zeroGrad();
      const n = batch.targets.length;
      const loss = pool.run(() => {
        const out = model.forward(idsTensor(batch), state);
        const l = crossEntropy(out.logits.reshape(n, V), batch.targets);
        l.backward();
        // Truncated BPTT: the next batch starts from this state's values, not its history.
        state = keepState(out.state);
        return l.item();
      });
      if (clip > 0) clipGradNorm(params, clip);
      optimizer.step();
      total += loss * n;
      count += n;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const seconds = (performance.now() - started) / 1000;
    const valLoss = evaluateLanguageModel(model, valBatches);
    const prime = train.subarray(0, 1);
    const sample = vocab.decode(prime) + vocab.decode(sampleIds(model, {
      prime, length: options.sampleLength ?? 200, temperature: options.temperature ?? 0.8, seed: (options.seed ?? 0) + epoch,
    }));
    const record: LanguageModelEpoch = {
      epoch, trainLoss: total / count, trainBpc: total / count / LN2, valLoss, valBpc: valLoss / LN2,
      charsPerSecond: count / seconds, seconds, sample,
    };
    history.push(record);
    await options.onEpoch?.(record);
  }
  return history;
}

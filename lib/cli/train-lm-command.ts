/**
 * `tensorgrad train-lm`: trains a character-level language model on a text file and writes a run
 * directory: config.json, metrics.jsonl (one line per epoch), train.log, samples/epoch-NNN.txt
 * and model.safetensors (the vocabulary in its metadata), each file written atomically.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { manualSeed } from '../autograd/random';
import { PACKAGE_ROOT } from '../paths';
import { nativeInfo } from '../backend/native';
import { getBackend, setBackend } from '../backend/select';
import { getNumThreads, setNumThreads } from '../backend/threads';
import { CharVocab } from '../data/text/char-vocab';
import { writeFileAtomic } from '../io/atomic';
import { CELL_KINDS, CharLM } from '../nn/models/char-lm';
import type { CellKind } from '../nn/layers/recurrent';
import { type LanguageModelEpoch, trainLanguageModel } from '../train/language-model';
import { saveLanguageModel } from './language-model-file';
import { RUN_FILES, Tee, defaultRunDir, writeJson } from '../train/run-dir';

export const DEFAULT_TEXT = path.join(PACKAGE_ROOT, 'data', 'genesis-kjv.txt');

export interface TrainLmConfig {
  text: string;
  hidden: number;
  layers: number;
  cell: CellKind;
  embedding: number;
  dropout: number;
  seq: number;
  batch: number;
  epochs: number;
  lr: number;
  clip: number;
  sampleLength: number;
  temperature: number;
  seed: number;
  threads: number;
  backend: 'auto' | 'native' | 'reference' | 'checked';
  out: string;
}

export const TRAIN_LM_DEFAULTS: Omit<TrainLmConfig, 'out'> = {
  text: DEFAULT_TEXT, hidden: 128, layers: 1, cell: 'lstm', embedding: 64, dropout: 0, seq: 64, batch: 32,
  epochs: 5, lr: 2e-3, clip: 5, sampleLength: 200, temperature: 0.8, seed: 0, threads: 0, backend: 'auto',
};

function check(config: TrainLmConfig): void {
  const positive = ['hidden', 'layers', 'embedding', 'seq', 'batch', 'epochs'] as const;
  for (const key of positive) {
    if (!Number.isInteger(config[key]) || config[key] < 1) throw new RangeError(`train-lm: Expected a positive integer for --${key} but received ${config[key]}`);
  }
  if (!CELL_KINDS.includes(config.cell)) throw new RangeError(`train-lm: Expected --cell lstm, gru or rnn but received ${config.cell}`);
  if (!(config.lr > 0)) throw new RangeError(`train-lm: Expected a positive --lr but received ${config.lr}`);
  if (!(config.temperature > 0)) throw new RangeError(`train-lm: Expected a positive --temperature but received ${config.temperature}`);
  if (!(config.dropout >= 0 && config.dropout < 1)) throw new RangeError(`train-lm: Expected --dropout in [0, 1) but received ${config.dropout}`);
}

const fixed = (v: number, digits = 4) => v.toFixed(digits);

export async function runTrainLm(
  partial: Partial<TrainLmConfig>, io: { out?: { write(text: string): unknown }; signal?: AbortSignal } = {},
): Promise<{ runDir: string; history: LanguageModelEpoch[] }> {
  const config: TrainLmConfig = { ...TRAIN_LM_DEFAULTS, out: '', ...partial };
  check(config);
  if (!fs.existsSync(config.text)) throw new Error(`train-lm: text file ${config.text} not found`);
  const text = fs.readFileSync(config.text, 'utf8');
  if (config.backend !== 'auto') setBackend(config.backend);
  if (config.threads > 0) setNumThreads(config.threads);
  const runDir = config.out || defaultRunDir(`lm-${path.basename(config.text, path.extname(config.text))}`);
  fs.mkdirSync(path.join(runDir, 'samples'), { recursive: true });
  const log = new Tee(io.out ?? process.stdout, path.join(runDir, RUN_FILES.log));
  manualSeed(config.seed);
  const vocab = CharVocab.fromText(text);
  const model = new CharLM({
    vocabSize: vocab.size, embeddingDim: config.embedding, hiddenSize: config.hidden, numLayers: config.layers, cell: config.cell, dropout: config.dropout,
  });
  const parameters = model.parameters().reduce((n, p) => n + p.size, 0);
  writeJson(path.join(runDir, RUN_FILES.config), {
    config: { ...config, out: runDir },
    text: { file: config.text, characters: [...text].length, vocabulary: vocab.size },
    model: { ...model.config, parameters },
    runtime: { backend: getBackend().name, threads: getNumThreads(), simd: nativeInfo().simd ?? null, node: process.version },
  });
  log.write(`train-lm: ${config.text} (${[...text].length} characters, ${vocab.size} distinct), ${config.cell} ${config.layers}×${config.hidden}, ${parameters} parameters → ${runDir}\n`);
  const metricsFile = path.join(runDir, RUN_FILES.metrics);
  const history = await trainLanguageModel(model, vocab, text, {
    seqLength: config.seq, batchSize: config.batch, epochs: config.epochs, lr: config.lr, clip: config.clip,
    sampleLength: config.sampleLength, temperature: config.temperature, seed: config.seed,
    ...(io.signal ? { signal: io.signal } : {}),
    onEpoch: (r) => {
      const { sample, ...numbers } = r;
      fs.appendFileSync(metricsFile, `${JSON.stringify({ type: 'epoch', time: new Date().toISOString(), ...numbers })}\n`);
      writeFileAtomic(path.join(runDir, 'samples', `epoch-${String(r.epoch).padStart(3, '0')}.txt`), new TextEncoder().encode(`${sample}\n`));
      saveLanguageModel(model, vocab, path.join(runDir, RUN_FILES.finalModel));
      log.write(`epoch ${r.epoch}/${config.epochs}: train ${fixed(r.trainBpc)} bits/char, validation ${fixed(r.valBpc)} bits/char, ${Math.round(r.charsPerSecond)} chars/s\n`);
      log.write(`  sample: ${JSON.stringify(sample.slice(0, 120))}\n`);
    },
  });
  return { runDir, history };
}

/**
 * A character LM on disk: model.safetensors with the vocabulary and the model's shape in its
 * metadata, so `tensorgrad sample` needs nothing else.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CharVocab } from '../data/text/char-vocab';
import { load } from '../io/safetensors';
import { CharLM, type CharLMOptions } from '../nn/models/char-lm';
import { RUN_FILES } from '../train/run-dir';

export const CHARLM_FORMAT = 'tensorgrad-charlm-1';

export function saveLanguageModel(model: CharLM, vocab: CharVocab, file: string): void {
  model.save(file, {
    metadata: { format: CHARLM_FORMAT, vocab: JSON.stringify(vocab.toJSON()), config: JSON.stringify(model.config) },
  });
}

/** A model file, or a run directory (its model.safetensors). */
export function loadLanguageModel(where: string): { model: CharLM; vocab: CharVocab; file: string } {
  const file = fs.existsSync(where) && fs.statSync(where).isDirectory() ? path.join(where, RUN_FILES.finalModel) : where;
  if (!fs.existsSync(file)) throw new Error(`sample: ${file} not found`);
  const content = load(file);
  const meta = content.metadata;
  if (meta['format'] !== CHARLM_FORMAT) {
    throw new Error(`sample: Expected a character LM written by train-lm (metadata format "${CHARLM_FORMAT}") but ${file} has format ${JSON.stringify(meta['format'] ?? null)}`);
  }
  const vocab = new CharVocab(JSON.parse(meta['vocab']!) as string[]);
  const config = JSON.parse(meta['config']!) as CharLMOptions;
  const model = new CharLM(config);
  model.loadStateDict(content.tensors);
  return { model, vocab, file };
}

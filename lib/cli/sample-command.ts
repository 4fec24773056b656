/** `tensorgrad sample`: text from a model trained by train-lm, one character at a time. */
import { sampleIds } from '../nn/models/char-lm';
import { loadLanguageModel } from './language-model-file';

export interface SampleCommandOptions {
  model: string;
  prime?: string;
  length: number;
  temperature: number;
  seed: number;
}

/** The prime followed by `length` sampled characters. */
export function runSample(options: SampleCommandOptions): string {
  const { model, vocab } = loadLanguageModel(options.model);
  // Without a prime, start from the vocabulary's first letter (a capital, in most texts).
  const prime = options.prime ?? vocab.chars.find((ch) => /\p{Lu}/u.test(ch)) ?? vocab.chars[0]!;
  if (prime.length === 0) throw new RangeError('sample: Expected a non-empty --prime');
  const ids = sampleIds(model, { prime: vocab.encode(prime), length: options.length, temperature: options.temperature, seed: options.seed });
  return prime + vocab.decode(ids);
}

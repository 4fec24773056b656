// The character LM: sampling reproducible by seed (and different across seeds), temperature's
// effect, truncated BPTT through trainLanguageModel learning a small text, and the example script.
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { data, manualSeed, nn, tensor, trainLanguageModel } from '../../lib';

const { CharLM, sampleIds } = nn;

describe('CharLM', () => {
  const text = 'the cat sat on the mat. '.repeat(40);
  const vocab = data.CharVocab.fromText(text);

  it('gives logits [N, T, V] and a state per layer', () => {
    manualSeed(1);
    const model = new CharLM({ vocabSize: vocab.size, hiddenSize: 16, embeddingDim: 8, numLayers: 2, cell: 'lstm' });
    const ids = vocab.encode('the cat sat');
    const out = model.forward(tensor(Array.from(ids), [1, ids.length]));
    expect(out.logits.shape).toEqual([1, 11, vocab.size]);
    expect(out.state.h.shape).toEqual([2, 1, 16]);
    expect(out.state.c!.shape).toEqual([2, 1, 16]);
  });

  it('samples the same text for the same seed, another for another seed, and leaves the global generator alone', () => {
    manualSeed(2);
    const model = new CharLM({ vocabSize: vocab.size, hiddenSize: 16, embeddingDim: 8, cell: 'gru' });
    const prime = vocab.encode('the ');
    const a = sampleIds(model, { prime, length: 50, temperature: 1, seed: 7 });
    manualSeed(99); // the sampler's draws do not depend on the global state...
    const b = sampleIds(model, { prime, length: 50, temperature: 1, seed: 7 });
    const c = sampleIds(model, { prime, length: 50, temperature: 1, seed: 8 });
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    // ...nor move it: the same seed gives the same weights after sampling as without it.
    manualSeed(5);
    sampleIds(model, { prime, length: 10, seed: 1 });
    const after = new CharLM({ vocabSize: vocab.size, hiddenSize: 4 }).head.weight.data.slice();
    manualSeed(5);
    const fresh = new CharLM({ vocabSize: vocab.size, hiddenSize: 4 }).head.weight.data.slice();
    expect(Array.from(after)).toEqual(Array.from(fresh));
    expect(() => sampleIds(model, { prime, length: 5, temperature: 0 })).toThrow(/positive finite temperature/);
    expect(() => sampleIds(model, { prime: [], length: 5 })).toThrow(/prime of at least one/);
  });

  it('learns a repetitive text with truncated BPTT, and a cold temperature reproduces it', async () => {
    manualSeed(3);
    const model = new CharLM({ vocabSize: vocab.size, hiddenSize: 32, embeddingDim: 8, cell: 'lstm' });
    const history = await trainLanguageModel(model, vocab, text, { seqLength: 16, batchSize: 4, epochs: 8, lr: 0.01, sampleLength: 30, seed: 1 });
    const first = history[0]!;
    const last = history[history.length - 1]!;
    expect(first.trainBpc).toBeGreaterThan(2); // about log2(12) = 3.6 at the start
    expect(last.valBpc).toBeLessThan(0.3);
    expect(last.sample.length).toBe(31); // the first character, then 30 sampled
    const cold = vocab.decode(sampleIds(model, { prime: vocab.encode('the cat '), length: 24, temperature: 0.05, seed: 4 }));
    expect(cold).toBe('sat on the mat. the cat ');
  });

  it('runs examples/char-lm.mjs (against the built package): an epoch, then a seeded sample', () => {
    const script = path.join(__dirname, '..', '..', 'examples', 'char-lm.mjs');
    const run = () => execFileSync(process.execPath, [script, '1', '16'], { encoding: 'utf8' });
    const out = run();
    expect(out).toMatch(/^epoch 1: [\d.]+ bits\/char, \d+ chars\/s\n/);
    expect(out).toMatch(/\nAnd God said[^]{300}\n$/);
    const withoutSpeed = (t: string) => t.replace(/\d+ chars\/s/, 'N chars/s');
    expect(withoutSpeed(run())).toBe(withoutSpeed(out)); // same seed, same training and text
  });
});

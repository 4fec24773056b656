// A character-level language model in a page: an LSTM learns the shipped text (Genesis, King
// James Version) with teacher forcing and truncated BPTT, then writes some of its own.
//
//   npm run build && node examples/char-lm.mjs [epochs] [hidden]
//
// Each epoch prints the validation loss in bits per character and a sample; the same seed gives
// the same weights, the same training and the same text.
import { readFileSync } from 'node:fs';
import { data, manualSeed, nn, trainLanguageModel } from 'tensorgrad';

const epochs = Number(process.argv[2] ?? 3);
const hidden = Number(process.argv[3] ?? 128);
const text = readFileSync(new URL('../data/genesis-kjv.txt', import.meta.url), 'utf8');

manualSeed(0);
const vocab = data.CharVocab.fromText(text);
const model = new nn.CharLM({ vocabSize: vocab.size, hiddenSize: hidden, cell: 'lstm' });

await trainLanguageModel(model, vocab, text, {
  seqLength: 64, batchSize: 32, epochs, lr: 2e-3,
  onEpoch: (e) => console.log(`epoch ${e.epoch}: ${e.valBpc.toFixed(3)} bits/char, ${Math.round(e.charsPerSecond)} chars/s\n  ${e.sample.slice(0, 100).replace(/\n/g, ' ')}`),
});

const prime = 'And God said';
const ids = nn.sampleIds(model, { prime: vocab.encode(prime), length: 300, temperature: 0.7, seed: 1 });
console.log(`\n${prime}${vocab.decode(ids)}`);

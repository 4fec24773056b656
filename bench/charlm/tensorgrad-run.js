// One tensorgrad measurement of character-LM training, in its own process (its thread count and
// peak RSS are its own): node bench/charlm/tensorgrad-run.js '{"cell":"lstm","threads":1,...}'
// The training step of tensorgrad train-lm (lib/train/language-model.ts): Embedding → one
// recurrent layer → Linear, cross-entropy over every step, truncated BPTT with the state carried
// (detached) between batches, global-norm clipping at 5, Adam. Prints one JSON line.
'use strict';
const fs = require('node:fs');
const { performance } = require('node:perf_hooks');
const tg = require('../../dist');

const spec = JSON.parse(process.argv[2] ?? '{}');
const { text, cell = 'lstm', hidden = 256, embedding = 64, seq = 64, batch = 32, threads = 1, seconds = 5, warmupSteps = 5, backend = 'native' } = spec;
tg.setBackend(backend);
if (backend !== 'reference') tg.setNumThreads(threads);
tg.manualSeed(0);

const corpus = fs.readFileSync(text, 'utf8');
const vocab = tg.data.CharVocab.fromText(corpus);
const batches = tg.data.bpttBatches(vocab.encode(corpus), batch, seq).filter((b) => b.steps === seq);
const model = new tg.nn.CharLM({ vocabSize: vocab.size, embeddingDim: embedding, hiddenSize: hidden, cell });
const params = model.parameters();
const optimizer = new tg.optim.Adam(params, { lr: 2e-3 });
const pool = new tg.BufferPool();
const V = vocab.size;
const inputs = batches.map((b) => new tg.Tensor(Float32Array.from(b.inputs), [batch, seq]));
let state;
let lastLoss = NaN;

function step(i) {
  const b = batches[i % batches.length];
  if (i % batches.length === 0) state = undefined; // back at the start of the streams
  pool.reclaim();
  for (const p of params) if (p.grad) pool.give(p.grad.data);
  optimizer.zeroGrad();
  pool.run(() => {
    const out = model.forward(inputs[i % batches.length], state);
    const loss = tg.nn.functional.crossEntropy(out.logits.reshape(batch * seq, V), b.targets);
    loss.backward();
    const keep = (t) => new tg.Tensor(t.data.slice(), t.shape);
    state = { h: keep(out.state.h), ...(out.state.c ? { c: keep(out.state.c) } : {}) };
    lastLoss = loss.item();
  });
  tg.optim.clipGradNorm(params, 5);
  optimizer.step();
}

let i = 0;
for (; i < warmupSteps; i++) step(i);
const started = performance.now();
let steps = 0;
while (performance.now() - started < seconds * 1000) step(i++), steps++;
const elapsed = (performance.now() - started) / 1000;
console.log(JSON.stringify({
  charsPerSecond: (steps * batch * seq) / elapsed, msPerStep: (1000 * elapsed) / steps, steps, loss: lastLoss,
  vocab: V, peakRssMiB: process.resourceUsage().maxRSS / 1024,
}));

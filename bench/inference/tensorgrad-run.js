// One tensorgrad measurement of bench:inference, in its own process: the model built from the
// seed (the same weights the ONNX file and PyTorch get), eval mode, no tape, buffers from a pool;
// calls per second.
'use strict';
const { buildModels } = require('./models');
const { sampleCall, median } = require('../timing');
const tg = require('../../dist');

const spec = JSON.parse(process.argv[2]);
tg.setNumThreads(spec.threads);
const { model, input } = buildModels(tg)[spec.model](spec.batch);
model.eval();
// As a serving loop would run it (docs/memory-model.md): activations from a BufferPool, handed
// back before the next call, instead of a fresh zeroed ArrayBuffer per layer per call; ONNX
// Runtime and PyTorch reuse their arenas likewise.
const pool = new tg.BufferPool();
const call = () => {
  pool.reclaim();
  return pool.run(() => tg.noGrad(() => model.forward(input)));
};
for (let i = 0; i < 5; i++) call();
const samples = Array.from({ length: 3 }, () => sampleCall(call, spec.seconds / 3));
const s = median(samples.map((x) => x.seconds));
console.log(JSON.stringify({ secondsPerCall: s, cores: median(samples.map((x) => x.cores)) }));

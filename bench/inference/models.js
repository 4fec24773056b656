// The models bench:inference runs, built from seed 0 so every peer gets the same weights: the
// 784-256-128-10 MLP of `tensorgrad train` (ReLU fused into the GEMMs), the CNN of
// `tensorgrad train --model c32k3-bn-relu-p2-c64k3-bn-relu-p2-f-128-10` on 28×28 images (flat
// rows in, unflattened first, as the CLI trains it) and the character LM of `tensorgrad train-lm`
// (Embedding(60, 64) → LSTM 256 → Linear(256, 60)) over 64 characters.
'use strict';

const CHARLM = { vocabSize: 60, embeddingDim: 64, hiddenSize: 256, numLayers: 1, cell: 'lstm' };
const SEQUENCE = 64;
const CNN_SPEC = 'c32k3-bn-relu-p2-c64k3-bn-relu-p2-f-128-10';
const IMAGE = [1, 28, 28];

function buildModels(tg) {
  const { buildModel } = require('../../dist/train/model-spec');
  const { convModelFrom } = require('../../dist/train/conv-spec');
  return {
    mlp(batch) {
      tg.manualSeed(0);
      const model = buildModel({ sizes: [784, 256, 128, 10], activation: 'relu', batchNorm: false, dropout: 0 });
      const input = tg.randn([batch, 784]);
      return { model, input, inputShape: [784], perCall: batch, unit: 'rows' };
    },
    cnn(batch) {
      tg.manualSeed(0);
      const { model } = convModelFrom(CNN_SPEC, IMAGE, 10, { flatInput: true });
      const input = tg.randn([batch, 784]);
      return { model, input, inputShape: [784], perCall: batch, unit: 'images' };
    },
    charlm(batch) {
      tg.manualSeed(0);
      const model = new tg.nn.CharLM(CHARLM);
      const ids = Float32Array.from({ length: batch * SEQUENCE }, (_, i) => (i * 7919) % CHARLM.vocabSize);
      const input = new tg.Tensor(ids, [batch, SEQUENCE]);
      return { model, input, inputShape: ['time'], perCall: batch * SEQUENCE, unit: 'characters' };
    },
  };
}

module.exports = { buildModels, CHARLM, SEQUENCE, CNN_SPEC, IMAGE };

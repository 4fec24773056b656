// Fashion-MNIST for the training bench: the 60 000 training and 10 000 test images scaled to
// [0, 1], and mini-batches gathered from a seeded permutation.
'use strict';
const tg = require('../../dist');

function loadFashion() {
  const { train, test } = tg.data.datasets.fashionMnist();
  return { train, test };
}

function* batches(x, y, size, shuffle, seed) {
  const n = x.shape[0];
  const order = shuffle ? tg.data.shuffledIndices(n, seed, 0) : Int32Array.from({ length: n }, (_, i) => i);
  for (let start = 0; start + size <= n; start += size) {
    const rows = order.subarray(start, start + size);
    yield { x: tg.noGrad(() => tg.gather(x, rows)), y: tg.noGrad(() => tg.gather(y, rows)) };
  }
}

module.exports = { loadFashion, batches };

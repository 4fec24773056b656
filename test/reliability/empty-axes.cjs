// Run by hostile-sizes.test.ts in a child process (a regression would hang, not throw): every
// kernel given one axis of 2^52 and another of 0 has nothing to compute and must return at
// once, or refuse with a RangeError. Prints one JSON line: {name: "ok" | "RangeError: ..."}.
'use strict';
const path = require('node:path');
const tg = require(path.join(__dirname, '..', '..', 'dist', 'index.js'));

const b = tg.nativeBackend();
const F = (n) => new Float32Array(n);
const I = (n) => new Int32Array(n);
const big = 2 ** 52;
const calls = {
  'gemm m': () => b.gemm(false, false, big, 0, 0, 1, F(0), F(0), 0, F(0)),
  'gemm n': () => b.gemm(false, false, 0, big, 0, 1, F(0), F(0), 0, F(0)),
  'gemm k': () => b.gemm(false, false, 0, 0, big, 1, F(0), F(0), 0, F(0)),
  'gemm TT beta 1': () => b.gemm(true, true, big, 0, 0, 1, F(0), F(0), 1, F(0)),
  'gemmBiasActivation m': () => b.gemmBiasActivation(false, false, big, 0, 0, F(0), F(0), F(0), 'relu', 0, F(0)),
  'gemmBiasActivation k': () => b.gemmBiasActivation(false, false, 0, 0, big, F(0), F(0), F(0), 'relu', 0, F(0)),
  'transpose rows': () => b.transpose(F(0), big, 0, F(0)),
  'transpose cols': () => b.transpose(F(0), 0, big, F(0)),
  'gatherRows rows': () => b.gatherRows(F(0), big, 0, I(0), F(0)),
  'scatterAddRows rows': () => b.scatterAddRows(F(0), I(0), big, 0, F(0)),
  'colSum rows': () => b.colSum(F(0), big, 0, F(0)),
  'rowSum cols': () => b.rowSum(F(0), 0, big, F(0)),
  'addRow rows': () => b.addRow(F(0), F(0), big, 0, F(0)),
  'softmax rows': () => b.softmax(F(0), big, 0, F(0)),
  'softmax cols': () => b.softmax(F(0), 0, big, F(0)),
  'prelu rows': () => b.prelu(F(0), F(0), big, 0, F(0)),
  'colMeanVar rows': () => b.colMeanVar(F(0), big, 0, F(0), F(0)),
  'batchNormTrain n': () => b.batchNormTrain(F(0), big, 0, 1, F(0), F(0), F(0), F(0), 1e-5, 0.1, F(0), F(0), F(0)),
  'batchNormTrain hw': () => b.batchNormTrain(F(0), 1, 0, big, F(0), F(0), F(0), F(0), 1e-5, 0.1, F(0), F(0), F(0)),
  'batchNormEval n': () => b.batchNormEval(F(0), big, 0, 1, F(0), F(0), F(0), F(0), 1e-5, F(0)),
  'batchNormEval hw': () => b.batchNormEval(F(0), 1, 0, big, F(0), F(0), F(0), F(0), 1e-5, F(0)),
  'batchNormBackward n': () => b.batchNormBackward(F(0), F(0), big, 0, 1, F(0), F(0), F(0), F(0), F(0), F(0)),
  'hsoftmaxLoss depth': () => b.hsoftmaxLoss(F(0), I(0), F(0), F(0), Int32Array.of(0, 0), I(0), I(0), 0, 0, 1, big, F(0), F(0)),
  'hsoftmaxLoss features': () => b.hsoftmaxLoss(F(0), I(0), F(0), F(0), Int32Array.of(0, 0), I(0), I(0), 0, big, 1, 0, F(0), F(0)),
  'hsoftmaxBackward features': () => b.hsoftmaxBackward(F(0), I(0), F(0), Int32Array.of(0, 0), I(0), I(0), F(0), F(0), 0, big, 1, 0, F(0), F(0), F(0)),
  'hsoftmaxLogProbs features': () => b.hsoftmaxLogProbs(F(0), F(0), F(0), Int32Array.of(0, 0), I(0), I(0), 0, big, 1, F(0)),
};
const results = {};
for (const [name, call] of Object.entries(calls)) {
  try {
    call();
    results[name] = 'ok';
  } catch (e) {
    results[name] = `${e.constructor.name}: ${e.message}`;
  }
}
console.log(JSON.stringify(results));

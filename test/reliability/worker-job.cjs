// What each worker of workers.test.ts runs: workerData.job names it, the result is posted back.
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { tg, trainMlp } = require('./train-mlp.cjs');

function gemmCheck() {
  // C = A·B with A = [[1,2],[3,4]], B = [[5,6],[7,8]]: exactly [[19,22],[43,50]].
  const c = new Float32Array(4);
  tg.getBackend().gemm(false, false, 2, 2, 2, 1, new Float32Array([1, 2, 3, 4]), new Float32Array([5, 6, 7, 8]), 0, c);
  return Array.from(c);
}

// The pool size is process-wide: a worker may set it (the lease test does).
if (workerData.threads) tg.setNumThreads(workerData.threads);

const info = tg.nativeInfo();
const base = { backend: tg.getBackend().name, path: info.path, available: info.available };
switch (workerData.job) {
  case 'load':
    parentPort.postMessage({ ...base, gemm: gemmCheck() });
    break;
  case 'train': {
    const { weights, losses } = trainMlp({ seed: workerData.seed, steps: workerData.steps });
    parentPort.postMessage({ ...base, weights, losses });
    break;
  }
  case 'train-and-hold': {
    // Stays alive (its pool threads too) until the parent says to go.
    const { losses } = trainMlp({ seed: workerData.seed, steps: workerData.steps });
    parentPort.once('message', () => parentPort.close());
    parentPort.postMessage({ ...base, losses });
    break;
  }
  case 'train-forever':
    // Reports each step; the test terminates it somewhere in the middle.
    trainMlp({ seed: workerData.seed, steps: 1e9, onStep: (step) => parentPort.postMessage({ step }) });
    break;
  default:
    throw new Error(`worker-job: unknown job ${workerData.job}`);
}

// Run by workers.test.ts in a process of its own whose main thread never loads the addon:
// workers load it, grow the kernel pool to 4 threads, train and exit. Prints the process's OS
// thread count before, while a worker is alive, and after it exited, for three rounds.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { Worker } = require('node:worker_threads');

const threads = () => fs.readdirSync('/proc/self/task').length;
const job = path.join(__dirname, 'worker-job.cjs');

(async () => {
  const rounds = [];
  for (let round = 0; round < 3; round++) {
    const before = threads();
    const worker = new Worker(job, { workerData: { job: 'train-and-hold', seed: 1, steps: 3, threads: 4 } });
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    const answer = await new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    const during = threads();
    worker.postMessage('go');
    await exited;
    rounds.push({ before, during, after: threads(), backend: answer.backend });
  }
  console.log(JSON.stringify(rounds));
})();

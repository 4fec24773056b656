// Run by workers.test.ts in a process of its own whose main thread never loads the addon:
// workers load it, grow the kernel pool to 4 threads, train and exit. Prints the process's OS
// thread count before, while a worker is alive, and after it exited, for three rounds.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { Worker } = require('node:worker_threads');

const threads = () => fs.readdirSync('/proc/self/task').length;
const job = path.join(__dirname, 'worker-job.cjs');

/** Node's own threads come and go lazily (libuv's pool, a worker's OS thread finishing its
 *  teardown after 'exit'): wait, up to a bound, for the count to settle back to `target`. */
async function settled(target) {
  const until = Date.now() + 5000;
  let n = threads();
  while (n !== target && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    n = threads();
  }
  return n;
}

(async () => {
  // Start the threads Node makes on first use (libuv's pool, a worker's platform threads) with
  // a worker that never loads the addon, so the rounds count only what the addon adds.
  await fs.promises.readFile(__filename);
  await new Promise((resolve) => new Worker('0', { eval: true }).once('exit', resolve));
  // ...and let its OS thread finish: the count holds still over 50 ms (or 5 s pass).
  for (let last = -1, until = Date.now() + 5000; threads() !== last && Date.now() < until;) {
    last = threads();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
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
    rounds.push({ before, during, after: await settled(before), backend: answer.backend });
  }
  console.log(JSON.stringify(rounds));
})();

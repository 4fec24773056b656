// A DDP training loop on 2 ranks in which rank 1 fails at step 5 (argv[2]): throw (an uncaught
// error), kill (SIGKILL), stop (SIGSTOP: stuck, alive; the timeout must end the job), exit (exits
// with code 0 while rank 0 goes on: a rank that left). Each rank prints its steps; rank 1 prints
// the time of the fault.
'use strict';
const tg = require('../../../dist');
const { distributed, nn, optim, manualSeed, tensor } = tg;

const mode = process.argv[2];
const group = distributed.init();
const { rank } = group;
const say = require('./records.cjs').recorder(rank);

manualSeed(1);
const model = new nn.Sequential(new nn.Linear(8, 16), new nn.ReLU(), new nn.Linear(16, 2));
const ddp = new distributed.DistributedDataParallel(model);
const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
const x = tensor(Array.from({ length: 32 }, (_, i) => Array.from({ length: 8 }, (_, j) => Math.sin(i + j + rank))));
const y = tensor(Array.from({ length: 32 }, (_, i) => i % 2));

for (let step = 0; step < 1_000_000; step++) {
  if (rank === 1 && step === 5) {
    say({ what: 'fault', at: Date.now() });
    if (mode === 'throw') throw new Error('injected failure at step 5');
    if (mode === 'kill') process.kill(process.pid, 'SIGKILL');
    if (mode === 'stop') process.kill(process.pid, 'SIGSTOP');
    if (mode === 'exit') process.exit(0);
  }
  opt.zeroGrad();
  nn.functional.crossEntropy(ddp.call(x), y).backward();
  ddp.syncGradients();
  opt.step();
  if (step < 8) say({ what: 'step', step });
}

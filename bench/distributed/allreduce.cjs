// Run by bench/distributed.js under mpirun: allreduce (sum, MPI's order) of float32 buffers from
// 4 bytes to 16 MB, the median of 5 timed repetitions each, two ways: as DistributedDataParallel
// issues it (lengths agreed once, at construction) and as the public allreduce (which agrees on
// the lengths first, with a small allreduce of its own). Rank 0 prints one JSON line.
'use strict';
const { distributed } = require('../../dist');
const { startAllreduce } = require('../../dist/distributed/process-group');
const { median } = require('../timing');

const group = distributed.init();
const sizes = [1, 16, 256, 4096, 65536, 235146, 1048576, 4194304];
const ways = {
  ddp: (buffer) => startAllreduce(group, buffer, 'sum', false, false).wait(),
  checked: (buffer) => distributed.allreduce(buffer),
};
const results = [];
for (const n of sizes) {
  const buffer = new Float32Array(n).fill(1);
  const reps = n >= 1048576 ? 10 : n >= 65536 ? 40 : 400;
  const row = { elements: n, bytes: 4 * n };
  for (const [name, allreduce] of Object.entries(ways)) {
    for (let i = 0; i < 5; i++) allreduce(buffer); // warm-up: connections, buffers
    const samples = [];
    for (let s = 0; s < 5; s++) {
      distributed.barrier();
      const start = process.hrtime.bigint();
      for (let r = 0; r < reps; r++) allreduce(buffer);
      samples.push(Number(process.hrtime.bigint() - start) / 1e9 / reps);
    }
    row[name] = median(samples);
  }
  results.push(row);
}
if (group.rank === 0) process.stdout.write(`${JSON.stringify({ size: group.size, results })}\n`);

// One ONNX Runtime measurement of bench:inference: the file tensorgrad exported, run by
// onnxruntime-node with the given intra-op threads (inter-op 1, sequential execution).
'use strict';
const fs = require('node:fs');
const ort = require('onnxruntime-node');
const { median } = require('../timing');

async function main() {
  const spec = JSON.parse(process.argv[2]);
  const session = await ort.InferenceSession.create(fs.readFileSync(spec.file), {
    intraOpNumThreads: spec.threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all',
  });
  const input = spec.ids
    ? new ort.Tensor('int64', BigInt64Array.from({ length: spec.dims.reduce((a, b) => a * b, 1) }, (_, i) => BigInt((i * 7919) % spec.ids)), spec.dims)
    : new ort.Tensor('float32', Float32Array.from({ length: spec.dims.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i)), spec.dims);
  const feeds = { input };
  // The API is async; a call is awaited to completion, as a server would.
  const time = async (minSeconds) => {
    let reps = 0;
    const cpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    let elapsed = 0;
    do {
      await session.run(feeds);
      reps++;
      elapsed = Number(process.hrtime.bigint() - start) / 1e9;
    } while (elapsed < minSeconds);
    const used = process.cpuUsage(cpu);
    return { seconds: elapsed / reps, cores: (used.user + used.system) / 1e6 / elapsed };
  };
  for (let i = 0; i < 5; i++) await session.run(feeds);
  const samples = [];
  for (let k = 0; k < 3; k++) samples.push(await time(spec.seconds / 3));
  console.log(JSON.stringify({ secondsPerCall: median(samples.map((x) => x.seconds)), cores: median(samples.map((x) => x.cores)), ort: require('onnxruntime-node/package.json').version }));
}
main().catch((e) => { console.error(e); process.exit(1); });

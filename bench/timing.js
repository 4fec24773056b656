// What the benches share for timing: the median of samples, and one sample of a call repeated
// until it lasts long enough to time, with the cores it got.
'use strict';
const { performance } = require('node:perf_hooks');

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * One sample of fn: seconds per call, the call repeated until the sample lasts minSeconds, and
 * the cores it got (process CPU time / wall time): on a shared machine, 2 threads may get 1 core.
 */
function sampleCall(fn, minSeconds) {
  let reps = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  let elapsed;
  do {
    fn();
    reps++;
    elapsed = (performance.now() - start) / 1000;
  } while (elapsed < minSeconds);
  const used = process.cpuUsage(cpu);
  return { seconds: elapsed / reps, cores: (used.user + used.system) / 1e6 / elapsed };
}

module.exports = { median, sampleCall };

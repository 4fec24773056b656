#!/usr/bin/env node
// The memory-bound elementwise kernels against copy bandwidth, measured in the same run:
// Float32Array.prototype.set of 1M floats, then each kernel of bench/kernels/elementwise.js
// rated in GB/s (bytes read + written) on each SIMD path, and its ratio to the copy's rate.
// The cases alternate with the copy, so both see the same machine load.
'use strict';
const os = require('node:os');
const { performance } = require('node:perf_hooks');
const { nativeBackend, nativeInfo, referenceBackend, setSimdLevel } = require('../dist');
const cases = require('./kernels/elementwise');
const { median } = require('./timing');

const MEMORY_BOUND = ['add 1M', 'mul 1M', 'sub 1M', 'addRow 1024x1024', 'mulScalar 1M', 'relu 1M',
  'reluBackward 1M', 'leakyRelu 1M', 'tanhBackward 1M'];


function makeData(spec) {
  const data = {};
  let seed = 1;
  for (const [name, length] of Object.entries(spec)) {
    data[name] = new Float32Array(length);
    referenceBackend.fillUniform(data[name], seed++, 0, -1, 1);
  }
  return data;
}

/** Median GB/s of the case and of the copy, timed alternately. */
function rates(c, copy, data, copyData, reps) {
  const kernel = [];
  const baseline = [];
  for (let r = 0; r < reps; r++) {
    let t0 = performance.now();
    copy.run(null, copyData);
    baseline.push(performance.now() - t0);
    t0 = performance.now();
    c.run(nativeBackend(), data);
    kernel.push(performance.now() - t0);
  }
  return [c.bytes / median(kernel) / 1e6, copy.bytes / median(baseline) / 1e6];
}

function main() {
  const info = nativeInfo();
  if (!info.available) throw new Error(`bench: the native addon is not available: ${info.error}`);
  // The avx512 level runs these kernels' AVX2 code: the avx2 row covers it.
  const paths = info.detectedSimd === 'portable' ? ['portable'] : ['avx2', 'portable'];
  console.log(`machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, Node ${process.version}; threads: 1\n`);
  console.log('| kernel | path | kernel GB/s | copy GB/s | ratio to copy |');
  console.log('|---|---|---:|---:|---:|');
  const copy = cases.find((c) => c.name.startsWith('copy'));
  const copyData = makeData(copy.data);
  for (const c of cases.filter((k) => MEMORY_BOUND.includes(k.name))) {
    const data = makeData(c.data);
    for (const p of paths) {
      setSimdLevel(p);
      c.run(nativeBackend(), data);
      const [kernel, baseline] = rates(c, copy, data, copyData, 200);
      console.log(`| ${c.name} | ${p} | ${kernel.toFixed(1)} | ${baseline.toFixed(1)} | ${(100 * kernel / baseline).toFixed(0)}% |`);
    }
  }
  setSimdLevel(info.detectedSimd);
}

main();

// npm run bench:conv — convolutional networks side by side in one run, tensorgrad against
// PyTorch 1.13 at its best (bench/peers.js: tcmalloc preloaded, OpenBLAS overrides unset, flush
// denormal, its own CPU convolution path):
//
// 1. training throughput (images/s) of the issue's CNN (c32k3-bn-relu-p2-c64k3-bn-relu-p2-f-128-10)
//    at batch 64 and of LeNet-5 at batch 128, on 1 and 2 threads, Adam on Fashion-MNIST batches;
// 2. forward and backward (input + weight gradients) of single convolutions of typical shapes
//    (3×3 stride 1 and 2, 1×1, depthwise 3×3) in GFLOPS and as a fraction of the FMA peak that
//    bench/openblas/fma_peak.c measures (times the thread count).
//
// tensorgrad's convolutions: the layers run the native kernels declared in
// lib/backend/kernels/conv.ts and pool.ts (the training rows say "native", or "reference loops"
// without the addon), and part 2 times the native kernels of native/kernels/conv.cc through a
// small C++ driver (bench/conv/conv_bench.cc) built with the addon's flags. Each measurement
// runs in its own process; three interleaved rounds, the median kept (--quick: one round of 1 s). Training
// rows are images over the whole measured time; single convolutions are the fastest call of
// those in the measured time (on a shared machine other processes only slow calls down).
// Saves bench/results/conv.{json,md}. Options: --quick, --seconds N, --only train,conv.
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { PYTHON, PYTORCH_PACKAGES, describeMachine, describePeers, ensurePackages, peerEnv, tensorgradEnv } = require('./peers');

const HERE = __dirname;
const ROOT = path.join(HERE, '..');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const quick = args.includes('--quick');
const seconds = Number(option('--seconds', quick ? 1 : 3));
const parts = new Set(option('--only', 'train,conv').split(','));
const THREADS = [1, 2];

/** Runs a measurement process and returns its last JSON line, or { error }. */
function measure(command, argv, env) {
  const r = spawnSync(command, argv, { encoding: 'utf8', env, maxBuffer: 1 << 24 });
  const line = (r.stdout || '').trim().split('\n').filter((l) => l.startsWith('{')).at(-1);
  if (r.status !== 0 || !line) return { error: `${path.basename(command)} exited with ${r.status}: ${(r.stderr || '').trim().split('\n').slice(-2).join(' | ')}` };
  return JSON.parse(line);
}

/** The median by `key` of the successful results (the first error when none succeeded). */
function median(results, key) {
  const ok = results.filter((r) => !r.error).sort((a, b) => a[key] - b[key]);
  return ok.length ? ok[Math.floor(ok.length / 2)] : results[0];
}

/** Builds the C++ programs: the FMA peak probe and the convolution driver on the native kernels. */
function buildTools(dir) {
  const config = JSON.parse(fs.readFileSync(path.join(ROOT, 'native', 'sources.json'), 'utf8'));
  const flags = [...config.cflags, ...config.cflags_cc].filter((f) => f !== '-fvisibility=hidden');
  const peak = path.join(dir, 'fma_peak');
  execFileSync('gcc', ['-O2', path.join(HERE, 'openblas', 'fma_peak.c'), '-o', peak]);
  const objects = [['gemm_avx2.cc', config.avx2_cflags], ['gemm_avx512.cc', config.avx512_cflags], ['conv_direct_avx2.cc', config.avx2_cflags], ['conv_direct_avx512.cc', config.avx512_cflags], ['im2col_avx2.cc', config.avx2_cflags], ['im2col_avx512.cc', config.avx512_cflags]].map(([source, extra], i) => {
    const object = path.join(dir, `${i}.o`);
    execFileSync('g++', [...flags, ...extra, '-c', path.join(ROOT, 'native', 'kernels', source), '-o', object]);
    return object;
  });
  const sources = ['native/kernels/conv.cc', 'native/kernels/im2col.cc', 'native/registry.cc', 'native/kernels/gemm.cc', 'native/threadpool.cc', 'native/cpu.cc', 'native/denormals.cc'];
  const conv = path.join(dir, 'conv_bench');
  execFileSync('g++', [...flags, path.join(HERE, 'conv', 'conv_bench.cc'), ...sources.map((s) => path.join(ROOT, s)), ...objects, '-lpthread', '-o', conv]);
  return { peak, conv };
}

/** Single convolutions: typical shapes of small image networks (the CNN's second layer first). */
const SHAPES = [
  { name: '3×3 stride 1', n: 64, c: 32, h: 14, w: 14, outC: 64, k: 3, stride: 1, pad: 1, groups: 1 },
  { name: '3×3 stride 2', n: 64, c: 64, h: 28, w: 28, outC: 128, k: 3, stride: 2, pad: 1, groups: 1 },
  { name: '1×1', n: 64, c: 64, h: 14, w: 14, outC: 128, k: 1, stride: 1, pad: 0, groups: 1 },
  { name: 'depthwise 3×3', n: 64, c: 64, h: 28, w: 28, outC: 64, k: 3, stride: 1, pad: 1, groups: 64 },
];

/** Forward FLOPs: 2 per multiply-add, n·outC·oh·ow·(c/groups)·k²; the backward does twice as many. */
function forwardFlops(s) {
  const oh = Math.floor((s.h + 2 * s.pad - s.k) / s.stride) + 1;
  const ow = Math.floor((s.w + 2 * s.pad - s.k) / s.stride) + 1;
  return 2 * s.n * s.outC * oh * ow * (s.c / s.groups) * s.k * s.k;
}

const shapeText = (s) => `[${s.n}, ${s.c}, ${s.h}, ${s.w}] → ${s.outC}${s.groups > 1 ? `, groups ${s.groups}` : ''}`;
const fmt = (v, digits = 0) => (Number.isFinite(v) ? v.toFixed(digits) : '–');

function main() {
  if (!fs.existsSync(path.join(ROOT, 'dist', 'index.js'))) {
    console.error('bench:conv: dist/ is missing: npm run build');
    process.exit(1);
  }
  const failed = ensurePackages(PYTORCH_PACKAGES);
  const torch = !failed.includes('python3-torch');
  if (!torch) console.error('bench:conv: PyTorch is not installed and apt-get failed (apt-get install python3-torch): tensorgrad only');
  else if (failed.length) console.error(`bench:conv: PyTorch runs without ${failed.join(', ')}: not at its best`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tensorgrad-bench-conv-'));
  const tools = buildTools(dir);
  const simd = require('../dist').nativeInfo().detectedSimd;
  const peak = Number(spawnSync(tools.peak, [simd === 'avx512' ? 'avx512' : 'avx2'], { encoding: 'utf8' }).stdout.trim());
  const rounds = quick ? 1 : 3;
  const load = [os.loadavg()[0]];

  // Every measurement, each a closure; rounds interleave them so a noisy neighbour hits all alike.
  const jobs = [];
  if (parts.has('train')) {
    for (const [model, batch] of [['cnn', 64], ['lenet5', 128]]) {
      for (const threads of THREADS) {
        const spec = { kind: 'train', model, batch, threads, seconds };
        jobs.push({ part: 'train', model, batch, threads, peer: 'tensorgrad', run: () => measure(process.execPath, [path.join(HERE, 'conv', 'tensorgrad-run.js'), JSON.stringify(spec)], tensorgradEnv(threads)) });
        if (torch) jobs.push({ part: 'train', model, batch, threads, peer: 'pytorch', run: () => measure(PYTHON, [path.join(HERE, 'conv', 'pytorch_run.py'), JSON.stringify(spec)], peerEnv(threads, { preloadAllocator: true })) });
      }
    }
  }
  if (parts.has('conv')) {
    for (const shape of SHAPES) {
      for (const threads of THREADS) {
        const argv = [shape.n, shape.c, shape.h, shape.w, shape.outC, shape.k, shape.stride, shape.pad, shape.groups, threads, seconds].map(String);
        jobs.push({ part: 'conv', shape, threads, peer: 'tensorgrad', run: () => measure(tools.conv, argv, tensorgradEnv(threads)) });
        if (torch) jobs.push({ part: 'conv', shape, threads, peer: 'pytorch', run: () => measure(PYTHON, [path.join(HERE, 'conv', 'pytorch_run.py'), JSON.stringify({ kind: 'conv', shape, threads, seconds })], peerEnv(threads, { preloadAllocator: true })) });
      }
    }
  }
  console.error(`bench:conv: ${jobs.length} measurements of ${seconds} s, ${rounds} round(s)`);
  const samples = jobs.map(() => []);
  for (let r = 0; r < rounds; r++) {
    jobs.forEach((job, i) => {
      samples[i].push(job.run());
      process.stderr.write('.');
    });
  }
  process.stderr.write('\n');
  load.push(os.loadavg()[0]);
  const results = jobs.map((job, i) => ({ ...job, run: undefined, result: median(samples[i], job.part === 'train' ? 'imagesPerSecond' : 'forwardMs') }));
  fs.rmSync(dir, { recursive: true, force: true });

  const lines = ['# bench:conv', '', describeMachine(), '', describePeers(), '',
    `FMA peak of one core (bench/openblas/fma_peak.c, ${simd === 'avx512' ? 'AVX-512' : 'AVX2'}): ${fmt(peak, 1)} GFLOPS; load average ${load.map((l) => l.toFixed(2)).join(' → ')} over the run`, ''];
  const find = (filter) => results.find((r) => Object.entries(filter).every(([k, v]) => r[k] === v))?.result;
  if (parts.has('train')) {
    const path0 = results.find((r) => r.part === 'train' && r.peer === 'tensorgrad')?.result?.convPath ?? '–';
    lines.push('## Training throughput (images/s)', '', `tensorgrad's convolution and pooling: ${path0}.`, '',
      '| model | batch | threads | tensorgrad | PyTorch | tensorgrad / PyTorch |', '|---|---:|---:|---:|---:|---:|');
    for (const [model, batch] of [['cnn', 64], ['lenet5', 128]]) {
      for (const threads of THREADS) {
        const ours = find({ part: 'train', model, threads, peer: 'tensorgrad' });
        const theirs = find({ part: 'train', model, threads, peer: 'pytorch' });
        const a = ours?.imagesPerSecond;
        const b = theirs?.imagesPerSecond;
        lines.push(`| ${model === 'cnn' ? 'CNN (2 conv blocks + BN)' : 'LeNet-5'} | ${batch} | ${threads} | ${ours?.error ?? fmt(a, 1)} | ${theirs?.error ?? fmt(b, 1)} | ${fmt(a / b, 3)} |`);
      }
    }
    lines.push('');
  }
  if (parts.has('conv')) {
    lines.push('## Single convolutions (forward; backward = input and weight gradients)', '',
      'GFLOPS of the fastest call and the fraction of the FMA peak × threads; tensorgrad on the native kernels (C++ driver), PyTorch through torch.nn.Conv2d.', '',
      '| convolution | input → out channels | threads | tensorgrad algorithm | tensorgrad fwd GFLOPS (peak) | tensorgrad bwd GFLOPS (peak) | PyTorch fwd GFLOPS (peak) | PyTorch bwd GFLOPS (peak) |',
      '|---|---|---:|---|---:|---:|---:|---:|');
    for (const shape of SHAPES) {
      const flops = forwardFlops(shape);
      for (const threads of THREADS) {
        const cell = (r, key, factor) => {
          if (!r || r.error) return r?.error ?? '–';
          const gflops = (factor * flops) / (r[key] * 1e6);
          return `${fmt(gflops, 1)} (${fmt((100 * gflops) / (peak * threads), 0)}%)`;
        };
        const ours = find({ part: 'conv', shape, threads, peer: 'tensorgrad' });
        const theirs = find({ part: 'conv', shape, threads, peer: 'pytorch' });
        lines.push(`| ${shape.name} | ${shapeText(shape)} | ${threads} | ${ours?.algorithm ?? '–'} | ${cell(ours, 'forwardMs', 1)} | ${cell(ours, 'backwardMs', 2)} | ${cell(theirs, 'forwardMs', 1)} | ${cell(theirs, 'backwardMs', 2)} |`);
      }
    }
    lines.push('', 'FLOPs: 2·n·outC·oh·ow·(c/groups)·k² forward, twice that backward.', '');
  }
  const text = lines.join('\n');
  console.log(text);
  fs.mkdirSync(path.join(HERE, 'results'), { recursive: true });
  fs.writeFileSync(path.join(HERE, 'results', 'conv.md'), `${text}\n`);
  fs.writeFileSync(path.join(HERE, 'results', 'conv.json'), `${JSON.stringify({ machine: describeMachine(), peak, seconds, rounds, results }, null, 1)}\n`);
}

main();

// npm run bench:train — the side-by-side training benchmark: the MLP 784-256-128-10 (ReLU,
// softmax cross-entropy, Adam lr 1e-3) on Fashion-MNIST's 60 000 training images, in tensorgrad
// (native on 1 and 2 threads, and the reference backend), PyTorch (Debian python3-torch, 1 and 2
// threads), and TensorFlow.js (CPU and WASM backends, installed into bench/tfjs on first use).
// Each measurement runs in its own process, after a warm-up, on batches prepared beforehand
// (data loading is not timed). Prints a Markdown table of samples/s, ms/step, peak RSS and the
// ratio of tensorgrad to each peer, the effective GFLOPS against the measured FMA peak, and test
// accuracy after 5 epochs; saves bench/results/train.{json,md}. The bf16 rows train and infer
// with mixed precision: tensorgrad's amp.autocast('bfloat16') and PyTorch's
// torch.autocast('cpu', dtype=torch.bfloat16), each against its own fp32 rows.
//
// Options: --quick (1 s per measurement, no accuracy runs), --seconds N, --skip-accuracy,
// --skip-bf16, --only tensorgrad,pytorch,tfjs.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { PYTORCH_PACKAGES, describeMachine, describePeers, ensurePackages, peerEnv, runMeasurement, tensorgradEnv } = require('./peers');

const HERE = __dirname;
const PYTHON = '/usr/bin/python3';
const FASHION = '/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz';
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const quick = flag('--quick');
const seconds = Number(option('--seconds', quick ? 1 : 4));
const only = new Set(option('--only', 'tensorgrad,pytorch,tfjs').split(','));

/**
 * FLOPs of one sample, counting only the multiply-adds a step performs (2 per multiply-add):
 * the forward products 2·(784·256 + 256·128 + 128·10); a training step adds the weight
 * gradients (as many again) and the input gradients of layers 2 and 3 only, 2·(256·128 + 128·10)
 * — no step computes the first layer's input gradient. Bias, activation, loss and optimizer
 * arithmetic are not counted.
 */
const LAYERS = [[784, 256], [256, 128], [128, 10]];
const FORWARD_FLOPS = LAYERS.reduce((s, [i, o]) => s + 2 * i * o, 0);
const TRAIN_FLOPS = 2 * FORWARD_FLOPS + LAYERS.slice(1).reduce((s, [i, o]) => s + 2 * i * o, 0);
const FLOP_FORMULA = `FLOPs per sample: inference 2·Σ in·out = ${FORWARD_FLOPS}; training step 2·(2·Σ in·out + Σ over layers 2-3 in·out) = ${TRAIN_FLOPS} (forward, weight gradients, input gradients of layers 2 and 3)`;

const run = (command, argv, env) => runMeasurement(command, argv, env, 3);

// Each peer at its best (bench/peers.js): no OpenBLAS overrides, PyTorch with tcmalloc.
const peers = {
  tensorgrad: (spec) => run(process.execPath, [path.join(HERE, 'train', 'tensorgrad-run.js'), JSON.stringify(spec)], tensorgradEnv(spec.threads ?? 1)),
  pytorch: (spec) => run(PYTHON, [path.join(HERE, 'train', 'pytorch_run.py'), JSON.stringify(spec)], peerEnv(spec.threads ?? 1, { preloadAllocator: true })),
  tfjs: (spec) => run(process.execPath, [path.join(HERE, 'tfjs', 'run.js'), JSON.stringify(spec)], peerEnv(1)),
};

/** What is missing for each peer, and the command that installs it. */
function availability() {
  const missing = {};
  if (!fs.existsSync(FASHION)) {
    console.error(`bench:train: Fashion-MNIST is missing (${FASHION}): apt-get install dataset-fashion-mnist`);
    process.exit(1);
  }
  if (!fs.existsSync(path.join(HERE, '..', 'dist', 'index.js'))) {
    console.error('bench:train: dist/ is missing: npm run build');
    process.exit(1);
  }
  const failed = ensurePackages(PYTORCH_PACKAGES);
  if (failed.includes('python3-torch')) missing.pytorch = 'PyTorch is not installed and apt-get failed: apt-get install python3-torch';
  else if (failed.length > 0) console.error(`bench:train: PyTorch runs without ${failed.join(', ')} (apt-get failed): not at its best`);
  if (!fs.existsSync(path.join(HERE, 'tfjs', 'node_modules', '@tensorflow', 'tfjs-backend-wasm'))) {
    const npm = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--prefix', path.join(HERE, 'tfjs')], { encoding: 'utf8' });
    if (npm.status !== 0) missing.tfjs = 'TensorFlow.js did not install: (cd bench/tfjs && npm install)';
  }
  return missing;
}

function fmaPeak() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tensorgrad-peak-'));
  const exe = path.join(dir, 'fma_peak');
  const build = spawnSync('gcc', ['-O2', path.join(HERE, 'openblas', 'fma_peak.c'), '-o', exe], { encoding: 'utf8' });
  if (build.status !== 0) return Number.NaN;
  // The peak of the widest FMA the CPU has: what tensorgrad's GEMM runs on it.
  const level = require('../dist').nativeInfo().detectedSimd === 'avx512' ? 'avx512' : 'avx2';
  return Number(spawnSync(exe, [level], { encoding: 'utf8' }).stdout.trim());
}

function median(results) {
  const ok = results.filter((r) => !r.error);
  if (ok.length === 0) return results[0];
  return ok.sort((a, b) => a.samplesPerSecond - b.samplesPerSecond)[Math.floor(ok.length / 2)];
}

/** Three interleaved rounds per configuration, the median kept: less sensitive to a noisy neighbour. */
function measureAll(configs) {
  const rounds = quick ? 1 : 3;
  const samples = configs.map(() => []);
  for (let r = 0; r < rounds; r++) {
    configs.forEach((c, i) => {
      samples[i].push(peers[c.peer]({ ...c.spec, seconds: c.spec.seconds ?? seconds }));
      process.stderr.write('.');
    });
  }
  process.stderr.write('\n');
  return configs.map((c, i) => ({ ...c, result: median(samples[i]) }));
}

function format(n, digits = 0) {
  return Number.isFinite(n) ? n.toFixed(digits) : '–';
}

function main() {
  const missing = availability();
  for (const [peer, why] of Object.entries(missing)) console.error(`bench:train: skipping ${peer}: ${why}`);
  const use = (peer) => only.has(peer) && !missing[peer];
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const peak = fmaPeak();
  const scenarios = [
    { name: 'train, batch 32', spec: { batch: 32, variant: 'mlp' } },
    { name: 'train, batch 128', spec: { batch: 128, variant: 'mlp' } },
    { name: 'train, batch 512', spec: { batch: 512, variant: 'mlp' } },
    { name: 'train, batch 128, BatchNorm + Dropout(0.5)', spec: { batch: 128, variant: 'bn-dropout' } },
    { name: 'inference, batch 1000', spec: { batch: 1000, variant: 'inference' } },
    ...(flag('--skip-bf16') ? [] : [
      { name: 'train, batch 128, bf16', spec: { batch: 128, variant: 'mlp', precision: 'bf16' } },
      { name: 'train, batch 512, bf16', spec: { batch: 512, variant: 'mlp', precision: 'bf16' } },
      { name: 'inference, batch 1000, bf16', spec: { batch: 1000, variant: 'inference', precision: 'bf16' } },
    ]),
  ];
  const configs = [];
  for (const s of scenarios) {
    for (const threads of [1, 2]) {
      if (use('tensorgrad')) configs.push({ scenario: s.name, peer: 'tensorgrad', label: `tensorgrad ${threads}T`, threads, spec: { ...s.spec, threads } });
      if (use('pytorch')) configs.push({ scenario: s.name, peer: 'pytorch', label: `PyTorch ${threads}T`, threads, spec: { ...s.spec, threads } });
    }
    if (s.spec.variant === 'mlp' && s.spec.batch === 128 && !s.spec.precision) {
      if (use('tensorgrad')) configs.push({ scenario: s.name, peer: 'tensorgrad', label: 'tensorgrad reference', threads: 1, spec: { ...s.spec, backend: 'reference', seconds: Math.min(seconds, 2), warmupSteps: 1 } });
      if (use('tfjs')) {
        configs.push({ scenario: s.name, peer: 'tfjs', label: 'TF.js WASM', threads: 1, spec: { ...s.spec, backend: 'wasm' } });
        configs.push({ scenario: s.name, peer: 'tfjs', label: 'TF.js CPU', threads: 1, spec: { ...s.spec, backend: 'cpu' } });
      }
    }
  }
  console.error(`bench:train: ${configs.length} measurements of ${seconds} s, ${quick ? 1 : 3} rounds`);
  const loadBefore = os.loadavg()[0];
  const measured = measureAll(configs);
  const loadAfter = os.loadavg()[0];

  const lines = [
    '# bench:train',
    '',
    `machine: ${describeMachine()}; FMA peak per core (${require('../dist').nativeInfo().detectedSimd}), measured by bench/openblas/fma_peak.c: ${format(peak, 1)} GFLOPS`,
    describePeers(),
    FLOP_FORMULA,
    `model: 784-256-128-10 ReLU, softmax cross-entropy, Adam lr 1e-3; Fashion-MNIST 60 000 training images; ${seconds} s per measurement, median of ${quick ? 1 : 3}; subnormals flushed to zero in tensorgrad and PyTorch alike (setFlushDenormal / torch.set_flush_denormal)`,
    `load average (1 min) when the measurements began and ended: ${loadBefore.toFixed(2)}, ${loadAfter.toFixed(2)} (other processes share the ${os.cpus().length} cores)`,
    '',
    '| scenario | peer | threads | samples/s | ms/step | peak RSS MiB | effective GFLOPS | tensorgrad (same threads) ÷ peer | tensorgrad ÷ PyTorch at its best thread count |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const m of measured) {
    const r = m.result;
    if (r.error) {
      lines.push(`| ${m.scenario} | ${m.label} | ${m.threads} | failed: ${r.error} | | | | | |`);
      continue;
    }
    const flopsPerSample = m.spec.variant === 'inference' ? FORWARD_FLOPS : TRAIN_FLOPS;
    const gflops = (r.samplesPerSecond * flopsPerSample) / 1e9;
    const ours = measured.find((o) => o.scenario === m.scenario && o.peer === 'tensorgrad' && !o.spec.backend && o.threads === m.threads && !o.result.error);
    const ratio = ours && m.peer !== 'tensorgrad' ? format(ours.result.samplesPerSecond / r.samplesPerSecond, 2) : '';
    // The targets compare each tensorgrad thread count with PyTorch's fastest one.
    const torchBest = Math.max(...measured.filter((o) => o.scenario === m.scenario && o.peer === 'pytorch' && !o.result.error).map((o) => o.result.samplesPerSecond));
    const vsBest = m.peer === 'tensorgrad' && !m.spec.backend && Number.isFinite(torchBest) ? format(r.samplesPerSecond / torchBest, 2) : '';
    lines.push(`| ${m.scenario} | ${m.label} | ${m.threads} | ${format(r.samplesPerSecond)} | ${format(r.msPerStep, 2)} | ${format(r.peakRssMiB)} | ${format(gflops, 1)}${m.threads === 1 && Number.isFinite(peak) ? ` (${format((100 * gflops) / peak)}% of peak)` : ''} | ${ratio} | ${vsBest} |`);
  }

  // Each bf16 row against the same peer's fp32 row (same batch, variant and threads).
  const bf16Rows = measured.filter((m) => m.spec.precision === 'bf16' && !m.spec.backend && !m.result.error);
  if (bf16Rows.length > 0) {
    const instructions = bf16Rows.find((m) => m.peer === 'tensorgrad')?.result.bf16Instructions;
    lines.push('', `bf16 against fp32 (tensorgrad's bfloat16 GEMM ${instructions ? 'on the AVX-512 BF16 instructions' : 'emulated: this CPU has no AVX-512 BF16'}):`, '',
      '| scenario | peer | threads | bf16 samples/s | fp32 samples/s | bf16 ÷ fp32 |', '|---|---|---|---|---|---|');
    for (const m of bf16Rows) {
      const base = measured.find((o) => o.peer === m.peer && o.threads === m.threads && !o.spec.precision && !o.spec.backend
        && o.spec.batch === m.spec.batch && o.spec.variant === m.spec.variant && !o.result.error);
      lines.push(`| ${m.scenario} | ${m.label} | ${m.threads} | ${format(m.result.samplesPerSecond)} | ${base ? format(base.result.samplesPerSecond) : '–'} | ${base ? format(m.result.samplesPerSecond / base.result.samplesPerSecond, 2) : ''} |`);
    }
  }

  const accuracy = [];
  if (!quick && !flag('--skip-accuracy')) {
    console.error('bench:train: 5 epochs each for the test accuracy');
    for (const precision of flag('--skip-bf16') ? ['fp32'] : ['fp32', 'bf16']) {
      for (const peer of ['tensorgrad', 'pytorch'].filter(use)) accuracy.push(peers[peer]({ batch: 128, variant: 'mlp', threads: 2, epochs: 5, precision }));
    }
    lines.push('', '| 5 epochs, batch 128 | precision | test accuracy |', '|---|---|---|');
    for (const a of accuracy) lines.push(`| ${a.peer ?? '?'} | ${a.precision ?? '?'} | ${a.error ? `failed: ${a.error}` : `${(100 * a.testAccuracy).toFixed(2)}%`} |`);
  }
  const table = `${lines.join('\n')}\n`;
  process.stdout.write(table);
  const dir = path.join(HERE, 'results');
  fs.mkdirSync(dir, { recursive: true });
  const { writeFileAtomic } = require('../dist/io/atomic');
  writeFileAtomic(path.join(dir, 'train.md'), Buffer.from(table));
  writeFileAtomic(path.join(dir, 'train.json'), Buffer.from(`${JSON.stringify({ date: new Date().toISOString(), machine: cpu, fmaPeakPerCore: peak, seconds, loadAverage: [loadBefore, loadAfter], measured, accuracy }, null, 2)}\n`));
}

main();

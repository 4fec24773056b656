#!/usr/bin/env node
// `npm run bench:gemm`: tensorgrad's SGEMM against OpenBLAS in the same run, cell by cell, on 1
// and 2 threads: square sizes and the MLP's shapes (forward NN, weight gradient TN, input
// gradient NT). OpenBLAS runs from a small C harness compiled here (bench/openblas/sgemm.c), once
// with its own kernel choice for this CPU and once with OPENBLAS_CORETYPE=Haswell, its AVX2
// kernels (the same instruction set as tensorgrad's). Prints the machine, the measured FMA peak
// of one core (bench/openblas/fma_peak.c) and a Markdown table of median GFLOPS with ratios; saves
// it as bench/results/gemm.{json,md}. The machine may be shared: each cell alternates samples of
// the three, so a burst of load from elsewhere hits them alike. Timings live here, never in tests.
'use strict';
const childProcess = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { nativeBackend, nativeInfo, referenceBackend, setNumThreads, getNumThreads } = require('../dist');

const SAMPLES = 7; // median of these per cell
const MIN_SECONDS = 0.04; // each sample repeats the call until it lasts this long
const THREADS = [1, 2];

const SQUARES = [64, 128, 256, 512, 1024, 2048];
// M×K×N of the MLP's layers (batch 128): forward Y = X·W (NN), dW = Xᵀ·dY (TN), dX = dY·Wᵀ (NT).
const MLP = [[128, 784, 256], [128, 256, 128], [128, 128, 10]];

function cases() {
  const list = SQUARES.map((s) => ({ name: `${s}²`, kind: 'square', transA: false, transB: false, m: s, n: s, k: s }));
  for (const [M, K, N] of MLP) {
    const layer = `${M}×${K}×${N}`;
    list.push({ name: `${layer} forward`, kind: 'mlp', transA: false, transB: false, m: M, n: N, k: K });
    list.push({ name: `${layer} dW = Xᵀ·dY`, kind: 'mlp', transA: true, transB: false, m: K, n: N, k: M });
    list.push({ name: `${layer} dX = dY·Wᵀ`, kind: 'mlp', transA: false, transB: true, m: M, n: K, k: N });
  }
  return list;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * One sample of fn: seconds per call, the call repeated until it lasts MIN_SECONDS, and the
 * cores it got (process CPU time / wall time): on a shared machine, 2 threads may get 1 core.
 */
function sample(fn) {
  let reps = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  let elapsed;
  do {
    fn();
    reps++;
    elapsed = (performance.now() - start) / 1000;
  } while (elapsed < MIN_SECONDS);
  const used = process.cpuUsage(cpu);
  return { seconds: elapsed / reps, cores: (used.user + used.system) / 1e6 / elapsed };
}

function run(command, args, env) {
  return childProcess.spawnSync(command, args, { encoding: 'utf8', env: { ...process.env, ...env } });
}

/** Compiles the C harnesses into a temporary directory; installs libopenblas-dev when it can. */
function buildHarnesses() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tensorgrad-bench-gemm-'));
  const sgemm = path.join(dir, 'sgemm');
  const peak = path.join(dir, 'fma_peak');
  const source = (name) => path.join(__dirname, 'openblas', name);
  const compileSgemm = () => run('gcc', ['-O2', source('sgemm.c'), '-o', sgemm, '-lopenblas']);
  let result = compileSgemm();
  if (result.status !== 0) {
    const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    if (!isRoot) {
      console.error('bench:gemm: cannot build the OpenBLAS harness (cblas.h or libopenblas missing).\n' +
        'Install it with: sudo apt-get install -y libopenblas-dev  (Debian/Ubuntu), then run again.\n' +
        (result.error ? String(result.error) : result.stderr));
      process.exit(1);
    }
    console.log('bench:gemm: installing libopenblas-dev (apt-get install -y libopenblas-dev) ...');
    const install = childProcess.spawnSync('apt-get', ['install', '-y', 'libopenblas-dev'], {
      stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    result = install.status === 0 ? compileSgemm() : install;
    if (result.status !== 0) {
      console.error('bench:gemm: apt-get install -y libopenblas-dev did not give a working OpenBLAS.');
      process.exit(1);
    }
  }
  const peakBuild = run('gcc', ['-O2', '-mavx2', '-mfma', source('fma_peak.c'), '-o', peak]);
  if (peakBuild.status !== 0) throw new Error(`bench:gemm: fma_peak.c did not compile: ${peakBuild.stderr}`);
  return { dir, sgemm, peak };
}

/**
 * The OpenBLAS harness as a server (bench/openblas/sgemm.c): one process per thread count and
 * kernel family (coreType undefined = OpenBLAS's own choice for this CPU).
 */
class OpenBlas {
  constructor(harness, threads, coreType) {
    const env = { ...process.env, OPENBLAS_NUM_THREADS: String(threads) };
    if (coreType) env.OPENBLAS_CORETYPE = coreType;
    this.child = childProcess.spawn(harness.sgemm, [], { env, stdio: ['pipe', 'pipe', 'inherit'] });
    this.lines = [];
    this.waiting = [];
    let buffered = '';
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (chunk) => {
      buffered += chunk;
      let newline;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        const waiter = this.waiting.shift();
        if (waiter) waiter.resolve(line);
        else this.lines.push(line);
      }
    });
    this.child.on('exit', (code) => {
      for (const waiter of this.waiting.splice(0)) waiter.reject(new Error(`bench:gemm: the OpenBLAS harness exited (${code})`));
    });
  }

  nextLine() {
    if (this.lines.length) return Promise.resolve(this.lines.shift());
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  /**
   * Seconds per call of one sample. Between samples the process is stopped (SIGSTOP): OpenBLAS's
   * idle workers spin for a while after a call and would take a core from whatever runs next.
   */
  async sample(c) {
    this.child.kill('SIGCONT');
    this.child.stdin.write(`${c.transA ? 1 : 0} ${c.transB ? 1 : 0} ${c.m} ${c.n} ${c.k} ${MIN_SECONDS}\n`);
    const seconds = Number(await this.nextLine());
    this.child.kill('SIGSTOP');
    return seconds;
  }

  close() {
    this.child.kill('SIGCONT');
    this.child.stdin.end();
  }
}

/** Writes a file atomically: a temporary file beside it, fsync, rename. */
function writeAtomic(file, text) {
  const temp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(temp, 'w');
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temp, file);
}

const gflops = (c, seconds) => (2 * c.m * c.n * c.k) / seconds / 1e9;

async function main() {
  const info = nativeInfo();
  if (!info.available) {
    console.error(`bench:gemm: the native addon is not available: ${info.error}`);
    process.exit(1);
  }
  const harness = buildHarnesses();
  const peak = Number(run(harness.peak, []).stdout.trim());
  const cpus = os.cpus();
  const machine = `${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores, ${os.platform()}-${os.arch()}, Node ${process.version}`;
  const tg = nativeBackend();
  const before = getNumThreads();
  const rows = [];
  let openblasConfig = '';
  let haswellConfig = '';
  for (const threads of THREADS) {
    setNumThreads(threads);
    const theirs = new OpenBlas(harness, threads);
    const haswell = new OpenBlas(harness, threads, 'Haswell');
    openblasConfig = await theirs.nextLine();
    haswellConfig = await haswell.nextLine();
    theirs.child.kill('SIGSTOP');
    haswell.child.kill('SIGSTOP');
    for (const c of cases()) {
      const data = {};
      for (const [name, length] of [['a', c.m * c.k], ['b', c.k * c.n], ['c', c.m * c.n]]) {
        data[name] = new Float32Array(length);
        referenceBackend.fillUniform(data[name], name.charCodeAt(0), 0, -1, 1);
      }
      const call = () => tg.gemm(c.transA, c.transB, c.m, c.n, c.k, 1, data.a, data.b, 0, data.c);
      call(); // warm-up (the harness warms up on a new shape by itself)
      const times = { tensorgrad: [], openblas: [], openblasAvx2: [] };
      const cores = [];
      for (let s = 0; s < SAMPLES; s++) {
        const ours = sample(call);
        times.tensorgrad.push(ours.seconds);
        cores.push(ours.cores);
        times.openblas.push(await theirs.sample(c));
        times.openblasAvx2.push(await haswell.sample(c));
      }
      const r = {
        case: c.name, kind: c.kind, op: `${c.transA ? 'T' : 'N'}${c.transB ? 'T' : 'N'}`,
        m: c.m, n: c.n, k: c.k, threads, coresUsed: median(cores),
        tensorgrad: gflops(c, median(times.tensorgrad)), openblas: gflops(c, median(times.openblas)),
        openblasAvx2: gflops(c, median(times.openblasAvx2)),
      };
      rows.push(r);
      process.stderr.write(`  ${threads}T ${c.name}: ${r.tensorgrad.toFixed(1)} / ${r.openblas.toFixed(1)} / ${r.openblasAvx2.toFixed(1)} GFLOPS\n`);
    }
    theirs.close();
    haswell.close();
  }
  setNumThreads(before);
  fs.rmSync(harness.dir, { recursive: true, force: true });

  const header = ['case', 'op', 'm×n×k', 'threads', 'cores used', 'tensorgrad GFLOPS', 'OpenBLAS GFLOPS', 'ratio',
    'OpenBLAS AVX2 GFLOPS', 'ratio AVX2'];
  const cells = rows.map((r) => [r.case, r.op, `${r.m}×${r.n}×${r.k}`, String(r.threads), r.coresUsed.toFixed(2), r.tensorgrad.toFixed(1),
    r.openblas.toFixed(1), (r.tensorgrad / r.openblas).toFixed(2), r.openblasAvx2.toFixed(1),
    (r.tensorgrad / r.openblasAvx2).toFixed(2)]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i].length)));
  const line = (row) => `| ${row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join(' | ')} |`;
  const find = (name, threads) => rows.find((r) => r.case === name && r.threads === threads);
  const oneThread = rows.filter((r) => r.threads === 1);
  const worst = (list, key) => Math.min(...list.map((r) => r.tensorgrad / r[key]));
  const big = oneThread.filter((r) => r.kind === 'square' && r.m >= 512);
  const mlp = oneThread.filter((r) => r.kind === 'mlp');
  const scaling = find('1024²', 2).tensorgrad / find('1024²', 1).tensorgrad;
  const summary = {
    worstRatioSquare512to2048: worst(big, 'openblas'), worstRatioSquare512to2048Avx2: worst(big, 'openblasAvx2'),
    worstRatioMlp: worst(mlp, 'openblas'), worstRatioMlpAvx2: worst(mlp, 'openblasAvx2'),
    scaling1024TwoThreads: scaling,
  };
  const markdown = [
    `# SGEMM: tensorgrad against OpenBLAS`,
    '',
    `machine: ${machine}`,
    `FMA peak per core (8-wide float FMA, 12 chains): ${peak.toFixed(1)} GFLOPS`,
    `tensorgrad: native ${info.simd} path; OpenBLAS: ${openblasConfig}; "AVX2" columns: OPENBLAS_CORETYPE=Haswell (${haswellConfig})`,
    `median of ${SAMPLES} samples of ≥ ${MIN_SECONDS * 1000} ms per cell (the three alternating), alpha = 1, beta = 0; ratio = tensorgrad / OpenBLAS`,
    'cores used: CPU time / wall time of tensorgrad\'s samples (below the thread count when other processes share the machine)',
    '',
    line(header),
    `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
    ...cells.map(line),
    '',
    `1 thread, squares 512–2048: worst ratio ${summary.worstRatioSquare512to2048.toFixed(2)} (AVX2 OpenBLAS ${summary.worstRatioSquare512to2048Avx2.toFixed(2)})`,
    `1 thread, MLP shapes: worst ratio ${summary.worstRatioMlp.toFixed(2)} (AVX2 OpenBLAS ${summary.worstRatioMlpAvx2.toFixed(2)})`,
    `2 threads / 1 thread at 1024²: ${scaling.toFixed(2)}× (cores used on 2 threads: ${find('1024²', 2).coresUsed.toFixed(2)})`,
    '',
  ].join('\n');
  console.log(`\n${markdown}`);
  const results = path.join(__dirname, 'results');
  fs.mkdirSync(results, { recursive: true });
  const json = { date: new Date().toISOString(), machine, fmaPeakPerCore: peak, simd: info.simd, openblas: openblasConfig,
    samples: SAMPLES, minSeconds: MIN_SECONDS, rows, summary };
  writeAtomic(path.join(results, 'gemm.json'), `${JSON.stringify(json, null, 2)}\n`);
  writeAtomic(path.join(results, 'gemm.md'), markdown);
  console.log(`saved ${path.relative(process.cwd(), path.join(results, 'gemm.md'))} and gemm.json`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

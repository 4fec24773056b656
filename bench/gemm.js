#!/usr/bin/env node
// `npm run bench:gemm`: tensorgrad's SGEMM against OpenBLAS in the same run, cell by cell, on 1
// and 2 threads: square sizes and the MLP's shapes (forward NN, weight gradient TN, input
// gradient NT). tensorgrad runs on each SIMD level of this CPU that has a GEMM kernel of its own
// (avx512, avx2; portable when there is nothing else), one column each. OpenBLAS runs from a
// small C harness compiled here (bench/openblas/sgemm.c), once with its own kernel choice for
// this CPU and once with OPENBLAS_CORETYPE=Haswell, its AVX2 kernels (the instruction set of
// tensorgrad's avx2 level). Prints the machine, the measured FMA peak of one core for AVX2 and
// AVX-512 (bench/openblas/fma_peak.c) and a Markdown table of median GFLOPS with ratios; saves it
// as bench/results/gemm.{json,md}. The machine may be shared: each cell alternates samples of
// all columns, so a burst of load from elsewhere hits them alike. Timings live here, never in
// tests.
'use strict';
const childProcess = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { nativeBackend, nativeInfo, referenceBackend, setNumThreads, getNumThreads, setSimdLevel } = require('../dist');
const { median, sampleCall } = require('./timing');
const { gemmCases } = require('./gemm-shapes');

const SAMPLES = 7; // median of these per cell
const MIN_SECONDS = 0.04; // each sample repeats the call until it lasts this long
const THREADS = [1, 2];

const cases = gemmCases;

const sample = (fn) => sampleCall(fn, MIN_SECONDS);

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
  // fma_peak.c compiles each loop for its instruction set by a target attribute: no -m flags.
  const peakBuild = run('gcc', ['-O2', source('fma_peak.c'), '-o', peak]);
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

/** The measured FMA peak of one core, GFLOPS, for `set` (avx2 | avx512). */
function fmaPeak(harness, set) {
  const result = run(harness.peak, [set]);
  if (result.status !== 0) throw new Error(`bench:gemm: fma_peak ${set} failed: ${result.stderr}`);
  return Number(result.stdout.trim());
}

async function main() {
  const info = nativeInfo();
  if (!info.available) {
    console.error(`bench:gemm: the native addon is not available: ${info.error}`);
    process.exit(1);
  }
  // The levels with a GEMM kernel of their own, best first.
  const levels = info.simdLevels.filter((l) => l !== 'portable');
  if (levels.length === 0) levels.push('portable');
  const best = levels[0];
  const harness = buildHarnesses();
  const peaks = {};
  if (info.simdLevels.includes('avx2')) peaks.avx2 = fmaPeak(harness, 'avx2');
  if (info.simdLevels.includes('avx512')) peaks.avx512 = fmaPeak(harness, 'avx512');
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
      const times = { openblas: [], openblasAvx2: [] };
      for (const level of levels) times[level] = [];
      const cores = [];
      for (let s = 0; s < SAMPLES; s++) {
        for (const level of levels) {
          setSimdLevel(level);
          if (s === 0) call(); // warm-up (the harness warms up on a new shape by itself)
          const ours = sample(call);
          times[level].push(ours.seconds);
          if (level === best) cores.push(ours.cores);
        }
        times.openblas.push(await theirs.sample(c));
        times.openblasAvx2.push(await haswell.sample(c));
      }
      const r = {
        case: c.name, kind: c.kind, op: `${c.transA ? 'T' : 'N'}${c.transB ? 'T' : 'N'}`,
        m: c.m, n: c.n, k: c.k, threads, coresUsed: median(cores), tensorgrad: {},
        openblas: gflops(c, median(times.openblas)), openblasAvx2: gflops(c, median(times.openblasAvx2)),
      };
      for (const level of levels) r.tensorgrad[level] = gflops(c, median(times[level]));
      rows.push(r);
      const ours = levels.map((l) => `${l} ${r.tensorgrad[l].toFixed(1)}`).join(', ');
      process.stderr.write(`  ${threads}T ${c.name}: ${ours} / OpenBLAS ${r.openblas.toFixed(1)}, Haswell ${r.openblasAvx2.toFixed(1)} GFLOPS\n`);
    }
    theirs.close();
    haswell.close();
  }
  setNumThreads(before);
  setSimdLevel(info.simd);
  fs.rmSync(harness.dir, { recursive: true, force: true });

  const hasAvx2 = levels.includes('avx2');
  const header = ['case', 'op', 'm×n×k', 'threads', 'cores used', ...levels.map((l) => `${l} GFLOPS`),
    'OpenBLAS GFLOPS', `ratio ${best}`, 'OpenBLAS AVX2 GFLOPS', ...(hasAvx2 ? ['ratio avx2 / AVX2'] : [])];
  const cells = rows.map((r) => [r.case, r.op, `${r.m}×${r.n}×${r.k}`, String(r.threads), r.coresUsed.toFixed(2),
    ...levels.map((l) => r.tensorgrad[l].toFixed(1)), r.openblas.toFixed(1), (r.tensorgrad[best] / r.openblas).toFixed(2),
    r.openblasAvx2.toFixed(1), ...(hasAvx2 ? [(r.tensorgrad.avx2 / r.openblasAvx2).toFixed(2)] : [])]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i].length)));
  const line = (row) => `| ${row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join(' | ')} |`;
  const find = (name, threads) => rows.find((r) => r.case === name && r.threads === threads);
  const oneThread = rows.filter((r) => r.threads === 1);
  const worst = (list, level, key) => Math.min(...list.map((r) => r.tensorgrad[level] / r[key]));
  const big = oneThread.filter((r) => r.kind === 'square' && r.m >= 512);
  const mlp = oneThread.filter((r) => r.kind === 'mlp');
  const scaling = find('1024²', 2).tensorgrad[best] / find('1024²', 1).tensorgrad[best];
  const summary = {
    level: best,
    worstRatioSquare512to2048: worst(big, best, 'openblas'), worstRatioMlp: worst(mlp, best, 'openblas'),
    ...(hasAvx2 ? {
      worstRatioSquare512to2048Avx2: worst(big, 'avx2', 'openblasAvx2'), worstRatioMlpAvx2: worst(mlp, 'avx2', 'openblasAvx2'),
    } : {}),
    scaling1024TwoThreads: scaling,
  };
  const avx2Note = (key) => (hasAvx2 ? ` (avx2 against AVX2 OpenBLAS ${summary[key].toFixed(2)})` : '');
  const peakLine = Object.entries(peaks).map(([set, g]) => `${set} ${g.toFixed(1)} GFLOPS`).join(', ');
  const markdown = [
    `# SGEMM: tensorgrad against OpenBLAS`,
    '',
    `machine: ${machine}; threads: ${THREADS.join(' and ')} (tensorgrad setNumThreads, OPENBLAS_NUM_THREADS)`,
    `FMA peak per core (12 chains of float FMAs): ${peakLine || 'not measured (no AVX2)'}`,
    `tensorgrad: native SIMD levels ${levels.join(', ')}; OpenBLAS: ${openblasConfig}; "AVX2" columns: OPENBLAS_CORETYPE=Haswell (${haswellConfig})`,
    `median of ${SAMPLES} samples of ≥ ${MIN_SECONDS * 1000} ms per cell (all columns alternating), alpha = 1, beta = 0; ` +
      `ratio ${best} = tensorgrad ${best} / OpenBLAS${hasAvx2 ? ', ratio avx2 / AVX2 = tensorgrad avx2 / OpenBLAS AVX2' : ''}`,
    `cores used: CPU time / wall time of tensorgrad's ${best} samples (below the thread count when other processes share the machine)`,
    '',
    line(header),
    `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
    ...cells.map(line),
    '',
    `1 thread, squares 512–2048: worst ratio ${summary.worstRatioSquare512to2048.toFixed(2)} (${best})${avx2Note('worstRatioSquare512to2048Avx2')}`,
    `1 thread, MLP shapes: worst ratio ${summary.worstRatioMlp.toFixed(2)} (${best})${avx2Note('worstRatioMlpAvx2')}`,
    `2 threads / 1 thread at 1024² (${best}): ${scaling.toFixed(2)}× (cores used on 2 threads: ${find('1024²', 2).coresUsed.toFixed(2)})`,
    '',
  ].join('\n');
  console.log(`\n${markdown}`);
  const results = path.join(__dirname, 'results');
  fs.mkdirSync(results, { recursive: true });
  const json = { date: new Date().toISOString(), machine, threads: THREADS, fmaPeakPerCore: peaks, levels,
    openblas: openblasConfig, openblasAvx2: haswellConfig, samples: SAMPLES, minSeconds: MIN_SECONDS, rows, summary };
  writeAtomic(path.join(results, 'gemm.json'), `${JSON.stringify(json, null, 2)}\n`);
  writeAtomic(path.join(results, 'gemm.md'), markdown);
  console.log(`saved ${path.relative(process.cwd(), path.join(results, 'gemm.md'))} and gemm.json`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

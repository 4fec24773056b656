#!/usr/bin/env node
// `npm run bench:gemm`: tensorgrad's SGEMM against OpenBLAS in the same run, cell by cell, on 1
// and 2 threads: square sizes and the MLP's shapes (bench/gemm-shapes.js: forward NN, weight
// gradient TN, input gradient NT, the skinny output layer included). tensorgrad runs on each
// SIMD level of this CPU that has a GEMM kernel of its own (avx512, avx2; portable when there is
// nothing else), one column each. OpenBLAS runs from a small C harness compiled here
// (bench/openblas/sgemm.c) at its best: OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE, which some
// environments set, are removed from its command, so it picks its own kernels for this CPU (their
// family, openblas_get_corename, is printed); and once with OPENBLAS_CORETYPE=Haswell, its AVX2
// kernels, the instruction set of tensorgrad's avx2 level. Prints the machine, the load average,
// the measured FMA peak of one core per SIMD level (bench/openblas/fma_peak.c) and a Markdown
// table of median GFLOPS (2·m·n·k flops per call) with ratios and fractions of that peak; saves
// it as bench/results/gemm.{json,md}. The machine may be shared: each cell alternates samples of
// all columns, so a burst of load from elsewhere hits them alike. Timings live here, never in
// tests.
//   --cases REGEX   only the shapes whose name matches (not saved)
//   --threads 1,2   the thread counts (not saved unless 1,2)
'use strict';
const childProcess = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { nativeBackend, nativeInfo, referenceBackend, setNumThreads, getNumThreads, setSimdLevel } = require('../dist');
const { gemmCases } = require('./gemm-shapes');
const { peerEnv } = require('./peers');
const { loadAverage, machineLine, measurePeaks } = require('./peak');
const { median, sampleCall } = require('./timing');

const SAMPLES = 7; // median of these per cell
const MIN_SECONDS = 0.04; // each sample repeats the call until it lasts this long

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}
const CASES = new RegExp(option('--cases', ''));
const THREADS = option('--threads', '1,2').split(',').map(Number);
const PARTIAL = process.argv.includes('--cases') || THREADS.join(',') !== '1,2';
if (THREADS.some((t) => !Number.isInteger(t) || t < 1)) {
  throw new RangeError(`bench:gemm: Expected thread counts such as 1,2 for --threads but received ${option('--threads')}`);
}

const sample = (fn) => sampleCall(fn, MIN_SECONDS);

function run(command, args, env) {
  return childProcess.spawnSync(command, args, { encoding: 'utf8', env: { ...process.env, ...env } });
}

/** Compiles the C harnesses into a temporary directory; installs libopenblas-dev when it can. */
function buildHarnesses() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tensorgrad-bench-gemm-'));
  const sgemm = path.join(dir, 'sgemm');
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
  return { dir, sgemm };
}

/**
 * The OpenBLAS harness as a server (bench/openblas/sgemm.c): one process per thread count and
 * kernel family (coreType undefined = OpenBLAS's own choice for this CPU), in a peer's
 * environment at its best (bench/peers.js: the environment's OPENBLAS_CORETYPE and
 * OPENBLAS_L2_SIZE would pin it to another CPU's kernels and cache blocking).
 */
class OpenBlas {
  constructor(harness, threads, coreType) {
    const env = peerEnv(threads);
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

  /** The harness's first two lines: the kernel family and the configuration. */
  async describe() {
    const coreName = await this.nextLine();
    const config = await this.nextLine();
    this.child.kill('SIGSTOP');
    return { coreName, config };
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

/** The SIMD level whose peak an OpenBLAS kernel family runs against: AVX-512 for the families
 * with AVX-512 kernels, else AVX2. */
function openblasLevel(coreName) {
  return /skylakex|cooperlake|sapphirerapids|zen4|zen5/i.test(coreName) ? 'avx512' : 'avx2';
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
  const peaks = measurePeaks(['avx2', 'avx512'].filter((set) => info.simdLevels.includes(set)));
  const machine = machineLine();
  const loadBefore = loadAverage();
  const tg = nativeBackend();
  const before = getNumThreads();
  const rows = [];
  let own = { coreName: '', config: '' };
  let haswellOwn = { coreName: '', config: '' };
  for (const threads of THREADS) {
    setNumThreads(threads);
    const theirs = new OpenBlas(harness, threads);
    const haswell = new OpenBlas(harness, threads, 'Haswell');
    own = await theirs.describe();
    haswellOwn = await haswell.describe();
    for (const c of gemmCases().filter((x) => CASES.test(x.name))) {
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
      process.stderr.write(`  ${threads}T ${c.name}: ${ours} / OpenBLAS ${own.coreName} ${r.openblas.toFixed(1)}, Haswell ${r.openblasAvx2.toFixed(1)} GFLOPS\n`);
    }
    theirs.close();
    haswell.close();
  }
  setNumThreads(before);
  setSimdLevel(info.simd);
  fs.rmSync(harness.dir, { recursive: true, force: true });
  const loadAfter = loadAverage();

  const hasAvx2 = levels.includes('avx2');
  const ownLevel = openblasLevel(own.coreName);
  // A fraction of the peak of `threads` cores at `level`, or '' where it was not measured.
  const ofPeak = (g, level, threads) => (peaks[level] ? `${((100 * g) / (peaks[level] * threads)).toFixed(0)}%` : '');
  const header = ['case', 'op', 'm×n×k', 'threads', 'cores used', ...levels.flatMap((l) => [`${l} GFLOPS`, 'of peak']),
    `OpenBLAS ${own.coreName} GFLOPS`, 'of peak', `ratio ${best}`,
    ...(hasAvx2 ? ['OpenBLAS Haswell GFLOPS', 'of peak', 'ratio avx2 / Haswell'] : [])];
  const cells = rows.map((r) => [r.case, r.op, `${r.m}×${r.n}×${r.k}`, String(r.threads), r.coresUsed.toFixed(2),
    ...levels.flatMap((l) => [r.tensorgrad[l].toFixed(1), ofPeak(r.tensorgrad[l], l, r.threads)]),
    r.openblas.toFixed(1), ofPeak(r.openblas, ownLevel, r.threads), (r.tensorgrad[best] / r.openblas).toFixed(2),
    ...(hasAvx2 ? [r.openblasAvx2.toFixed(1), ofPeak(r.openblasAvx2, 'avx2', r.threads), (r.tensorgrad.avx2 / r.openblasAvx2).toFixed(2)] : [])]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i].length)));
  const line = (row) => `| ${row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join(' | ')} |`;
  const worst = (list, level, key) => (list.length ? Math.min(...list.map((r) => r.tensorgrad[level] / r[key])) : NaN);
  const summary = { level: best };
  for (const threads of THREADS) {
    const mine = rows.filter((r) => r.threads === threads);
    summary[`worstRatio${threads}T`] = worst(mine, best, 'openblas');
    if (hasAvx2) summary[`worstRatioAvx2${threads}T`] = worst(mine, 'avx2', 'openblasAvx2');
  }
  const find = (name, threads) => rows.find((r) => r.case === name && r.threads === threads);
  const one = find('1024²', 1);
  const two = find('1024²', 2);
  if (one && two) summary.scaling1024TwoThreads = two.tensorgrad[best] / one.tensorgrad[best];
  const peakLine = Object.entries(peaks).map(([set, g]) => `${set} ${g.toFixed(1)} GFLOPS`).join(', ');
  const markdown = [
    `# SGEMM: tensorgrad against OpenBLAS`,
    '',
    `machine: ${machine}; threads: ${THREADS.join(' and ')} (tensorgrad setNumThreads, OPENBLAS_NUM_THREADS)`,
    `load average (1, 5, 15 min) before: ${loadBefore}; after: ${loadAfter}`,
    `FMA peak per core (12 chains of float FMAs, bench/openblas/fma_peak.c): ${peakLine || 'not measured (no AVX2)'}; ` +
      '"of peak" = GFLOPS / (peak of that SIMD level × threads), flops = 2·m·n·k per call',
    `tensorgrad: native SIMD levels ${levels.join(', ')}; OpenBLAS at its best: its own kernels for this CPU, ${own.coreName} ` +
      `(OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset for its command; ${own.config}), against the ${ownLevel} peak; ` +
      `"Haswell" columns: OPENBLAS_CORETYPE=Haswell, its AVX2 kernels (${haswellOwn.coreName})`,
    `median of ${SAMPLES} samples of ≥ ${MIN_SECONDS * 1000} ms per cell (all columns alternating), alpha = 1, beta = 0; ` +
      `ratio ${best} = tensorgrad ${best} / OpenBLAS ${own.coreName}${hasAvx2 ? ', ratio avx2 / Haswell = tensorgrad avx2 / OpenBLAS Haswell' : ''}`,
    `cores used: CPU time / wall time of tensorgrad's ${best} samples (below the thread count when other processes share the machine)`,
    '',
    line(header),
    `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
    ...cells.map(line),
    '',
    ...THREADS.map((t) => `${t} thread${t > 1 ? 's' : ''}: worst ratio ${summary[`worstRatio${t}T`].toFixed(2)} (${best} / ${own.coreName})` +
      (hasAvx2 ? `, ${summary[`worstRatioAvx2${t}T`].toFixed(2)} (avx2 / Haswell)` : '')),
    ...(summary.scaling1024TwoThreads ? [`2 threads / 1 thread at 1024² (${best}): ${summary.scaling1024TwoThreads.toFixed(2)}× (cores used on 2 threads: ${two.coresUsed.toFixed(2)})`] : []),
    '',
  ].join('\n');
  console.log(`\n${markdown}`);
  if (PARTIAL) {
    console.log('(a partial run, --cases or --threads: not saved)');
    return;
  }
  const results = path.join(__dirname, 'results');
  fs.mkdirSync(results, { recursive: true });
  const json = { date: new Date().toISOString(), machine, loadBefore, loadAfter, threads: THREADS, fmaPeakPerCore: peaks, levels,
    openblas: own, openblasHaswell: haswellOwn, openblasPeakLevel: ownLevel, samples: SAMPLES, minSeconds: MIN_SECONDS, rows, summary };
  writeAtomic(path.join(results, 'gemm.json'), `${JSON.stringify(json, null, 2)}\n`);
  writeAtomic(path.join(results, 'gemm.md'), markdown);
  console.log(`saved ${path.relative(process.cwd(), path.join(results, 'gemm.md'))} and gemm.json`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

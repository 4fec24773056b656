// The measured peak of one core of this machine, for the benches' "of peak" figures, and the
// lines they print beside every timing (CPU model, load average). bench/openblas/fma_peak.c is
// compiled here (each loop carries its own target attribute: no -m flags) and run per
// instruction set: avx2 (ymm FMAs), avx512 (zmm FMAs), avx512bf16 (zmm vdpbf16ps).
'use strict';
const childProcess = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const SETS = ['avx2', 'avx512', 'avx512bf16'];

/** Compiles fma_peak.c into `dir` (a fresh temporary directory when omitted); returns its path. */
function buildPeakHarness(dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tensorgrad-peak-'))) {
  const exe = path.join(dir, 'fma_peak');
  const build = childProcess.spawnSync('gcc', ['-O2', path.join(__dirname, 'openblas', 'fma_peak.c'), '-o', exe], { encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`bench: fma_peak.c did not compile: ${build.error ?? build.stderr}`);
  return exe;
}

/** GFLOPS of one core for `set` (one of SETS), the best of fma_peak's trials. */
function measurePeak(exe, set) {
  if (!SETS.includes(set)) throw new RangeError(`bench: Expected one of ${SETS.join(', ')} but received ${set}`);
  const result = childProcess.spawnSync(exe, [set], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`bench: fma_peak ${set} failed: ${result.stderr}`);
  return Number(result.stdout.trim());
}

/** The peaks of `sets`, { set: GFLOPS }, from one build of the harness. */
function measurePeaks(sets) {
  const exe = buildPeakHarness();
  try {
    return Object.fromEntries(sets.map((set) => [set, measurePeak(exe, set)]));
  } finally {
    fs.rmSync(path.dirname(exe), { recursive: true, force: true });
  }
}

/** Whether this CPU has AVX-512 BF16 (vdpbf16ps), from /proc/cpuinfo's flags. */
function hasAvx512Bf16() {
  try {
    return /\bavx512_bf16\b/.test(fs.readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    return false;
  }
}

/** The 1, 5 and 15 minute load averages, as /proc/loadavg prints them where it exists. */
function loadAverage() {
  if (fs.existsSync('/proc/loadavg')) return fs.readFileSync('/proc/loadavg', 'utf8').trim();
  return os.loadavg().map((x) => x.toFixed(2)).join(' ');
}

/** The machine: CPU model, core count, platform, Node. */
function machineLine() {
  const cpus = os.cpus();
  return `${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores, ${os.platform()}-${os.arch()}, Node ${process.version}`;
}

module.exports = { SETS, buildPeakHarness, hasAvx512Bf16, loadAverage, machineLine, measurePeak, measurePeaks };

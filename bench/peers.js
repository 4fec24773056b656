// What every bench needs to run its peers at their best and say so: the environment for a
// peer's process (this environment may pin OpenBLAS to its Haswell kernels and a small L2 with
// OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE; both are unset for the peer, never in tests or CI), a
// faster allocator preloaded into PyTorch (glibc malloc's trimming makes PyTorch fault its
// activations in every step; its CPU tuning guide preloads tcmalloc or jemalloc), and a line
// naming the kernel family and allocator each peer ran with.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');

const PYTHON = '/usr/bin/python3';

/** Allocators to preload into PyTorch, best first (Debian libtcmalloc-minimal4, libjemalloc2). */
const ALLOCATORS = [
  ['tcmalloc', '/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4'],
  ['jemalloc', '/usr/lib/x86_64-linux-gnu/libjemalloc.so.2'],
];

/** The allocator a peer gets: the first installed, or glibc (with the package that would help). */
function allocator(choice = process.env.BENCH_ALLOCATOR) {
  if (choice === 'glibc') return { name: 'glibc malloc', preload: undefined };
  for (const [name, file] of ALLOCATORS) {
    if ((choice === undefined || choice === name) && fs.existsSync(file)) return { name, preload: file };
  }
  return { name: 'glibc malloc (apt-get install libtcmalloc-minimal4 for PyTorch at its best)', preload: undefined };
}

/** Thread counts every library reads, set alike for tensorgrad and its peers. */
function threadEnv(threads) {
  const n = String(threads);
  return { OMP_NUM_THREADS: n, OPENBLAS_NUM_THREADS: n, MKL_NUM_THREADS: n, TENSORGRAD_NUM_THREADS: n };
}

/**
 * The environment of a peer's process at its best: the caller's, less the OpenBLAS overrides,
 * with the thread counts and (for PyTorch) the preloaded allocator.
 */
function peerEnv(threads, { preloadAllocator = false } = {}) {
  const env = { ...process.env, ...threadEnv(threads) };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  if (preloadAllocator) {
    const { preload } = allocator();
    if (preload) env.LD_PRELOAD = [preload, env.LD_PRELOAD].filter(Boolean).join(':');
  }
  return env;
}

/** tensorgrad's own environment: the thread count, and the rest exactly as the caller has it. */
function tensorgradEnv(threads) {
  return { ...process.env, ...threadEnv(threads) };
}

/**
 * What PyTorch runs with in that environment: its version, the OpenBLAS kernel family
 * (openblas_get_corename through the library torch loaded) and the allocator in its process.
 */
function pytorchInfo() {
  const script = `
import ctypes, json, torch
core = None
for line in open('/proc/self/maps'):
    if 'libopenblas' in line:
        try:
            lib = ctypes.CDLL(line.split()[-1]); lib.openblas_get_corename.restype = ctypes.c_char_p
            core = lib.openblas_get_corename().decode(); break
        except Exception: pass
maps = open('/proc/self/maps').read()
alloc = 'tcmalloc' if 'tcmalloc' in maps else 'jemalloc' if 'jemalloc' in maps else 'glibc malloc'
print(json.dumps({'torch': torch.__version__, 'openblas': core, 'allocator': alloc}))`;
  const r = spawnSync(PYTHON, ['-c', script], { encoding: 'utf8', env: peerEnv(1, { preloadAllocator: true }) });
  if (r.status !== 0) return { error: (r.stderr || '').trim().split('\n').pop() };
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

/**
 * Installs the Debian packages a bench's peers need when they are missing (PyTorch's BLAS is
 * whatever provides libblas.so.3: without OpenBLAS that is the slow reference BLAS). Returns the
 * packages that could not be installed.
 */
function ensurePackages(packages) {
  const missing = packages.filter((p) => spawnSync('dpkg-query', ['-W', '-f=${Status}', p], { encoding: 'utf8' }).stdout !== 'install ok installed');
  if (missing.length === 0) return [];
  const apt = spawnSync('apt-get', ['install', '-y', '-q', ...missing], { encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  return apt.status === 0 ? [] : missing;
}

/** What PyTorch at its best needs from Debian. */
const PYTORCH_PACKAGES = ['python3-torch', 'libopenblas0-pthread', 'libtcmalloc-minimal4'];

/** One line for a bench's header: how each peer ran. */
function describePeers() {
  const t = pytorchInfo();
  const torch = t.error ? `PyTorch unavailable (${t.error})` : `PyTorch ${t.torch} on OpenBLAS ${t.openblas ?? '(none loaded)'} kernels with ${t.allocator}`;
  const unset = ['OPENBLAS_CORETYPE', 'OPENBLAS_L2_SIZE'].filter((v) => process.env[v] !== undefined)
    .map((v) => `${v}=${process.env[v]}`);
  return `peers at their best: ${torch}${unset.length ? `; unset for the peers: ${unset.join(', ')}` : ''}`;
}

/** The machine line every bench prints. */
function describeMachine() {
  const cpus = os.cpus();
  return `${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores, Node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`;
}

/**
 * Runs one measurement in its own process: the last line of its output that is a JSON object,
 * or { error } with the last lines of its stderr when it failed.
 */
function runMeasurement(command, argv, env, errorLines = 2) {
  const result = spawnSync(command, argv, { encoding: 'utf8', env, maxBuffer: 1 << 26 });
  if (result.status !== 0) {
    const why = (result.stderr || result.error?.message || '').trim().split('\n').slice(-errorLines).join(' | ');
    return { error: `${require('node:path').basename(command)} exited with ${result.status}: ${why}` };
  }
  const line = result.stdout.trim().split('\n').filter((l) => l.startsWith('{')).at(-1);
  return line ? JSON.parse(line) : { error: `no result from ${require('node:path').basename(command)}` };
}

module.exports = { PYTHON, PYTORCH_PACKAGES, allocator, runMeasurement, ensurePackages, describeMachine, describePeers, peerEnv, pytorchInfo, tensorgradEnv, threadEnv };

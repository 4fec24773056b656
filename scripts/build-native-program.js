// Builds a C++ program (a test or a bench harness) against native sources with the addon's own
// flags from native/sources.json: *_avx2.cc files get the AVX2 flags and *_avx512.cc the AVX-512
// ones, as binding.gyp does, so the program runs the kernels the addon runs. For kernels that have
// no N-API entry yet, or whose every path must be driven from C++.
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');

/** Why nothing can be built here, or undefined when g++ is there. */
function compilerMissing() {
  const probe = spawnSync('g++', ['--version'], { encoding: 'utf8' });
  return probe.status === 0 ? undefined : 'g++ is not installed (apt-get install g++)';
}

/**
 * Compiles `program` (a path under the package root) with `sources` into `dir` (a new temporary
 * directory when omitted); returns { dir, binary }. The caller removes dir.
 */
function buildNativeProgram(program, sources, dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-native-'))) {
  const config = JSON.parse(fs.readFileSync(path.join(ROOT, 'native', 'sources.json'), 'utf8'));
  const flags = [...config.cflags, ...config.cflags_cc].filter((f) => f !== '-fvisibility=hidden');
  const x86 = process.arch === 'x64' || process.arch === 'ia32';
  const objects = [];
  for (const source of sources) {
    const isa = /_avx2\.cc$/.test(source) ? config.avx2_cflags : /_avx512\.cc$/.test(source) ? config.avx512_cflags : [];
    if (isa.length && !x86) continue;
    const object = path.join(dir, `${objects.length}.o`);
    execFileSync('g++', [...flags, ...isa, '-c', path.join(ROOT, source), '-o', object], { stdio: 'pipe' });
    objects.push(object);
  }
  const binary = path.join(dir, path.basename(program, '.cc'));
  execFileSync('g++', [...flags, path.join(ROOT, program), ...objects, '-lpthread', '-o', binary], { stdio: 'pipe' });
  return { dir, binary };
}

/** The sources of the bfloat16 GEMM and what it stands on. */
const GEMM_BF16_SOURCES = [
  'native/kernels/gemm.cc', 'native/kernels/gemm_bf16.cc', 'native/cpu.cc', 'native/threadpool.cc', 'native/denormals.cc',
  'native/kernels/gemm_avx2.cc', 'native/kernels/gemm_avx512.cc', 'native/kernels/gemm_bf16_avx512.cc',
];

module.exports = { GEMM_BF16_SOURCES, ROOT, buildNativeProgram, compilerMissing };

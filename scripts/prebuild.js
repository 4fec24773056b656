#!/usr/bin/env node
// `npm run prebuild`: builds the addon (node-gyp) and puts it into the package as
// prebuilds/<platform>-<arch>/tensorgrad.node, with tensorgrad.json saying what it needs (the
// loader, lib/backend/prebuild.ts, compares it with the running process). N-API keeps one binary
// good for every Node version with at least its N-API version. `--from <file>` copies an
// existing build instead of rebuilding. Files are written atomically (dist/io/atomic.js).
'use strict';
const { spawnSync, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`prebuild: ${command} ${args.join(' ')} exited with ${result.status}`);
}

function libc() {
  if (process.platform !== 'linux') return '';
  return process.report.getReport().header.glibcVersionRuntime ? 'glibc' : 'musl';
}

// The SIMD levels compiled in: the AVX2 and AVX-512 files are built for x86 only (binding.gyp).
function simdLevels() {
  const { lists } = require('./native-config');
  const x86 = process.arch === 'x64' || process.arch === 'ia32';
  const levels = [];
  if (x86 && lists.avx512_sources().length > 0) levels.push('avx512');
  if (x86 && lists.avx2_sources().length > 0) levels.push('avx2');
  levels.push('portable');
  return levels;
}

function compiler() {
  try {
    return execFileSync(process.env.CXX || 'g++', ['--version'], { encoding: 'utf8' }).split('\n')[0];
  } catch {
    return undefined;
  }
}

// The N-API version the addon declares (NAPI_VERSION in native/sources.json).
function napiVersion() {
  const config = require(path.join(root, 'native', 'sources.json'));
  const define = config.defines.find((d) => d.startsWith('NAPI_VERSION='));
  if (!define) throw new Error('prebuild: Expected NAPI_VERSION=<n> in native/sources.json defines but found none');
  return Number(define.split('=')[1]);
}

function main() {
  const fromIndex = process.argv.indexOf('--from');
  let source = path.join(root, 'build', 'Release', 'tensorgrad.node');
  if (fromIndex >= 0) {
    source = path.resolve(process.argv[fromIndex + 1] ?? '');
  } else {
    run(process.execPath, [require.resolve('node-gyp/bin/node-gyp.js'), 'rebuild', '-j', '2']);
  }
  if (!fs.existsSync(source)) throw new Error(`prebuild: Expected a built addon at ${source} but found none`);
  // The binary must load here before it ships (a child process: a broken one cannot take this one down).
  run(process.execPath, ['-e', `const m = { exports: {} }; process.dlopen(m, ${JSON.stringify(source)});
    if (typeof m.exports.bindKernel !== 'function' || !m.exports.kernelEntries().includes('gemm:float32')) throw new Error('not the tensorgrad addon');`]);

  const { writeFileAtomic } = require(path.join(root, 'dist', 'io', 'atomic.js'));
  const dir = path.join(root, 'prebuilds', `${process.platform}-${process.arch}`);
  fs.mkdirSync(dir, { recursive: true });
  const manifest = {
    platform: process.platform,
    arch: process.arch,
    libc: libc(),
    napiVersion: napiVersion(),
    simd: simdLevels(),
    builtWith: { node: process.version, compiler: compiler() },
  };
  writeFileAtomic(path.join(dir, 'tensorgrad.node'), fs.readFileSync(source));
  writeFileAtomic(path.join(dir, 'tensorgrad.json'), Buffer.from(JSON.stringify(manifest, null, 2) + '\n'));
  console.log(`prebuild: ${path.relative(root, dir)}/tensorgrad.node (${fs.statSync(source).size} bytes) ` +
    `for ${manifest.platform}-${manifest.arch} ${manifest.libc}, N-API >= ${manifest.napiVersion}, SIMD ${manifest.simd.join('/')}`);
}

main();

#!/usr/bin/env node
// The package's install script. Never fails the install over the addon:
// 1. a prebuild for this platform that loads (checked in a child process) → done, no compiler needed;
// 2. else `node-gyp rebuild` makes build/Release/tensorgrad.node;
// 3. else one warning: the library still works on the reference backend, and
//    docs/troubleshooting.md says how to get the native one.
// TENSORGRAD_INSTALL_STRICT=1 turns (3) into a failure (CI, where the build must work).
// The optional MPI binding (build/Release/tensorgrad_mpi.node, lib/distributed) is built beside
// the addon where scripts/mpi-config.js finds mpicxx and mpi.h, also when the prebuild serves;
// its failure never costs the addon: the build is retried without it (TENSORGRAD_MPI=0), and
// only the distributed API is then missing (strict mode fails instead).
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');

// Why the prebuild cannot serve this process, or undefined when it loads.
function prebuildProblem() {
  const dir = path.join(root, 'prebuilds', `${process.platform}-${process.arch}`);
  const file = path.join(dir, 'tensorgrad.node');
  if (!fs.existsSync(file)) return `no prebuild for ${process.platform}-${process.arch}`;
  let manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(path.join(dir, 'tensorgrad.json'), 'utf8'));
  } catch (e) {
    return `the prebuild's tensorgrad.json is unreadable (${e.message})`;
  }
  if (!(manifest.napiVersion <= Number(process.versions.napi))) {
    return `the prebuild needs N-API ${manifest.napiVersion}, this Node offers ${process.versions.napi}`;
  }
  const probe = spawnSync(process.execPath, ['-e', `const m = { exports: {} }; process.dlopen(m, ${JSON.stringify(file)});
    if (typeof m.exports.bindKernel !== 'function' || !m.exports.kernelEntries().includes('gemm:float32')) throw new Error('not the tensorgrad addon');`], { encoding: 'utf8' });
  if (probe.status !== 0) {
    const message = (probe.stderr || '').split('\n').find((line) => /Error/.test(line)) || `exit ${probe.status ?? probe.signal}`;
    return `the prebuild did not load: ${message.trim()}`;
  }
  return undefined;
}

// Whether the MPI binding can be built here, and if not, why.
function mpiProbe() {
  const config = path.join(__dirname, 'mpi-config.js');
  const ask = (key) => spawnSync(process.execPath, [config, key], { encoding: 'utf8' }).stdout ?? '';
  return ask('available') === '1' ? { available: true } : { available: false, why: ask('why') };
}

function nodeGypPath() {
  try {
    return require.resolve('node-gyp/bin/node-gyp.js');
  } catch {
    return undefined;
  }
}

function nodeGyp(args, env = process.env) {
  const file = nodeGypPath();
  if (!file) return { status: 1, error: new Error('node-gyp is not installed') };
  return spawnSync(process.execPath, [file, ...args], { cwd: root, stdio: 'inherit', env });
}

function failure(result, what) {
  return result.error ? result.error.message : `${what} exited with ${result.status ?? result.signal}`;
}

const MPI_HINT = 'distributed training needs Open MPI (apt-get install openmpi-bin libopenmpi-dev; ' +
  'dnf install openmpi-devel; brew install open-mpi), then npm rebuild tensorgrad';

function strictOr(message) {
  if (process.env.TENSORGRAD_INSTALL_STRICT === '1') {
    console.error(message);
    process.exit(1);
  }
  console.warn(message);
}

function main() {
  const mpi = mpiProbe();
  if (!mpi.available) console.log(`tensorgrad: no MPI binding (${mpi.why}); ${MPI_HINT}`);
  const problem = prebuildProblem();
  if (problem === undefined) {
    console.log(`tensorgrad: using the prebuilt addon for ${process.platform}-${process.arch}`);
    if (!mpi.available) return;
    // MPI's ABI is the system's: its binding is built here, alone.
    let build = nodeGyp(['configure']);
    if (build.status === 0) build = nodeGyp(['build', 'tensorgrad_mpi']);
    if (build.status !== 0) strictOr(`tensorgrad: building the MPI binding failed (${failure(build, 'node-gyp')}); the library works, without distributed training`);
    return;
  }
  let build = nodeGyp(['rebuild']);
  if (build.status !== 0 && mpi.available) {
    const why = failure(build, 'node-gyp rebuild');
    build = nodeGyp(['rebuild'], { ...process.env, TENSORGRAD_MPI: '0' });
    if (build.status === 0) {
      strictOr(`tensorgrad: building with the MPI binding failed (${why}); built the addon without it, so distributed training is unavailable`);
      return;
    }
  }
  if (build.status === 0) return;
  strictOr(`tensorgrad: no native addon (${problem}; building it failed: ${failure(build, 'node-gyp rebuild')}). ` +
    'The library works on the slower reference backend; see docs/troubleshooting.md.');
}

main();

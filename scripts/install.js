#!/usr/bin/env node
// The package's install script. Never fails the install over the addon:
// 1. a prebuild for this platform that loads (checked in a child process) → done, no compiler needed;
// 2. else `node-gyp rebuild` makes build/Release/tensorgrad.node;
// 3. else one warning: the library still works on the reference backend, and
//    docs/troubleshooting.md says how to get the native one.
// TENSORGRAD_INSTALL_STRICT=1 turns (3) into a failure (CI, where the build must work).
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
    if (typeof m.exports.gemm !== 'function') throw new Error('not the tensorgrad addon');`], { encoding: 'utf8' });
  if (probe.status !== 0) {
    const message = (probe.stderr || '').split('\n').find((line) => /Error/.test(line)) || `exit ${probe.status ?? probe.signal}`;
    return `the prebuild did not load: ${message.trim()}`;
  }
  return undefined;
}

function main() {
  const problem = prebuildProblem();
  if (problem === undefined) {
    console.log(`tensorgrad: using the prebuilt addon for ${process.platform}-${process.arch}`);
    return;
  }
  let nodeGyp;
  try {
    nodeGyp = require.resolve('node-gyp/bin/node-gyp.js');
  } catch {
    nodeGyp = undefined;
  }
  const build = nodeGyp
    ? spawnSync(process.execPath, [nodeGyp, 'rebuild'], { cwd: root, stdio: 'inherit' })
    : { status: 1, error: new Error('node-gyp is not installed') };
  if (build.status === 0) return;
  const why = build.error ? build.error.message : `node-gyp rebuild exited with ${build.status ?? build.signal}`;
  const message = `tensorgrad: no native addon (${problem}; building it failed: ${why}). ` +
    'The library works on the slower reference backend; see docs/troubleshooting.md.';
  if (process.env.TENSORGRAD_INSTALL_STRICT === '1') {
    console.error(message);
    process.exit(1);
  }
  console.warn(message);
}

main();

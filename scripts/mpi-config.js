#!/usr/bin/env node
// The optional MPI binding's build settings, for binding.gyp's command expansions:
//   available  1 when an MPI C++ wrapper (mpicxx) and its mpi.h are found, else 0
//   why        why not, when it is 0 (for the install script's message)
//   cflags     the include flags the wrapper reports (and defines that skip the C++ bindings)
//   libs       the link flags
//   sources    native/mpi/sources.json
// TENSORGRAD_MPI=0 turns the binding off; MPICXX names another wrapper. Every command prints
// something valid and exits 0, so a machine without MPI configures the main addon as before.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');

function run(command, args) {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

function split(flags) {
  return flags.split(/\s+/).filter((f) => f !== '');
}

// The wrapper's compile and link flags: Open MPI's --showme, else MPICH's -compile_info.
function wrapperFlags(wrapper) {
  const compile = run(wrapper, ['--showme:compile']);
  const link = run(wrapper, ['--showme:link']);
  if (compile !== undefined && link !== undefined) return { compile: split(compile), link: split(link) };
  const compileInfo = run(wrapper, ['-compile_info']);
  const linkInfo = run(wrapper, ['-link_info']);
  if (compileInfo !== undefined && linkInfo !== undefined) {
    // MPICH prints the whole command line: keep the flags, drop the compiler.
    return { compile: split(compileInfo).slice(1).filter((f) => /^-(I|D|pthread)/.test(f)), link: split(linkInfo).slice(1).filter((f) => /^-(L|l|Wl,|pthread)/.test(f)) };
  }
  return undefined;
}

function probe() {
  if (process.env.TENSORGRAD_MPI === '0') return { why: 'TENSORGRAD_MPI=0 turned it off' };
  const wrapper = process.env.MPICXX || 'mpicxx';
  const flags = wrapperFlags(wrapper);
  if (!flags) return { why: `no MPI C++ wrapper (${wrapper}) on PATH` };
  const includeDirs = flags.compile.filter((f) => f.startsWith('-I')).map((f) => f.slice(2));
  const header = [...includeDirs, '/usr/include', '/usr/local/include'].find((dir) => fs.existsSync(path.join(dir, 'mpi.h')));
  if (!header) return { why: `${wrapper} is there but mpi.h is not (in ${includeDirs.join(', ') || 'its include path'})` };
  // The C API only: the C++ bindings (libmpi_cxx) are deprecated and not needed.
  const link = flags.link.filter((f) => f !== '-lmpi_cxx' && f !== '-lmpicxx');
  // An rpath to the library directories, so the addon finds libmpi where the wrapper found it.
  const rpaths = link.filter((f) => f.startsWith('-L')).map((f) => `-Wl,-rpath,${f.slice(2)}`);
  return { cflags: [...flags.compile, '-DOMPI_SKIP_MPICXX=1', '-DMPICH_SKIP_MPICXX=1'], libs: [...link, ...rpaths] };
}

const key = process.argv[2];
const found = probe();
switch (key) {
  case 'available':
    process.stdout.write(found.why ? '0' : '1');
    break;
  case 'why':
    process.stdout.write(found.why ?? '');
    break;
  case 'cflags':
    process.stdout.write((found.cflags ?? []).join(' '));
    break;
  case 'libs':
    process.stdout.write((found.libs ?? []).join(' '));
    break;
  case 'sources':
    process.stdout.write(require(path.join(root, 'native', 'mpi', 'sources.json')).sources.join(' '));
    break;
  default:
    process.stderr.write(`mpi-config: expected one of available, why, cflags, libs, sources but received ${key}\n`);
    process.exit(1);
}

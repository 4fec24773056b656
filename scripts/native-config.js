#!/usr/bin/env node
// Prints one list for the native builds, space-separated: binding.gyp expands it (<!@(...)) and
// CMakeLists.txt runs it, so node-gyp and cmake-js compile the same files with the same flags.
// The source lists are every .cc under native/ (so a new kernel file needs no entry anywhere):
// *_avx2.cc files get the AVX2/FMA flags, *_avx512.cc the AVX-512 ones, the rest the portable
// flags. Flags and defines come from native/sources.json.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const config = require(path.join(root, 'native', 'sources.json'));

/**
 * Every .cc file under native/, as paths relative to the package root with / separators, sorted;
 * a folder with a sources.json of its own is another binding (native/mpi) and is left out.
 */
function sourceFiles(dir = 'native') {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true })
    .flatMap((entry) => {
      const relative = `${dir}/${entry.name}`;
      if (entry.isDirectory()) return fs.existsSync(path.join(root, relative, 'sources.json')) ? [] : sourceFiles(relative);
      return entry.name.endsWith('.cc') ? [relative] : [];
    })
    .sort();
}

const lists = {
  sources: () => sourceFiles().filter((f) => !/_avx(2|512)\.cc$/.test(f)),
  avx2_sources: () => sourceFiles().filter((f) => f.endsWith('_avx2.cc')),
  avx512_sources: () => sourceFiles().filter((f) => f.endsWith('_avx512.cc')),
};

function main() {
  const key = process.argv[2];
  const list = lists[key] ? lists[key]() : config[key];
  if (!Array.isArray(list)) {
    const keys = [...Object.keys(lists), ...Object.keys(config).filter((k) => Array.isArray(config[k]))];
    process.stderr.write(`native-config: expected one of ${keys.join(', ')} but received ${key}\n`);
    process.exit(1);
  }
  process.stdout.write(list.join(process.argv.includes('--lines') ? '\n' : ' '));
}

module.exports = { lists, config };
if (require.main === module) main();

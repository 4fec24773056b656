#!/usr/bin/env node
// Prints one list from native/sources.json, space-separated, for binding.gyp's command
// expansions (<!@(...)). CMakeLists.txt reads the same file with string(JSON).
'use strict';
const path = require('node:path');
const config = require(path.join(__dirname, '..', 'native', 'sources.json'));
const key = process.argv[2];
if (!Array.isArray(config[key])) {
  process.stderr.write(`native-config: expected one of ${Object.keys(config).filter((k) => Array.isArray(config[k])).join(', ')} but received ${key}\n`);
  process.exit(1);
}
process.stdout.write(config[key].join(' '));

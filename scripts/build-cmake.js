#!/usr/bin/env node
// `npm run build:cmake`: builds the addon with cmake-js into build-cmake/Release/tensorgrad.node
// against the Node headers already on this machine (nothing is downloaded). Load that build
// with TENSORGRAD_ADDON=build-cmake/Release/tensorgrad.node. Extra arguments go to cmake-js.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');

// The prefix whose include/node holds this Node's headers: npm's nodedir setting, else the
// installation the running node comes from.
function nodeHeadersPrefix() {
  const candidates = [process.env.npm_config_nodedir, path.resolve(process.execPath, '..', '..')];
  for (const prefix of candidates) {
    if (prefix && fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) return prefix;
  }
  const tried = candidates.filter(Boolean).map((p) => path.join(p, 'include', 'node')).join(', ');
  throw new Error(
    `build:cmake: Expected Node's headers (node_api.h) in ${tried} but found none; ` +
      'set npm_config_nodedir to the Node installation that has include/node',
  );
}

function main() {
  const nodedir = nodeHeadersPrefix();
  const cmakeJs = require.resolve('cmake-js/bin/cmake-js');
  const args = [cmakeJs, 'build', '--directory', root, '--out', path.join(root, 'build-cmake'),
    ...process.argv.slice(2)];
  const result = spawnSync(process.execPath, args, {
    stdio: 'inherit',
    env: { ...process.env, npm_config_nodedir: nodedir },
  });
  if (result.error) throw result.error;
  process.exit(result.status ?? 1);
}

main();

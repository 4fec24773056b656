// Runs the README's first command the way a fresh clone does right after `npm install` (.ci/run
// calls this just after its own `npm ci`): it must start training within 10 s and build nothing
// again. Prints how long it took to the first finished epoch and in all.
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const line = fs.readFileSync(path.join(root, 'README.md'), 'utf8').split('\n')[3];
const command = line.replace(/#.*$/, '').trim().replace(/^npm install && /, '');
const built = ['build/Release/tensorgrad.node', 'dist/cli/main.js'];
const times = () => built.map((f) => fs.statSync(path.join(root, f)).mtimeMs).join();
const before = times();
const out = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'tensorgrad-readme-'));
const [program, ...args] = command.split(/\s+/);
const start = process.hrtime.bigint();
const seconds = () => Number(process.hrtime.bigint() - start) / 1e9;
let firstEpoch;
let text = '';
const child = spawn(program, [...args, '--', '--out', path.join(out, 'run')], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
child.stdout.on('data', (chunk) => {
  text += chunk;
  if (firstEpoch === undefined && /Finished epoch 1 \//.test(text)) firstEpoch = seconds();
});
const limit = setTimeout(() => { console.error('readme command: no epoch finished within 10 s'); child.kill('SIGKILL'); }, 10_000);
child.on('exit', (code) => {
  clearTimeout(limit);
  fs.rmSync(out, { recursive: true, force: true });
  const test = /test[^\n]*?accuracy[^\d]*([\d.]+%?)/i.exec(text);
  console.log(`readme command "${command}": first epoch after ${firstEpoch?.toFixed(2) ?? '-'} s, done in ${seconds().toFixed(2)} s (exit ${code})${test ? `, ${test[0]}` : ''}`);
  if (times() !== before) { console.error('readme command: it rebuilt the addon or dist/'); process.exit(1); }
  process.exit(code === 0 && firstEpoch !== undefined && firstEpoch < 10 ? 0 : 1);
});

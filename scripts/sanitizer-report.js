#!/usr/bin/env node
// Reads sanitizer logs (ASAN_OPTIONS/UBSAN_OPTIONS log_path files, captured test output) and
// counts the reports in them: AddressSanitizer errors, UndefinedBehaviorSanitizer "runtime
// error:" lines, and LeakSanitizer leaks. With --ours=<pattern>, a leak counts only when one of
// its allocation frames matches the pattern (the addon's file or sources): Node itself is not
// instrumented and leaves allocations to the OS at exit. Prints a summary; exits 1 on any report.
'use strict';
const fs = require('node:fs');

/** The reports in one log's text. */
function reports(text, ours) {
  const found = [];
  for (const line of text.split('\n')) {
    if (/ERROR: AddressSanitizer/.test(line)) found.push(line.trim());
    else if (/runtime error:/.test(line)) found.push(line.trim());
  }
  // A leak report is a block: "Direct leak of N byte(s) ..." then its frames "#0 ...".
  const blocks = text.split(/\n(?=(?:Direct|Indirect) leak of )/);
  for (const block of blocks) {
    const head = block.match(/^(?:Direct|Indirect) leak of .*/);
    if (!head) continue;
    const frames = block.split('\n').filter((l) => /^\s*#\d+ /.test(l));
    if (!ours || frames.some((f) => ours.test(f))) found.push(`${head[0]}${frames[0] ? ` at ${frames.find((f) => !ours || ours.test(f)).trim()}` : ''}`);
  }
  if (/ERROR: LeakSanitizer/.test(text) && !/(?:Direct|Indirect) leak of /.test(text)) {
    found.push('LeakSanitizer failed without a leak report (could it stop the world?)');
  }
  return found;
}

function main() {
  const args = process.argv.slice(2);
  const oursArg = args.find((a) => a.startsWith('--ours='));
  const ours = oursArg ? new RegExp(oursArg.slice('--ours='.length)) : undefined;
  const files = args.filter((a) => !a.startsWith('--'));
  let total = 0;
  let read = 0;
  for (const file of files) {
    if (!fs.existsSync(file)) continue; // an unmatched glob: no process wrote a report there
    read++;
    const found = reports(fs.readFileSync(file, 'utf8'), ours);
    total += found.length;
    for (const r of found.slice(0, 20)) console.log(`${file}: ${r}`);
  }
  console.log(`sanitizer-report: ${read} log file(s), ${total} report(s)`);
  process.exit(total === 0 ? 0 : 1);
}

if (require.main === module) main();
module.exports = { reports };

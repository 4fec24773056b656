// How a rank script reports to its test: JSON lines appended to <TENSORGRAD_TEST_RECORDS>/rank-<r>.jsonl
// (mpirun forwards the ranks' stdout in chunks that may cut into each other's long lines), and
// to stdout when no directory is given (running a script by hand).
'use strict';
const fs = require('node:fs');
const path = require('node:path');

function recorder(rank) {
  const dir = process.env.TENSORGRAD_TEST_RECORDS;
  return (record) => {
    const line = `${JSON.stringify({ rank, ...record })}\n`;
    if (dir) fs.appendFileSync(path.join(dir, `rank-${rank}.jsonl`), line);
    else process.stdout.write(line);
  };
}

module.exports = { recorder };

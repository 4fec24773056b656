// Every collective on every size of fixtures.SIZES, float32 and float64: prints a digest of each
// result (and, for sums in MPI's own order, the error against the exact sum) as JSON lines.
'use strict';
const { distributed } = require('../../../dist');
const { contribution, digest, exactSum, absSum, SIZES } = require('../fixtures.cjs');

const group = distributed.init({ timeout: 60 });
const { rank, size } = group;
const say = require('./records.cjs').recorder(rank);

say({ what: 'world', size, library: group.library });
for (const Type of [Float32Array, Float64Array]) {
  const dtype = Type === Float64Array ? 'float64' : 'float32';
  for (const n of SIZES) {
    for (const op of ['sum', 'mean', 'max', 'min']) {
      for (const order of ['any', 'fixed']) {
        const buffer = contribution(rank, n, Type);
        const returned = distributed.allreduce(buffer, { op, order });
        const record = { what: `allreduce-${op}-${order}-${dtype}-${n}`, digest: digest(buffer), same: returned === buffer };
        if (op === 'sum' && order === 'any' && dtype === 'float32') {
          // |computed − exact| / Σ|x_r|: at most (size − 1)·2^-24 for any order of adding size terms.
          const exact = exactSum(size, n);
          const scale = absSum(size, n);
          let worst = 0;
          for (let i = 0; i < n; i++) worst = Math.max(worst, scale[i] === 0 ? Math.abs(buffer[i]) : Math.abs(buffer[i] - exact[i]) / scale[i]);
          record.relativeError = worst;
        }
        say(record);
      }
    }
    const root = size - 1;
    const b = rank === root ? contribution(root, n, Type) : new Type(n).fill(NaN);
    distributed.broadcast(b, { root });
    say({ what: `broadcast-${dtype}-${n}`, digest: digest(b) });
    const gathered = distributed.allgather(contribution(rank, n, Type));
    say({ what: `allgather-${dtype}-${n}`, digest: digest(gathered), type: gathered.constructor.name });
    // Async: several in flight at once, waited for in reverse.
    const parts = [0, 1, 2].map((k) => contribution(rank + k, n, Type));
    const works = parts.map((p) => distributed.allreduceAsync(p, { op: 'sum' }));
    works.reverse().forEach((w) => w.wait());
    say({ what: `async-${dtype}-${n}`, digests: parts.map(digest) });
  }
}
distributed.barrier();
say({ what: 'done', pending: group.pending });

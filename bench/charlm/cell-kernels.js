// The fused LSTM cell kernels against the same math from separate elementwise kernels (what the
// cell would cost without fusion), at the bench's shape. Run in one process, interleaved:
// node bench/charlm/cell-kernels.js '{"n":32,"hidden":256,"seconds":1}'. Prints one JSON line.
'use strict';
const { performance } = require('node:perf_hooks');
const tg = require('../../dist');

const { n = 32, hidden = 256, seconds = 1, threads = 1 } = JSON.parse(process.argv[2] ?? '{}');
tg.setNumThreads(threads);
const k = tg.nativeBackend();
const H = hidden;
const rand = (len) => Float32Array.from({ length: len }, (_, i) => Math.sin(i * 12.9898) * 2);
const pre = rand(n * 4 * H);
const cPrev = rand(n * H);
const dh = rand(n * H);
const dc = rand(n * H);
const gates = new Float32Array(n * 4 * H);
const c = new Float32Array(n * H);
const h = new Float32Array(n * H);
const dPre = new Float32Array(n * 4 * H);
const dcPrev = new Float32Array(n * H);

function fused() {
  k.lstmCellForward(pre, cPrev, n, H, gates, c, h);
  k.lstmCellBackward(gates, cPrev, c, dh, dc, n, H, dPre, dcPrev);
}

// The same computation from elementwise kernels on [n, H] blocks (the gates de-interleaved first,
// as an unfused implementation would slice them).
const blocks = [0, 1, 2, 3].map(() => new Float32Array(n * H));
const act = [0, 1, 2, 3].map(() => new Float32Array(n * H));
const t1 = new Float32Array(n * H);
const t2 = new Float32Array(n * H);
const tc = new Float32Array(n * H);
const dct = new Float32Array(n * H);
const dg = [0, 1, 2, 3].map(() => new Float32Array(n * H));
function unfused() {
  for (let r = 0; r < n; r++) for (let g = 0; g < 4; g++) blocks[g].set(pre.subarray((r * 4 + g) * H, (r * 4 + g + 1) * H), r * H);
  k.sigmoid(blocks[0], act[0]);
  k.sigmoid(blocks[1], act[1]);
  k.tanh(blocks[2], act[2]);
  k.sigmoid(blocks[3], act[3]);
  k.mul(act[1], cPrev, t1);
  k.mul(act[0], act[2], t2);
  k.add(t1, t2, c);
  k.tanh(c, tc);
  k.mul(act[3], tc, h);
  // backward
  k.mul(dh, act[3], t1);
  k.tanhBackward(tc, t1, t1);
  k.add(dc, t1, dct);
  k.mul(dct, act[2], t1);
  k.sigmoidBackward(act[0], t1, dg[0]);
  k.mul(dct, cPrev, t1);
  k.sigmoidBackward(act[1], t1, dg[1]);
  k.mul(dct, act[0], t1);
  k.tanhBackward(act[2], t1, dg[2]);
  k.mul(dh, tc, t1);
  k.sigmoidBackward(act[3], t1, dg[3]);
  k.mul(dct, act[1], dcPrev);
  for (let r = 0; r < n; r++) for (let g = 0; g < 4; g++) dPre.set(dg[g].subarray(r * H, (r + 1) * H), (r * 4 + g) * H);
}

function time(fn) {
  for (let i = 0; i < 50; i++) fn();
  let calls = 0;
  const started = performance.now();
  while (performance.now() - started < seconds * 500) fn(), calls++;
  return (performance.now() - started) * 1000 / calls; // µs per forward + backward
}
const rounds = [];
for (let r = 0; r < 2; r++) rounds.push([time(fused), time(unfused)]);
const best = (i) => Math.min(...rounds.map((x) => x[i]));
console.log(JSON.stringify({ fusedMicros: best(0), unfusedMicros: best(1), n, hidden }));

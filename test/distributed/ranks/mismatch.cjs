// Collectives the ranks call differently: each must throw on every rank (no hang, no crash), and
// the group must work afterwards. Also the argument errors of the JavaScript layer.
'use strict';
const { distributed, tensor } = require('../../../dist');

const group = distributed.init({ timeout: 60 });
const { rank, size } = group;
const say = require('./records.cjs').recorder(rank);

function attempt(what, fn) {
  try {
    fn();
    say({ what, error: null });
  } catch (e) {
    say({ what, error: e.message, type: e.constructor.name });
  }
  // The group still works: a correct allreduce after each mismatch.
  const check = new Float32Array([rank + 1]);
  distributed.allreduce(check);
  say({ what: `${what}-after`, value: check[0] });
}

attempt('lengths', () => distributed.allreduce(new Float32Array(5 + rank)));
attempt('lengths-large', () => distributed.allreduce(new Float32Array(rank === 0 ? 1_000_000 : 999_999)));
attempt('zero-and-one', () => distributed.allreduce(new Float32Array(rank === 0 ? 0 : 1)));
attempt('dtypes', () => distributed.allreduce(rank === 0 ? new Float32Array(3) : new Float64Array(3)));
attempt('ops', () => distributed.allreduce(new Float32Array(3), { op: rank === 0 ? 'sum' : 'max' }));
attempt('roots', () => distributed.broadcast(new Float32Array(3), { root: rank === 0 ? 0 : 1 }));
attempt('kinds', () => (rank === 0 ? distributed.allreduce(new Float32Array(4)) : distributed.broadcast(new Float32Array(4))));
attempt('allgather-lengths', () => distributed.allgather(new Float64Array(2 + rank)));
attempt('broadcast-lengths', () => distributed.broadcast(new Float32Array(rank === 0 ? 10 : 11)));

// Argument errors, thrown before anything is sent (so on one rank alone is fine).
const local = (what, fn) => {
  try {
    fn();
    say({ what, error: null });
  } catch (e) {
    say({ what, error: e.message, type: e.constructor.name });
  }
};
local('arg-array', () => distributed.allreduce([1, 2, 3]));
local('arg-int32', () => distributed.allreduce(new Int32Array(3)));
local('arg-op', () => distributed.allreduce(new Float32Array(3), { op: 'prod' }));
local('arg-order', () => distributed.allreduce(new Float32Array(3), { order: 'sorted' }));
local('arg-root', () => distributed.broadcast(new Float32Array(3), { root: size }));
local('arg-out-length', () => distributed.allgather(new Float32Array(3), new Float32Array(3 * size + 1)));
local('arg-out-type', () => distributed.allgather(new Float32Array(3), new Float64Array(3 * size)));
const inFlight = new Float32Array(8);
const work = distributed.allreduceAsync(inFlight);
local('arg-in-flight', () => distributed.allreduce(inFlight.subarray(2, 4)));
work.wait();
local('arg-wait-twice', () => work.wait());
// A tensor works as its data.
const t = tensor([rank, 1]);
distributed.allreduce(t, { op: 'sum' });
say({ what: 'tensor', value: Array.from(t.data) });
say({ what: 'done' });

// npm run bench:distributed — data-parallel training on this machine, in one run:
//  1. training throughput of the MLP 784-256-128-10 (Adam) at batch 128 per process: 1 process ×
//     2 threads against 2 processes × 1 thread under mpirun with DistributedDataParallel (its
//     reduction overlapped with backward, and after backward), interleaved over several rounds
//     because the machine is shared; the same for the convolution issue's CNN at batch 64;
//  2. all-reduce latency and bandwidth between 2 ranks over loopback TCP (--mca btl self,tcp) and
//     over shared memory (Open MPI's default on one host), as DDP issues it and as the public
//     allreduce (with its length check);
//  3. a projection to 8, 32 and 128 nodes from the α–β model of ring all-reduce,
//     T(n, M) = 2(n−1)·α + 2·(n−1)/n · M/β, with the α and β measured on loopback (β at the
//     gradient's message size) and with a stated network (25 Gbit/s, 10 µs), no overlap
//     assumed: per-step compute, communication, their ratio, scaling efficiency, and the batch
//     per node that keeps 90% efficiency.
// Prints the machine line (bench/peers.js: CPU model, cores, load average) before, the load
// after, and the cores each training run got (figures are provisional on a shared machine);
// saves bench/results/distributed.{json,md}.
//
// Options: --quick (1 round, short windows), --rounds N.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { describeMachine, tensorgradEnv } = require('./peers');
const { median } = require('./timing');

const HERE = __dirname;
const ROOT = path.join(HERE, '..');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const roundsAt = args.indexOf('--rounds');
const rounds = roundsAt >= 0 ? Number(args[roundsAt + 1]) : quick ? 1 : 3;
const MPIRUN = ['--allow-run-as-root', '--oversubscribe', '--bind-to', 'none'];
const NETWORK = { name: '25 Gbit/s, 10 µs', alpha: 10e-6, beta: 25e9 / 8 };
const NODES = [8, 32, 128];

function fail(message) {
  console.error(`bench:distributed: ${message}`);
  process.exit(1);
}

function lastJson(result, what) {
  if (result.status !== 0) fail(`${what} exited with ${result.status ?? result.signal}: ${(result.stderr || '').trim().split('\n').slice(-4).join(' | ')}`);
  const line = result.stdout.trim().split('\n').filter((l) => l.startsWith('{')).at(-1);
  if (!line) fail(`${what} printed no result`);
  return JSON.parse(line);
}

function single(spec) {
  const env = tensorgradEnv(spec.threads);
  return lastJson(spawnSync(process.execPath, [path.join(HERE, 'distributed', 'train.cjs'), JSON.stringify(spec)], { encoding: 'utf8', env }), 'train.cjs');
}

/** mpirun on this host; the ranks inherit its environment (1 thread each unless spec says). */
function mpi(np, script, spec, mca = []) {
  const argv = [...MPIRUN, ...mca, '-np', String(np), process.execPath, path.join(HERE, 'distributed', script), ...(spec ? [JSON.stringify(spec)] : [])];
  const env = tensorgradEnv(spec?.threads ?? 1);
  return lastJson(spawnSync('mpirun', argv, { encoding: 'utf8', maxBuffer: 1 << 24, env }), `mpirun ${script}`);
}

const loadavg = () => fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const fmt = (v, digits = 0) => v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }).replace(/,/g, ' ');
const us = (s) => `${fmt(s * 1e6, s < 1e-4 ? 1 : 0)} µs`;
const ms = (s) => `${fmt(s * 1e3, 2)} ms`;

/** Ring all-reduce time of M bytes over n nodes. */
const ring = (n, bytes, { alpha, beta }) => 2 * (n - 1) * alpha + ((2 * (n - 1)) / n) * (bytes / beta);

function main() {
  if (!fs.existsSync(path.join(ROOT, 'dist', 'index.js'))) fail('dist/ is missing: npm run build');
  const tg = require(path.join(ROOT, 'dist'));
  const binding = tg.distributed.loadMpiBinding();
  if (!binding.binding) fail(`${binding.error}. ${tg.distributed.MPI_INSTALL_HINT}`);
  const version = spawnSync('mpirun', ['--version'], { encoding: 'utf8' });
  if (version.status !== 0) fail(`mpirun is not on PATH. ${tg.distributed.MPI_INSTALL_HINT}`);
  const mpiVersion = version.stdout.split('\n')[0].trim();
  const header = {
    machine: describeMachine(), cores: os.availableParallelism(), node: process.version, mpi: mpiVersion, loadBefore: loadavg(), date: new Date().toISOString(),
  };
  const lines = [];
  const say = (line = '') => {
    console.log(line);
    lines.push(line);
  };
  say(`# bench:distributed`);
  say('');
  say(`${header.machine} (before); ${mpiVersion}`);
  say('The machine is shared: these figures are provisional (each configuration is measured in every round, interleaved, and the median kept).');
  say("Both DDP runs use 2 buckets (firstBucketCapMB 0.1: the first holds the last two layers, whose reduction can overlap the first layer's weight gradient).");
  say('');

  // 1. Training throughput, interleaved rounds: the MLP at batch 128 per process, the CNN at 64.
  const configsOf = ({ model, batch, window, warmup }) => ({
    '1 process × 2 threads': () => single({ model, batch, threads: 2, window, warmup }),
    '2 processes × 1 thread, DDP overlapped': () => mpi(2, 'train.cjs', { model, batch, threads: 1, ddp: true, overlap: true, firstBucketCapMB: 0.1, window, warmup }),
    '2 processes × 1 thread, DDP after backward': () => mpi(2, 'train.cjs', { model, batch, threads: 1, ddp: true, overlap: false, firstBucketCapMB: 0.1, window, warmup }),
    '1 process × 1 thread (per-rank compute)': () => single({ model, batch, threads: 1, window, warmup }),
  });
  const models = {
    mlp: { title: 'MLP 784-256-128-10', model: 'mlp', batch: 128, window: quick ? 60 : 150, warmup: 30 },
    cnn: { title: 'CNN c32k3-bn-relu-p2-c64k3-bn-relu-p2-f-128-10 (BatchNorm2d statistics per rank)', model: 'cnn', batch: 64, window: quick ? 4 : 12, warmup: 5 },
  };
  for (const m of Object.values(models)) m.configs = configsOf(m);
  const samples = {};
  for (const [key, m] of Object.entries(models)) {
    samples[key] = Object.fromEntries(Object.keys(m.configs).map((k) => [k, []]));
    for (let r = 0; r < rounds; r++) for (const [name, run] of Object.entries(m.configs)) samples[key][name].push(run());
  }
  const pick = (runs) => {
    const m = median(runs.map((x) => x.samplesPerSecond));
    return { ...runs.find((x) => x.samplesPerSecond === m), rounds: runs.map((x) => Math.round(x.samplesPerSecond)) };
  };
  const trainingOf = {};
  for (const [key, m] of Object.entries(models)) {
    const training = Object.fromEntries(Object.keys(m.configs).map((k) => [k, pick(samples[key][k])]));
    trainingOf[key] = training;
    const base = training['1 process × 2 threads'];
    say(`## Training: ${m.title}, Adam, batch ${m.batch} per process (${base.source}), ${rounds} round${rounds > 1 ? 's' : ''}`);
    say('');
    say('| configuration | samples/s (global) | ms/step | of those, in syncGradients | cores it got | vs 1 process × 2 threads | each round |');
    say('|---|---|---|---|---|---|---|');
    for (const [name, t] of Object.entries(training)) {
      const sync = t.ddp ? ms(t.syncMsPerStep / 1e3) : '';
      say(`| ${name} | ${fmt(t.samplesPerSecond)} | ${fmt(t.msPerStep, 2)} | ${sync} | ${fmt(t.cores, 2)} | ${fmt(t.samplesPerSecond / base.samplesPerSecond, 2)}× | ${t.rounds.map((v) => fmt(v)).join(', ')} |`);
    }
    // The target is DDP's default (overlapped) against the threads.
    const ratio = training['2 processes × 1 thread, DDP overlapped'].samplesPerSecond / base.samplesPerSecond;
    say('');
    // On a shared machine the 2-thread process may get far less than its 2 cores (and a thread
    // waiting for a descheduled one idles), which no longer compares like with like.
    const starved = Object.values(training).filter((t) => t.cores < 0.75 * t.threads * t.processes).map((t) => `${t.processes} × ${t.threads} got ${fmt(t.cores, 2)} of its ${t.threads * t.processes} core${t.threads * t.processes > 1 ? 's' : ''}`);
    const verdict = `${fmt(ratio, 2)}× (${ratio >= 0.9 ? 'met' : 'missed'} in this run${starved.length ? `; not a verdict: ${starved.join(', ')}, other jobs held the CPU` : ''})`;
    say(key === 'mlp' ? `Target: 2 processes (DDP, default overlap) ≥ 0.9× 1 process × 2 threads: ${verdict}.` : `2 processes (DDP, default overlap) against 1 process × 2 threads: ${verdict}.`);
    if (key === 'mlp') header.verdict = starved.length === 0;
    say('');
  }
  const training = trainingOf.mlp;
  const base = training['1 process × 2 threads'];

  // 2. All-reduce between 2 ranks.
  const transports = {
    'loopback TCP': mpi(2, 'allreduce.cjs', null, ['--mca', 'btl', 'self,tcp']),
    'shared memory': mpi(2, 'allreduce.cjs', null, []),
  };
  say('## All-reduce, 2 ranks, float32 sum (median of 5 timings)');
  say('');
  say('| bytes | TCP loopback, as DDP | TCP, GB/s | TCP, public (length check) | shared memory, as DDP | shared memory, GB/s |');
  say('|---|---|---|---|---|---|');
  const tcp = transports['loopback TCP'].results;
  const shm = transports['shared memory'].results;
  tcp.forEach((row, i) => {
    const s = shm[i];
    say(`| ${fmt(row.bytes)} | ${us(row.ddp)} | ${fmt(row.bytes / row.ddp / 1e9, 2)} | ${us(row.checked)} | ${us(s.ddp)} | ${fmt(s.bytes / s.ddp / 1e9, 2)} |`);
  });
  // For n = 2, T = 2α + M/β. α: half the fastest time among the messages up to 1 KiB (the least
  // disturbed by other jobs, for one slow sample would inflate α and then β); β: M/(T − 2α) at the size DDP
  // sends each step (the MLP's gradients, one of the sizes timed): the bandwidth of that message,
  // neither a small one's (latency-bound) nor a 16 MB one's (the caches run out).
  const fit = (rows) => {
    const alpha = Math.min(...rows.filter((r) => r.bytes <= 1024).map((r) => r.ddp)) / 2;
    const row = rows.find((r) => r.bytes === base.gradientBytes);
    if (!row) fail(`allreduce.cjs timed no message of the gradient's ${base.gradientBytes} bytes`);
    return { alpha, beta: row.bytes / (row.ddp - 2 * alpha) };
  };
  const measured = { tcp: fit(tcp), shm: fit(shm) };
  say('');
  say(`Fitted to the α–β model (α: half the fastest time up to 1 KiB; β: the bandwidth at the gradient's ${fmt(base.gradientBytes)} bytes): TCP loopback α = ${us(measured.tcp.alpha)}, β = ${fmt(measured.tcp.beta / 1e9, 2)} GB/s; shared memory α = ${us(measured.shm.alpha)}, β = ${fmt(measured.shm.beta / 1e9, 2)} GB/s.`);
  say('');

  // 3. Projection.
  const bytes = base.gradientBytes;
  const compute = base.msPerStep / 1e3; // a node = this machine, 1 process × 2 threads, batch 128
  const perSample = compute / 128;
  say(`## Projection: ring all-reduce of the MLP's ${fmt(bytes)} gradient bytes per step, no overlap assumed`);
  say('');
  say(`Per node: the compute of one step at batch 128 as measured here (1 process × 2 threads): ${ms(compute)}.`);
  say('');
  say('| network | nodes | all-reduce per step | compute : communication | step | samples/s (all nodes) | scaling efficiency | batch per node for 90% |');
  say('|---|---|---|---|---|---|---|---|');
  const projection = [];
  for (const [name, net] of [[`stated: ${NETWORK.name}`, NETWORK], [`measured TCP loopback (α ${us(measured.tcp.alpha)}, β ${fmt(measured.tcp.beta / 1e9, 2)} GB/s)`, measured.tcp]]) {
    for (const n of NODES) {
      const comm = ring(n, bytes, net);
      const step = compute + comm;
      const efficiency = compute / step;
      // c·b / (c·b + T) ≥ 0.9  ⇔  b ≥ 9·T / c, with c the compute per sample.
      const batchFor90 = Math.ceil((9 * comm) / perSample);
      projection.push({ network: name, nodes: n, comm, ratio: compute / comm, step, samplesPerSecond: (n * 128) / step, efficiency, batchFor90 });
      say(`| ${name} | ${n} | ${ms(comm)} | ${fmt(compute / comm, 2)} | ${ms(step)} | ${fmt((n * 128) / step)} | ${fmt(100 * efficiency, 0)}% | ${fmt(batchFor90)} |`);
    }
  }
  header.loadAfter = loadavg();
  say('');
  const busiest = Math.max(Number(header.loadBefore.split(' ')[0]), Number(header.loadAfter.split(' ')[0]));
  header.loaded = busiest > header.cores;
  say(`Load average after: ${header.loadAfter}.${header.loaded ? ` The 1-minute load reached ${fmt(busiest, 2)} on ${header.cores} cores: other jobs shared the CPU, so the training figures are low and noisy (see "cores it got"), the 2-thread and 2-rank runs suffering most.` : ''}`);

  const out = path.join(HERE, 'results');
  fs.mkdirSync(out, { recursive: true });
  const { writeFileAtomic } = require(path.join(ROOT, 'dist', 'io', 'atomic'));
  writeFileAtomic(path.join(out, 'distributed.json'), new TextEncoder().encode(`${JSON.stringify({ header, training: trainingOf, samples, allreduce: transports, measured, network: NETWORK, projection }, null, 2)}\n`));
  writeFileAtomic(path.join(out, 'distributed.md'), new TextEncoder().encode(`${lines.join('\n')}\n`));
  console.log(`\nSaved bench/results/distributed.{json,md}`);
}

main();

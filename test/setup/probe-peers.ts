// Probes the optional peers once per test run (in parallel, before any test file loads) and
// provides the answers to every file through test/peers.ts; prints which are absent and why.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import { ensureTensorboardVenv } from '../interop/tensorboard-venv';
import { PEERS, type Peer, type PeerReport } from '../peer-list';

/** Resolves to undefined when the command exits 0, else to what went wrong (its error line). */
function runs(file: string, args: string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: 60_000 }, (error, _stdout, stderr) => {
      if (!error) return resolve(undefined);
      const lines = String(stderr).trim().split('\n');
      resolve(lines.find((l) => /error/i.test(l))?.trim() || lines.pop() || error.message.split('\n')[0]);
    });
  });
}

function exists(file: string): Promise<string | undefined> {
  return Promise.resolve(fs.existsSync(file) ? undefined : `${file} does not exist`);
}

const python = (module: string) => runs('/usr/bin/python3', ['-c', `import ${module}`]);

const PROBES: Record<Peer, () => Promise<string | undefined>> = {
  torch: () => python('torch'),
  numpy: () => python('numpy'),
  onnx: () => python('onnx'),
  chromium: () => exists('/usr/bin/chromium'),
  'fashion-mnist': () => exists('/usr/share/datasets/fashion-mnist'),
  mpi: async () => (await runs('mpirun', ['--version'])) ?? (await runs('mpicxx', ['--showme:version'])),
  onnxruntime: () => runs(process.execPath, ['-e', 'require("onnxruntime-node")']),
  // Makes the venv on the first run (pip from the local index, about 15 s); later runs reuse it.
  tensorboard: ensureTensorboardVenv,
};

/** The peers TENSORGRAD_TEST_ABSENT_PEERS makes absent: all, or a comma list of names. */
function forcedAbsent(): Set<Peer> {
  const value = process.env['TENSORGRAD_TEST_ABSENT_PEERS']?.trim() ?? '';
  const names = Object.keys(PEERS) as Peer[];
  if (value === '') return new Set();
  if (value === 'all') return new Set(names);
  const asked = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const unknown = asked.filter((s) => !(names as string[]).includes(s));
  if (unknown.length > 0) {
    throw new Error(`TENSORGRAD_TEST_ABSENT_PEERS: unknown peer ${unknown.join(', ')}; expected all or some of ${names.join(', ')}`);
  }
  return new Set(asked as Peer[]);
}

/** The part of vitest's TestProject the setup uses. */
interface Provider {
  provide(key: 'peers', value: PeerReport): void;
}

export default async function setup(project: Provider): Promise<void> {
  const forced = forcedAbsent();
  const names = Object.keys(PEERS) as Peer[];
  const found = await Promise.all(names.map(async (peer) => {
    if (forced.has(peer)) return 'forced absent by TENSORGRAD_TEST_ABSENT_PEERS';
    const reason = await PROBES[peer]();
    return reason === undefined ? undefined : `${reason} (${PEERS[peer].install})`;
  }));
  const report = Object.fromEntries(names.map((peer, i) => [peer, found[i] ?? null])) as PeerReport;
  project.provide('peers', report);
  const present = names.filter((p) => report[p] === null);
  const lines = [`tensorgrad tests: optional peers present: ${present.length > 0 ? present.join(', ') : 'none'}`];
  for (const peer of names) {
    if (report[peer] !== null) lines.push(`tensorgrad tests: absent, so its comparisons are skipped: ${peer} (${PEERS[peer].what}): ${report[peer]}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

/**
 * Runs a script on several ranks with Open MPI's mpirun on this machine (oversubscribed: the
 * test machine has 2 cores; as root, which mpirun refuses unless told) and collects what each
 * rank printed as JSON lines ({"rank": r, ...}).
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';

export interface MpiRun {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  seconds: number;
  /** Every JSON line the ranks printed, in order. */
  records: Array<Record<string, unknown> & { rank: number }>;
}

export const RANKS_DIR = path.join(__dirname, 'ranks');

/** The flags every run needs here: root, more ranks than cores, quiet about both. */
export const MPIRUN_FLAGS = ['--allow-run-as-root', '--oversubscribe', '--bind-to', 'none'];

export function mpirun(np: number, script: string, args: string[] = [], options: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<MpiRun> {
  const env = { ...process.env, ...options.env };
  const forwarded = Object.keys(options.env ?? {}).flatMap((name) => ['-x', name]);
  const file = path.isAbsolute(script) ? script : path.join(RANKS_DIR, script);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn('mpirun', [...MPIRUN_FLAGS, ...forwarded, '-np', String(np), process.execPath, file, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      const records = stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as MpiRun['records'][number]);
      resolve({ status, signal, stdout, stderr, seconds: (performance.now() - started) / 1000, records });
    });
  });
}

/** The records of one rank, by their "what" field. */
export function byRank(run: MpiRun, rank: number): Record<string, Record<string, unknown>> {
  return Object.fromEntries(run.records.filter((r) => r.rank === rank).map((r) => [String(r['what']), r]));
}

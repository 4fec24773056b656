/**
 * Runs a script on several ranks with Open MPI's mpirun on this machine (oversubscribed: the
 * test machine has 2 cores; as root, which mpirun refuses unless told) and collects what each
 * rank recorded (ranks/records.cjs) as JSON lines ({"rank": r, ...}).
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
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

/**
 * Runs the job; on timeout (default 100 s, under the suites' 120 s hooks) records the processes
 * still alive and what the ranks printed last, then kills mpirun and its ranks, so a hang fails
 * with a diagnosis and leaves nothing behind.
 */
export function mpirun(np: number, script: string, args: string[] = [], options: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<MpiRun> {
  const recordsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tensorgrad-mpirun-'));
  const env = { ...process.env, ...options.env, TENSORGRAD_TEST_RECORDS: recordsDir };
  const forwarded = [...Object.keys(options.env ?? {}), 'TENSORGRAD_TEST_RECORDS'].flatMap((name) => ['-x', name]);
  const file = path.isAbsolute(script) ? script : path.join(RANKS_DIR, script);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn('mpirun', [...MPIRUN_FLAGS, ...forwarded, '-np', String(np), process.execPath, file, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      const ps = spawnSync('ps', ['-e', '-o', 'pid,ppid,stat,etime,pcpu,args'], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l.includes(file) || l.includes('mpirun')).join('\n');
      stderr += `\nmpirun helper: no exit after ${options.timeoutMs ?? 100_000} ms; processes:\n${ps}\nlast records:\n${fs.readdirSync(recordsDir).map((f) => `${f}: ${fs.readFileSync(path.join(recordsDir, f), 'utf8').trim().split('\n').pop()}`).join('\n')}\n`;
      // The ranks run in process groups of their own: kill them by parent, then mpirun.
      const ranks = spawnSync('ps', ['-o', 'pid=', '--ppid', String(child.pid)], { encoding: 'utf8' }).stdout.split('\n').map(Number).filter((p) => p > 0);
      for (const pid of [...ranks, child.pid!]) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }, options.timeoutMs ?? 100_000);
    child.on('error', reject);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      try {
        resolve({ status, signal, stdout, stderr, seconds: (performance.now() - started) / 1000, records: readRecords(recordsDir) });
      } catch (e) {
        reject(e);
      } finally {
        fs.rmSync(recordsDir, { recursive: true, force: true });
      }
    });
  });
}

/** What the ranks wrote through ranks/records.cjs, rank by rank in the order written. */
export function readRecords(dir: string): MpiRun['records'] {
  return fs.readdirSync(dir).filter((f) => f.endsWith('.jsonl')).sort().flatMap((f) =>
    fs.readFileSync(path.join(dir, f), 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as MpiRun['records'][number]));
}

/** The records of one rank, by their "what" field. */
export function byRank(run: MpiRun, rank: number): Record<string, Record<string, unknown>> {
  return Object.fromEntries(run.records.filter((r) => r.rank === rank).map((r) => [String(r['what']), r]));
}

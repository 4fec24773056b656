// `mpirun -np 2 tensorgrad train --distributed`: one model on 2 ranks; rank 0 alone writes the
// run directory and prints (global samples/s); a rank killed in mid-epoch ends the job; and
// `--resume` of that run reaches the same final weights, optimizer state and history as a run
// never interrupted, bit for bit; resumed on another number of ranks, it says its steps change;
// without --threads the ranks on one host share its cores.
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { io } from '../../lib';
import { describeWithPeers } from '../peers';
import { MPIRUN_FLAGS } from './mpirun';

const bin = path.join(__dirname, '..', '..', 'bin', 'tensorgrad.js');
let root = '';
afterAll(() => {
  if (root !== '') fs.rmSync(root, { recursive: true, force: true });
});

// Dropout, shuffling and a cosine schedule on; small batches make an epoch last long enough
// (about a second here) for a kill to land inside one.
const run = ['--distributed', '--model', '64-256-256-10', '--dropout', '0.3', '--batch-size', '4', '--seed', '3', '--threads', '1', '--schedule', 'cosine', '--epochs', '4'];

interface Finished { status: number | null; stdout: string; stderr: string; endedAt: number }

/** `tensorgrad train …` on 2 ranks under mpirun (or, with ranks 1, started alone). */
function start(args: string[], options: { ranks?: 1 | 2; env?: NodeJS.ProcessEnv } = {}): { child: ChildProcess; done: Promise<Finished> } {
  const command = [process.execPath, bin, 'train', ...args];
  const [file, ...argv] = options.ranks === 1 ? command : ['mpirun', ...MPIRUN_FLAGS, '-np', '2', ...command];
  const child = spawn(file!, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 150_000);
  const done = new Promise<Finished>((resolve) => child.on('close', (status) => {
    clearTimeout(timer);
    resolve({ status, stdout, stderr, endedAt: Date.now() });
  }));
  return { child, done };
}

/** The pid of the rank mpirun started as OMPI_COMM_WORLD_RANK=rank. */
function rankPid(mpirunPid: number, rank: number): number | undefined {
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== mpirunPid) continue;
      const environ = fs.readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      if (environ.includes(`OMPI_COMM_WORLD_RANK=${rank}`)) return Number(entry);
    } catch {
      // gone, or not ours to read
    }
  }
  return undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function bitsOf(file: string): Record<string, number[]> {
  return Object.fromEntries(Object.entries(io.load(file, { dtype: 'keep' }).tensors).map(([k, t]) => [k, Array.from(new Uint32Array(t.data.buffer, t.data.byteOffset, t.data.byteLength / 4))]));
}

describeWithPeers('mpi', 'tensorgrad train --distributed on 2 ranks', () => {
  let straightDir = '';
  let killedDir = '';
  let straight: Finished;
  let killed: Finished & { killedAt: number; checkpointsAtKill: string[]; finalModelWritten: boolean };
  let resumed: Finished;

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'tensorgrad-dist-train-'));
    straightDir = path.join(root, 'straight');
    killedDir = path.join(root, 'killed');
    straight = await start([...run, '--out', straightDir]).done;
    const job = start([...run, '--out', killedDir]);
    const checkpoints = path.join(killedDir, 'checkpoints');
    const list = () => (fs.existsSync(checkpoints) ? fs.readdirSync(checkpoints).filter((f) => f.startsWith('checkpoint-')).sort() : []);
    let killedAt = 0;
    let checkpointsAtKill: string[] = [];
    // As soon as epoch 2's checkpoint is there, epoch 3 is under way: kill rank 1 in it.
    for (let i = 0; i < 3000 && killedAt === 0; i++) {
      if (list().includes('checkpoint-00000002')) {
        const pid = rankPid(job.child.pid!, 1);
        if (pid !== undefined) {
          checkpointsAtKill = list();
          process.kill(pid, 'SIGKILL');
          killedAt = Date.now();
        }
      }
      await sleep(10);
    }
    killed = { ...(await job.done), killedAt, checkpointsAtKill, finalModelWritten: fs.existsSync(path.join(killedDir, 'model.safetensors')) };
    resumed = await start(['--resume', killedDir]).done;
  }, 400_000);

  it('trains one model: rank 0 alone prints (global samples/s) and writes the run directory', () => {
    expect(straight.status, straight.stderr).toBe(0);
    expect(straight.stdout).toMatch(/Distributed over 2 ranks \(Open MPI v[\d.]+\): batch 4 per rank, 8 per step; rank 0 writes the run directory; 1 GEMM thread per rank\n/);
    // One progress line per epoch: rank 1 prints nothing.
    expect(straight.stdout.match(/Finished epoch \d \/ 4/g)).toHaveLength(4);
    expect(straight.stdout.match(/Training 64-256-256-10/g)).toHaveLength(1);
    for (const file of ['config.json', 'metrics.jsonl', 'train.log', 'model.safetensors', 'best.safetensors', 'summary.json', 'report.html', 'layers.jsonl']) {
      expect(fs.existsSync(path.join(straightDir, file)), file).toBe(true);
    }
    expect(JSON.parse(fs.readFileSync(path.join(straightDir, 'config.json'), 'utf8'))).toMatchObject({ ranks: 2, config: { distributed: true } });
    // The epoch records are the job's: samples/s summed over the ranks (about twice a rank's).
    const epochs = fs.readFileSync(path.join(straightDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(epochs.map((e) => e.epoch)).toEqual([0, 1, 2, 3]);
    const summary = JSON.parse(fs.readFileSync(path.join(straightDir, 'summary.json'), 'utf8'));
    expect(summary.test.metrics.accuracy).toBeGreaterThan(0.8);
  });

  it('without --threads the ranks on a host share its cores', async () => {
    const env = { ...process.env };
    delete env['TENSORGRAD_NUM_THREADS'];
    const { status, stdout, stderr } = await start(['--distributed', '--model', '16', '--epochs', '1', '--out', path.join(root, 'threads')], { env }).done;
    expect(status, stderr).toBe(0);
    // Both ranks on this host: half its cores each (2 cores here: 1 thread, where 2 were the default).
    const each = Math.max(1, Math.floor(os.availableParallelism() / 2));
    expect(stdout).toContain(`; ${each} GEMM thread${each > 1 ? 's' : ''} per rank\n`);
  }, 120_000);

  it('a rank killed in mid-epoch: the job ends non-zero within the bound, the last whole epoch checkpointed', () => {
    expect(killed.killedAt, 'the kill landed').toBeGreaterThan(0);
    expect(killed.status).not.toBe(0);
    expect(killed.stderr + killed.stdout).toMatch(/process rank 1 .* exited on signal 9/);
    // The launcher ends the job at once (measured about 2 s); 15 s allows for a loaded machine.
    expect((killed.endedAt - killed.killedAt) / 1000).toBeLessThan(15);
    expect(killed.checkpointsAtKill).not.toContain('checkpoint-00000003');
    expect(killed.finalModelWritten).toBe(false);
  });

  it('--resume reaches the same final weights, optimizer state and history as the run never interrupted, bit for bit', () => {
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/Resuming .* after epoch 2 of 4/);
    expect(bitsOf(path.join(killedDir, 'model.safetensors'))).toEqual(bitsOf(path.join(straightDir, 'model.safetensors')));
    const last = (dir: string) => path.join(dir, 'checkpoints', 'checkpoint-00000004');
    expect(bitsOf(path.join(last(killedDir), 'optimizer.safetensors'))).toEqual(bitsOf(path.join(last(straightDir), 'optimizer.safetensors')));
    const history = (dir: string) => JSON.parse(fs.readFileSync(path.join(last(dir), 'checkpoint.json'), 'utf8')).trainer.history.map((h: { trainLoss: number; valLoss: number }) => [h.trainLoss, h.valLoss]);
    expect(history(killedDir)).toEqual(history(straightDir));
  });

  it('resumed on another number of ranks (here 1, without mpirun), the run says its steps change', async () => {
    const copy = path.join(root, 'one-rank');
    fs.cpSync(killedDir, copy, { recursive: true });
    const { status, stdout, stderr } = await start(['--resume', copy, '--epochs', '5'], { ranks: 1 }).done;
    expect(status, stderr).toBe(0);
    expect(stdout).toMatch(/Resuming .* after epoch 4 of 5\nNote: this run trained on 2 ranks and resumes on 1: 8 samples per step become 4, so it will not reach the weights of an uninterrupted run\n/);
    expect(JSON.parse(fs.readFileSync(path.join(copy, 'config.json'), 'utf8'))).toMatchObject({ ranks: 1 });
  }, 120_000);
});

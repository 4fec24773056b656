/**
 * The process group: every rank of the job (MPI_COMM_WORLD), started by init() under mpirun or
 * srun, or alone (a world of 1) without a launcher. Collectives work in place on typed arrays
 * (or tensors' data) that JavaScript owns: allreduce (sum, mean, max, min), broadcast, allgather,
 * barrier. Each first agrees with the other ranks, by a small allreduce, that all called the same
 * collective on buffers of the same length, so a mismatch is an error on every rank rather than
 * a hang or a crash. The async forms return a Work to wait() on; meanwhile the buffer belongs to
 * the collective (reading it gives no defined values; another collective on it is refused).
 *
 * Faults end the whole job within a bounded time (docs/distributed.md): a rank that exits with
 * an error tells the others and calls MPI_Abort (the launcher then ends every rank); a collective
 * that waits longer than the timeout (a rank stuck, or gone without the launcher noticing) ends
 * the job the same way, naming what it waited for.
 */
import { Tensor } from '../autograd/tensor';
import { describe } from '../backend/validate';
import { type MpiBinding, type ReduceOp, mpiBinding } from './binding';
import { type LaunchEnvironment, launchEnvironment } from './launcher';

export type { ReduceOp } from './binding';

/** What the collectives take: a Float32Array, a Float64Array, or a tensor (its data). */
export type CollectiveBuffer = Float32Array | Float64Array | Tensor;

export interface InitOptions {
  /**
   * Seconds a collective may wait for the other ranks before the job is ended (default 300, or
   * TENSORGRAD_DIST_TIMEOUT). It must exceed the longest time one rank works alone between two
   * collectives (rank 0 writing a checkpoint or a report, say).
   */
  timeout?: number;
  /** Seconds between a detected failure and MPI_Abort, for the error to be printed (default 2). */
  grace?: number;
}

export interface AllreduceOptions {
  /** sum (default), mean (the sum divided by the world size), max or min. */
  op?: ReduceOp;
  /**
   * any (default): MPI's own algorithm, whose order of addition depends on the world size and
   * the message size. fixed: every contribution is gathered and added in rank order 0, 1, …, the
   * same bits as one process adding the ranks' partial results in that order (costs world-size
   * times the memory and traffic).
   */
  order?: 'any' | 'fixed';
}

const REDUCE_OPS: readonly ReduceOp[] = ['sum', 'mean', 'max', 'min'];
const DEFAULT_TIMEOUT = 300;
const DEFAULT_GRACE = 2;

/** A collective in flight: wait() blocks until it is done and throws what went wrong. */
export class Work {
  #done = false;
  #error: Error | undefined;

  /** @internal */
  constructor(
    private readonly binding: MpiBinding,
    private readonly id: number,
    private readonly fn: string,
  ) {}

  /** Blocks until the collective is done; the buffer is then the result. Waiting again is a no-op (or the same error). */
  wait(): void {
    if (!this.#done) {
      this.#done = true;
      try {
        this.binding.wait(this.id);
      } catch (e) {
        this.#error = new Error(`${this.fn}: ${(e as Error).message}`);
      }
    }
    if (this.#error) throw this.#error;
  }

  /** Whether wait() would return at once. */
  isCompleted(): boolean {
    return this.#done || this.binding.test(this.id);
  }
}

function dataOf(fn: string, name: string, buffer: unknown): Float32Array | Float64Array {
  const data = buffer instanceof Tensor ? buffer.data : buffer;
  if (data instanceof Float32Array || data instanceof Float64Array) return data;
  throw new TypeError(`${fn}: Expected a Float32Array, Float64Array or Tensor for ${name} but received ${describe(buffer)}`);
}

function seconds(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !(n > 0 && n <= 1e7)) {
    throw new RangeError(`distributed.init: Expected a number of seconds in (0, 1e7] for ${name} but received ${typeof value === 'string' ? `"${value}"` : describe(value)}`);
  }
  return n;
}

function firstLine(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message.split('\n')[0]}`;
  return String(error).split('\n')[0]!;
}

export class ProcessGroup {
  readonly rank: number;
  readonly size: number;
  /** The rank among this host's processes (when the launcher says), else undefined. */
  readonly localRank: number | undefined;
  /** Who started the job, or null for a process started alone. */
  readonly launch: LaunchEnvironment | null;
  /** The MPI library (MPI_Get_library_version) and the MPI standard version. */
  readonly library: string;
  readonly mpiVersion: string;
  /** Seconds a collective may wait before the job is ended. */
  readonly timeout: number;
  #finalized = false;

  /** @internal Use init(). */
  constructor(
    private readonly binding: MpiBinding,
    info: { rank: number; size: number; library: string; version: string },
    launch: LaunchEnvironment | null,
    timeout: number,
  ) {
    this.rank = info.rank;
    this.size = info.size;
    this.launch = launch;
    this.localRank = launch?.localRank;
    this.library = info.library.trim();
    this.mpiVersion = info.version;
    this.timeout = timeout;
  }

  get finalized(): boolean {
    return this.#finalized;
  }

  private live(fn: string): MpiBinding {
    if (this.#finalized) throw new Error(`${fn}: the process group was finalized`);
    return this.binding;
  }

  /** Sums (or averages, maxes, mins) the buffer across the ranks, in place; returns it. */
  allreduce<B extends CollectiveBuffer>(buffer: B, options: AllreduceOptions = {}): B {
    this.allreduceAsync(buffer, options).wait();
    return buffer;
  }

  allreduceAsync(buffer: CollectiveBuffer, options: AllreduceOptions = {}): Work {
    const fn = 'distributed.allreduce';
    const data = dataOf(fn, 'buffer', buffer);
    const { op = 'sum', order = 'any' } = options;
    if (!REDUCE_OPS.includes(op)) throw new RangeError(`${fn}: Expected op ${REDUCE_OPS.join(', ')} but received ${describe(op)}`);
    if (order !== 'any' && order !== 'fixed') throw new RangeError(`${fn}: Expected order any or fixed but received ${describe(order)}`);
    return startAllreduce(this, data, op, order === 'fixed', true);
  }

  /** Copies root's buffer into every other rank's, in place; returns it. */
  broadcast<B extends CollectiveBuffer>(buffer: B, options: { root?: number } = {}): B {
    this.broadcastAsync(buffer, options).wait();
    return buffer;
  }

  broadcastAsync(buffer: CollectiveBuffer, options: { root?: number } = {}): Work {
    return startBroadcast(this, dataOf('distributed.broadcast', 'buffer', buffer), this.checkRoot(options.root ?? 0), true);
  }

  /**
   * Every rank's `send`, in rank order, into `out` (send.length × size elements of send's dtype,
   * allocated when not given); returns out.
   */
  allgather<O extends Float32Array | Float64Array>(send: CollectiveBuffer, out?: O): O {
    const fn = 'distributed.allgather';
    const data = dataOf(fn, 'send', send);
    const expected = data.length * this.size;
    const target = out ?? (data instanceof Float64Array ? new Float64Array(expected) : new Float32Array(expected));
    if (target.constructor !== data.constructor) {
      throw new TypeError(`${fn}: Expected out to be a ${data.constructor.name} like send but received ${describe(out)}`);
    }
    if (target.length !== expected) {
      throw new RangeError(`${fn}: Expected out of length send.length × world size = ${data.length} × ${this.size} = ${expected} but received ${describe(out)}`);
    }
    new Work(this.binding, this.live(fn).allgather(data, target, true), fn).wait();
    return target as O;
  }

  /** Returns when every rank has called barrier(). */
  barrier(): void {
    const fn = 'distributed.barrier';
    new Work(this.binding, this.live(fn).barrier(), fn).wait();
  }

  /** Collectives submitted and not yet waited for. */
  get pending(): number {
    return this.binding.pending();
  }

  /**
   * Ends MPI after the collectives in flight (every rank must call it; the exit of a process
   * that did not calls it). Returns false when the other ranks did not finalize within the
   * timeout.
   */
  finalize(): boolean {
    if (this.#finalized) return true;
    this.#finalized = true;
    return this.binding.finalize();
  }

  /** Ends the whole job: tells the other ranks why, then MPI_Abort. Does not return. */
  abort(reason: unknown, code = 1): never {
    return this.binding.abort(firstLine(reason), Number.isInteger(code) && code >= 1 && code <= 255 ? code : 1);
  }

  private checkRoot(root: unknown): number {
    if (typeof root !== 'number' || !Number.isInteger(root) || root < 0 || root >= this.size) {
      throw new RangeError(`distributed.broadcast: Expected a root rank from 0 to ${this.size - 1} but received ${describe(root)}`);
    }
    return root;
  }

  /** @internal The binding, for the collectives DistributedDataParallel issues. */
  get native(): MpiBinding {
    return this.live('distributed');
  }
}

/**
 * @internal An allreduce without the public checks; verify false skips the agreement on
 * lengths (DistributedDataParallel agrees on its whole bucket layout once, at construction).
 */
export function startAllreduce(group: ProcessGroup, data: Float32Array | Float64Array, op: ReduceOp, fixedOrder: boolean, verify: boolean): Work {
  return new Work(group.native, group.native.allreduce(data, op, fixedOrder, verify), 'distributed.allreduce');
}

/** @internal */
export function startBroadcast(group: ProcessGroup, data: Float32Array | Float64Array, root: number, verify: boolean): Work {
  return new Work(group.native, group.native.broadcast(data, root, verify), 'distributed.broadcast');
}

let current: ProcessGroup | undefined;

/**
 * Starts the process group (once; later calls return it). Under mpirun or srun every rank
 * calls it; a process started alone is a world of 1. Throws naming what to install when the
 * MPI binding was not built.
 */
export function init(options: InitOptions = {}): ProcessGroup {
  if (current) return current;
  const timeout = seconds('timeout', options.timeout ?? (process.env['TENSORGRAD_DIST_TIMEOUT'] || undefined), DEFAULT_TIMEOUT);
  const grace = seconds('grace', options.grace, DEFAULT_GRACE);
  const launch = launchEnvironment();
  const binding = mpiBinding('distributed.init');
  const info = binding.init(timeout, grace);
  if (launch && launch.size !== info.size) {
    const told = `${launch.launcher} started this process as rank ${launch.rank} of ${launch.size}`;
    const hint = launch.launcher === 'srun'
      ? 'srun did not connect the tasks through MPI: run srun --mpi=pmix (or pmi2; srun --mpi=list shows what this cluster offers)'
      : 'the launcher and the MPI library this binding was built against do not match';
    binding.abort(`distributed.init: ${told}, but MPI sees a world of ${info.size}: ${hint}`, 1);
  }
  current = new ProcessGroup(binding, info, launch, timeout);
  installExitHooks(current, binding);
  return current;
}

export function isInitialized(): boolean {
  return current !== undefined && !current.finalized;
}

/** The process group init() started; throws when there is none. */
export function processGroup(fn = 'distributed'): ProcessGroup {
  if (!current) throw new Error(`${fn}: the process group is not initialized: call distributed.init() first`);
  return current;
}

/** This process's rank: the group's once started, else the launcher's (0 when none). */
export function rank(): number {
  return current?.rank ?? launchEnvironment()?.rank ?? 0;
}

/** The number of ranks: the group's once started, else the launcher's (1 when none). */
export function worldSize(): number {
  return current?.size ?? launchEnvironment()?.size ?? 1;
}

/** Whether a launcher (mpirun, srun) started this process as one of several. */
export function isLaunchedDistributed(): boolean {
  return (launchEnvironment()?.size ?? 1) > 1;
}

/**
 * A normal exit finalizes MPI (every rank must, or the launcher reports the job failed); any
 * other exit (an uncaught error, a non-zero exit code) ends the job on every rank, naming this
 * rank and the error.
 */
function installExitHooks(group: ProcessGroup, binding: MpiBinding): void {
  let lastError: unknown;
  process.on('uncaughtExceptionMonitor', (error) => {
    lastError = error;
  });
  process.on('exit', (code) => {
    if (group.finalized) return;
    const broken = binding.brokenReason();
    if (code === 0 && broken === null) {
      if (!group.finalize()) binding.abort('MPI_Finalize did not complete within the timeout: another rank has not finished', 1);
      return;
    }
    binding.abort(broken ?? `exited with code ${code}${lastError === undefined ? '' : `: ${firstLine(lastError)}`}`, code === 0 ? 1 : code);
  });
}

/**
 * The collectives on the process group init() started, as functions: what a training script
 * calls after distributed.init().
 */
import { type AllreduceOptions, type CollectiveBuffer, type Work, processGroup } from './process-group';

/** Sums (or averages, maxes, mins) the buffer across the ranks, in place; returns it. */
export function allreduce<B extends CollectiveBuffer>(buffer: B, options: AllreduceOptions = {}): B {
  return processGroup('distributed.allreduce').allreduce(buffer, options);
}

/** allreduce that returns at once; wait() on the Work before touching the buffer. */
export function allreduceAsync(buffer: CollectiveBuffer, options: AllreduceOptions = {}): Work {
  return processGroup('distributed.allreduce').allreduceAsync(buffer, options);
}

/** Copies root's buffer (default rank 0) into every other rank's, in place; returns it. */
export function broadcast<B extends CollectiveBuffer>(buffer: B, options: { root?: number } = {}): B {
  return processGroup('distributed.broadcast').broadcast(buffer, options);
}

/** Every rank's send, in rank order, into out (allocated when not given); returns out. */
export function allgather<O extends Float32Array | Float64Array>(send: CollectiveBuffer, out?: O): O {
  return processGroup('distributed.allgather').allgather(send, out);
}

/** Returns when every rank has called barrier(). */
export function barrier(): void {
  processGroup('distributed.barrier').barrier();
}

/** Ends the whole job: tells the other ranks why (an Error or a message), then MPI_Abort. */
export function abort(reason: unknown, code = 1): never {
  return processGroup('distributed.abort').abort(reason, code);
}

/** Ends MPI on this rank after its collectives in flight (the exit of a rank that did not calls it). */
export function finalize(): boolean {
  return processGroup('distributed.finalize').finalize();
}

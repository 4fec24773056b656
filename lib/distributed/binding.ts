/**
 * The optional MPI binding (native/mpi, built as tensorgrad_mpi.node where Open MPI's headers
 * were found at install time). TENSORGRAD_MPI_ADDON=path loads a particular build (the cmake-js
 * one: build-cmake/Release/tensorgrad_mpi.node); otherwise the local build. Without one, every
 * distributed call throws an error that says what to install.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PACKAGE_ROOT } from '../paths';

/** What native/mpi/addon.cc exports. Collectives return a number that wait() takes once. */
export interface MpiBinding {
  init(timeoutSeconds: number, graceSeconds: number): { rank: number; size: number; threadLevel: number; library: string; version: string };
  allreduce(buffer: Float32Array | Float64Array, op: ReduceOp, fixedOrder: boolean, verify: boolean): number;
  broadcast(buffer: Float32Array | Float64Array, root: number, verify: boolean): number;
  allgather(send: Float32Array | Float64Array, recv: Float32Array | Float64Array, verify: boolean): number;
  barrier(): number;
  wait(work: number): void;
  test(work: number): boolean;
  pending(): number;
  brokenReason(): string | null;
  abort(why: string, code: number): never;
  finalize(): boolean;
}

export type ReduceOp = 'sum' | 'mean' | 'max' | 'min';

/** How to get the binding, for the error a machine without it gives. */
export const MPI_INSTALL_HINT =
  'Distributed training needs Open MPI and the MPI binding built against it: install Open MPI ' +
  '(Debian/Ubuntu: apt-get install openmpi-bin libopenmpi-dev; Fedora: dnf install openmpi-devel; ' +
  'macOS: brew install open-mpi), then rebuild tensorgrad (npm rebuild tensorgrad; in a clone, npm run build) ' +
  'and launch with mpirun or srun (docs/distributed.md)';

let cached: { binding?: MpiBinding; error?: string } | undefined;

function candidate(): string {
  const forced = process.env['TENSORGRAD_MPI_ADDON'];
  return forced ? path.resolve(forced) : path.join(PACKAGE_ROOT, 'build', 'Release', 'tensorgrad_mpi.node');
}

/** The binding, or why it did not load. */
export function loadMpiBinding(): { binding?: MpiBinding; error?: string } {
  if (cached) return cached;
  const file = candidate();
  if (!fs.existsSync(file)) {
    cached = { error: `${file} does not exist (it is built only where Open MPI's mpicxx and mpi.h were found)` };
    return cached;
  }
  try {
    const module = { exports: {} as MpiBinding };
    process.dlopen(module, file);
    if (typeof module.exports.allreduce !== 'function') throw new Error('the file is not the tensorgrad MPI binding');
    cached = { binding: module.exports };
  } catch (e) {
    cached = { error: `${file} did not load: ${(e as Error).message.trim()}` };
  }
  return cached;
}

/** The binding; throws naming what to install when there is none. */
export function mpiBinding(fn: string): MpiBinding {
  const load = loadMpiBinding();
  if (load.binding) return load.binding;
  throw new Error(`${fn}: the MPI binding is not available: ${load.error}. ${MPI_INSTALL_HINT}`);
}

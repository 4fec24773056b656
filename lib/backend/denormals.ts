/**
 * Whether the native kernels flush subnormal floats to zero (FTZ and DAZ), as
 * torch.set_flush_denormal does for PyTorch. Off by default: the kernels then keep IEEE
 * semantics, like the reference backend. On, values below 2^-126 in magnitude read and come out
 * as 0 inside native kernels only (never in JavaScript's own arithmetic, nor in the reference
 * backend, so the checked backend may then report differences there). Worth it when training
 * leaves many optimizer moments stuck in the subnormal range, which some CPUs process slowly.
 */
import { loadAddon } from './addon';
import { describe } from './validate';

const addon = () => loadAddon().addon;

/** Without the addon the setting is kept but changes nothing: the reference backend never flushes. */
let fallback = false;

/** Turns flushing on or off for the native kernels; returns the new setting. */
export function setFlushDenormal(on: boolean): boolean {
  if (arguments.length !== 1) throw new TypeError(`setFlushDenormal: Expected 1 arguments but received ${arguments.length}`);
  if (typeof on !== 'boolean') throw new TypeError(`setFlushDenormal: Expected true or false for on but received ${describe(on)}`);
  const native = addon();
  if (native) return native.setFlushDenormal(on);
  fallback = on;
  return on;
}

/** Whether the native kernels flush subnormals to zero. */
export function getFlushDenormal(): boolean {
  const native = addon();
  return native ? native.getFlushDenormal() : fallback;
}

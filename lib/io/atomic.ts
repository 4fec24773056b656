/**
 * Atomic file writes: the bytes go to a temporary file in the same directory, which is synced,
 * renamed over the target, and the directory synced, so a crash leaves the old file or the new
 * one, never half of either. The temporary a killed writer left is removed by the next write.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export function writeFileAtomic(target: string, chunks: Uint8Array | readonly Uint8Array[]): void {
  const dir = path.dirname(path.resolve(target));
  removeDeadTemporaries(dir, path.basename(target));
  const temp = path.join(dir, `.${path.basename(target)}.${process.pid}.${Date.now()}.tmp`);
  const fd = fs.openSync(temp, 'w', 0o644);
  try {
    for (const chunk of chunks instanceof Uint8Array ? [chunks] : chunks) {
      let written = 0;
      while (written < chunk.length) written += fs.writeSync(fd, chunk, written, chunk.length - written);
    }
    fs.fsyncSync(fd);
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(temp, { force: true });
    throw e;
  }
  fs.closeSync(fd);
  try {
    fs.renameSync(temp, target);
  } catch (e) {
    fs.rmSync(temp, { force: true });
    throw e;
  }
  syncDirectory(dir);
}

/** Makes a rename in `dir` durable (where the platform allows opening a directory). */
export function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Windows cannot fsync a directory; the rename is as durable as the platform makes it.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Whether a process with this id exists (a pid in a temporary's name: is its writer still at work?). */
export function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // alive, another user's
  }
}

/** Removes the temporaries of `name` that killed writers left in dir (never a live writer's). */
function removeDeadTemporaries(dir: string, name: string): void {
  let entries: string[];
  try {
    entries = fs.readdirSync(dir);
  } catch {
    return; // a missing directory fails at open, with its own error
  }
  const prefix = `.${name}.`;
  for (const entry of entries) {
    if (!entry.startsWith(prefix) || !entry.endsWith('.tmp')) continue;
    const pid = /^(\d+)\.\d+$/.exec(entry.slice(prefix.length, -4));
    if (pid && !processAlive(Number(pid[1]))) fs.rmSync(path.join(dir, entry), { force: true });
  }
}

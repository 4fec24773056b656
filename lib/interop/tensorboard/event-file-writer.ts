/**
 * An event file: `events.out.tfevents.<seconds>.<host>` in a log directory, holding TFRecords of
 * Event messages, the first of them the file version. Each event goes to the file in one write
 * as soon as it is added, so a process that dies leaves every event it added but possibly the
 * last (which readers then see as truncated and skip); flush() and close() fsync, so the events
 * also outlive a crash of the machine.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { syncDirectory } from '../../io/atomic';
import { type Event, FILE_VERSION, encodeEvent } from './proto';
import { frameRecord } from './record';

export interface EventFileWriterOptions {
  /** Appended to the file name (TensorFlow's filename_suffix). */
  filenameSuffix?: string;
  /** Seconds since the epoch, for the file name and the version record (default: now). */
  wallTime?: number;
}

/** The file name TensorFlow's EventsWriter gives: `events.out.tfevents.%010d.<host><suffix>`. */
export function eventFileName(seconds: number, host = os.hostname(), suffix = ''): string {
  return `events.out.tfevents.${String(Math.floor(seconds)).padStart(10, '0')}.${host}${suffix}`;
}

/** Opens `name` in `dir` for writing, never over an existing file (another writer's): adds .<pid>.<n>. */
function createExclusive(dir: string, name: string): { file: string; fd: number } {
  for (let n = 0; ; n++) {
    const file = path.join(dir, n === 0 ? name : `${name}.${process.pid}.${n}`);
    try {
      return { file, fd: fs.openSync(file, 'wx', 0o644) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || n >= 1000) throw error;
    }
  }
}

export class EventFileWriter {
  readonly file: string;
  #fd: number | null;

  constructor(readonly dir: string, options: EventFileWriterOptions = {}) {
    if (typeof dir !== 'string' || dir === '') throw new TypeError(`EventFileWriter: Expected a log directory path but received ${String(dir)}`);
    const suffix = options.filenameSuffix ?? '';
    if (typeof suffix !== 'string' || /[/\\]/.test(suffix)) throw new TypeError(`EventFileWriter: Expected a file-name suffix without slashes but received ${String(suffix)}`);
    const wallTime = options.wallTime ?? Date.now() / 1000;
    fs.mkdirSync(dir, { recursive: true });
    const { file, fd } = createExclusive(dir, eventFileName(wallTime, os.hostname(), suffix));
    this.file = file;
    this.#fd = fd;
    this.write({ wall_time: wallTime, step: 0, file_version: FILE_VERSION });
    // The new name must survive a crash too, or the fsynced events are in no file.
    fs.fsyncSync(fd);
    syncDirectory(path.dirname(file));
  }

  get closed(): boolean {
    return this.#fd === null;
  }

  /** Appends one event, framed as a TFRecord, in a single write. */
  write(event: Event): void {
    if (this.#fd === null) throw new Error(`EventFileWriter: ${this.file} is closed`);
    const record = frameRecord(encodeEvent(event));
    let written = 0;
    while (written < record.length) written += fs.writeSync(this.#fd, record, written, record.length - written);
  }

  /** Makes what was written durable (fsync). */
  flush(): void {
    if (this.#fd !== null) fs.fsyncSync(this.#fd);
  }

  /** Flushes and closes; closing again does nothing. */
  close(): void {
    if (this.#fd === null) return;
    const fd = this.#fd;
    this.#fd = null;
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }
}

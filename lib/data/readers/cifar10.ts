/**
 * CIFAR-10 (Krizhevsky 2009: 60 000 32×32 colour images of 10 classes) in its binary format:
 * a directory with data_batch_1.bin … data_batch_5.bin (training) and test_batch.bin, each a
 * run of records of one label byte (0–9) and 3 072 pixel bytes: the red, green and blue planes
 * of 32×32, row by row. Sizes and labels are checked before anything is read into the tensors.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Tensor } from '../../autograd/tensor';
import type { LabelledData } from '../datasets/digits';

export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];
export const CIFAR10_IMAGE: readonly [number, number, number] = [3, 32, 32];
const PIXELS = 3 * 32 * 32;
const RECORD = 1 + PIXELS;

export interface Cifar10Options {
  /** Pixels divided by 255, into [0, 1] (default true). */
  scale?: boolean;
  /** x as [N, 3072] instead of [N, 3, 32, 32] (default false). */
  flatten?: boolean;
}

/** The record count of one batch file, after checking its size. */
function records(bytes: Uint8Array, name: string): number {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`parseCifar10: Expected the file's bytes as a Uint8Array but received ${typeof bytes}`);
  if (bytes.length === 0 || bytes.length % RECORD !== 0) {
    throw new RangeError(`parseCifar10: Expected ${name} to hold whole records of ${RECORD} bytes (1 label, ${PIXELS} pixels) but it has ${bytes.length} bytes (${Math.floor(bytes.length / RECORD)} records and ${bytes.length % RECORD} bytes over)`);
  }
  return bytes.length / RECORD;
}

/** Decodes the batch files, in order, into one set of images and labels. */
function decode(files: { bytes: Uint8Array; name: string }[], options: Cifar10Options): LabelledData {
  const counts = files.map((f) => records(f.bytes, f.name));
  const count = counts.reduce((a, b) => a + b, 0);
  const factor = options.scale === false ? 1 : 1 / 255;
  const x = new Float32Array(count * PIXELS);
  const y = new Float32Array(count);
  let at = 0;
  files.forEach(({ bytes, name }, f) => {
    for (let i = 0; i < counts[f]!; i++, at++) {
      const label = bytes[i * RECORD]!;
      if (label > 9) throw new RangeError(`parseCifar10: Expected labels 0–9 in ${name} but record ${i} (byte ${i * RECORD}) has ${label}`);
      y[at] = label;
      const pixels = bytes.subarray(i * RECORD + 1, (i + 1) * RECORD);
      for (let p = 0; p < PIXELS; p++) x[at * PIXELS + p] = pixels[p]! * factor;
    }
  });
  const shape = options.flatten ? [count, PIXELS] : [count, ...CIFAR10_IMAGE];
  return { x: new Tensor(x, shape), y: new Tensor(y, [count]), classes: 10 };
}

/** One batch file's bytes as images [N, 3, 32, 32] and labels [N]. `name` is for the messages. */
export function parseCifar10(bytes: Uint8Array, name = 'CIFAR-10 batch', options: Cifar10Options = {}): LabelledData {
  return decode([{ bytes, name }], options);
}

/**
 * The training split (every data_batch_<k>.bin of k = 1 … 5 present, in order; at least one)
 * and the test split (test_batch.bin) of a CIFAR-10 binary directory, and the class names
 * (batches.meta.txt when present, else the standard ten).
 */
export function readCifar10(dir: string, options: Cifar10Options = {}): { train: LabelledData; test: LabelledData; classNames: string[] } {
  if (typeof dir !== 'string' || !fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new Error(`readCifar10: Expected a directory with CIFAR-10's binary files (data_batch_1.bin … test_batch.bin, from cifar-10-binary.tar.gz) but ${String(dir)} is not a directory`);
  }
  const read = (names: string[]) => decode(names.map((name) => ({ bytes: new Uint8Array(fs.readFileSync(path.join(dir, name))), name })), options);
  const batches = [1, 2, 3, 4, 5].map((k) => `data_batch_${k}.bin`).filter((f) => fs.existsSync(path.join(dir, f)));
  for (const needed of [batches[0] ?? 'data_batch_1.bin', 'test_batch.bin']) {
    if (!fs.existsSync(path.join(dir, needed))) {
      throw new Error(`readCifar10: ${path.join(dir, needed)} not found: expected CIFAR-10's binary version (data_batch_1.bin … data_batch_5.bin and test_batch.bin)`);
    }
  }
  const meta = path.join(dir, 'batches.meta.txt');
  const names = fs.existsSync(meta) ? fs.readFileSync(meta, 'utf8').split('\n').map((s) => s.trim()).filter(Boolean) : [];
  return {
    train: read(batches),
    test: read(['test_batch.bin']),
    classNames: names.length === 10 ? names : [...CIFAR10_CLASSES],
  };
}

/** Whether dir looks like a CIFAR-10 binary directory (for --data to tell it from IDX files). */
export function isCifar10Dir(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'test_batch.bin')) && fs.existsSync(path.join(dir, 'data_batch_1.bin'));
}

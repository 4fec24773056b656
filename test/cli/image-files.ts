// Image data sets the CLI tests write: MNIST-layout IDX directories and CIFAR-10 binary batches.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** An IDX file of unsigned bytes: magic 0x0000 08 <rank>, the dimensions big-endian, the data. */
export function idxBytes(dims: number[], bytes: Uint8Array): Uint8Array {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head.writeUInt32BE((0x08 << 8) | dims.length, 0);
  dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([head, Buffer.from(bytes)]);
}

/** A seeded linear congruential stream in [0, 1). */
function stream(seed: number): () => number {
  let state = seed >>> 0;
  return () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
}

/**
 * 28×28 grey images of 10 classes: class k is a bright 2-pixel bar, 14 pixels long, at row
 * 2 + round(2.4·k) and a random column, over noise of up to 60. A horizontal flip or a one-pixel
 * crop keeps the class; a dense layer on the flat pixels has to learn each column separately.
 */
export function writeBarImages(dir: string, train: number, test: number, seed = 12345): string {
  fs.mkdirSync(dir, { recursive: true });
  const rand = stream(seed);
  for (const [prefix, n] of [['train', train], ['t10k', test]] as const) {
    const pixels = new Uint8Array(n * 784);
    const labels = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const k = i % 10;
      labels[i] = k;
      const row = 2 + Math.round(2.4 * k);
      const left = Math.floor(rand() * 10);
      for (let p = 0; p < 784; p++) pixels[i * 784 + p] = Math.floor(rand() * 60);
      for (let r = row; r < row + 2; r++) for (let c = left; c < left + 14; c++) pixels[i * 784 + r * 28 + c] = 255;
    }
    fs.writeFileSync(path.join(dir, `${prefix}-images-idx3-ubyte`), idxBytes([n, 28, 28], pixels));
    fs.writeFileSync(path.join(dir, `${prefix}-labels-idx1-ubyte`), idxBytes([n], labels));
  }
  return dir;
}

/**
 * A CIFAR-10 binary directory: data_batch_1.bin and test_batch.bin of 32×32 colour images whose
 * class k lights up colour plane k % 3 in the band of rows 3k … 3k + 2, and batches.meta.txt.
 */
export function writeCifarBatches(dir: string, train: number, test: number, seed = 7): string {
  fs.mkdirSync(dir, { recursive: true });
  const rand = stream(seed);
  const batch = (n: number) => {
    const bytes = new Uint8Array(n * 3073);
    for (let i = 0; i < n; i++) {
      const k = i % 10;
      const record = bytes.subarray(i * 3073, (i + 1) * 3073);
      record[0] = k;
      for (let p = 1; p < 3073; p++) record[p] = Math.floor(rand() * 80);
      for (let y = 3 * k; y < 3 * k + 3; y++) for (let x = 0; x < 32; x++) record[1 + (k % 3) * 1024 + y * 32 + x] = 250;
    }
    return bytes;
  };
  fs.writeFileSync(path.join(dir, 'data_batch_1.bin'), batch(train));
  fs.writeFileSync(path.join(dir, 'test_batch.bin'), batch(test));
  fs.writeFileSync(path.join(dir, 'batches.meta.txt'), 'plane\ncar\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n');
  return dir;
}

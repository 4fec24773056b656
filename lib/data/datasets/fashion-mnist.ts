/**
 * Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017: 70 000 28×28 grey images of 10 kinds of
 * clothing) from the IDX files of Debian's dataset-fashion-mnist package.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Tensor } from '../../autograd/tensor';
import { readIdx } from '../readers/idx';
import type { LabelledData } from './digits';
import { formatShape } from '../../format-shape';

export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

export const FASHION_MNIST_CLASSES = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
];

function findFile(dir: string, stem: string): string {
  for (const name of [`${stem}.gz`, stem]) {
    const file = path.join(dir, name);
    if (fs.existsSync(file)) return file;
  }
  throw new Error(
    `fashionMnist: ${path.join(dir, `${stem}.gz`)} not found. Install the dataset with ` +
      '`apt-get install dataset-fashion-mnist` (Debian), or pass {dir} where the IDX files are.',
  );
}

function split(dir: string, prefix: 'train' | 't10k', scale: boolean): LabelledData {
  const images = readIdx(findFile(dir, `${prefix}-images-idx3-ubyte`));
  const labels = readIdx(findFile(dir, `${prefix}-labels-idx1-ubyte`));
  const [count, rows, cols] = images.shape;
  if (images.dtype !== 'uint8' || images.shape.length !== 3 || labels.dtype !== 'uint8' || labels.shape[0] !== count) {
    throw new RangeError(`fashionMnist: Expected uint8 images [N, 28, 28] and N uint8 labels but found ${images.dtype} ${formatShape(images.shape)} and ${labels.dtype} ${formatShape(labels.shape)}`);
  }
  const x = new Float32Array(images.data.length);
  const factor = scale ? 1 / 255 : 1;
  for (let i = 0; i < x.length; i++) x[i] = (images.data as Uint8Array)[i]! * factor;
  return {
    x: new Tensor(x, [count!, rows! * cols!]),
    y: new Tensor(Float32Array.from(labels.data as Uint8Array), [count!]),
    classes: 10,
  };
}

/** The train (60 000) and test (10 000) splits, images flattened to 784 values in [0, 1] by default. */
export function fashionMnist(options: { dir?: string; scale?: boolean } = {}): { train: LabelledData; test: LabelledData } {
  const dir = options.dir ?? FASHION_MNIST_DIR;
  const scale = options.scale ?? true;
  return { train: split(dir, 'train', scale), test: split(dir, 't10k', scale) };
}

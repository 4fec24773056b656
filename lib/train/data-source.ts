/**
 * The command's data: the shipped digits, Debian's Fashion-MNIST, or a directory of MNIST-layout
 * IDX files; split into train, validation and test the same way for the same seed.
 */
import { Tensor } from '../autograd/tensor';
import { shuffledIndices } from '../data/loader';
import { digits } from '../data/datasets/digits';
import { type LabelledData } from '../data/datasets/digits';
import { fashionMnist } from '../data/datasets/fashion-mnist';

export interface Splits {
  name: string;
  train: LabelledData;
  validation: LabelledData;
  test: LabelledData;
  inputs: number;
  classes: number;
}

function rows(data: LabelledData, indices: ArrayLike<number>): LabelledData {
  const width = data.x.size / Math.max(data.x.shape[0]!, 1);
  const x = new Float32Array(indices.length * width);
  const y = new Float32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const r = indices[i]!;
    x.set(data.x.data.subarray(r * width, (r + 1) * width), i * width);
    y[i] = data.y.data[r]!;
  }
  return { x: new Tensor(x, [indices.length, width]), y: new Tensor(y, [indices.length]), classes: data.classes };
}

/** Splits off the given fractions after one seeded shuffle (fixed seed: the same split every run). */
function split(data: LabelledData, fractions: number[], seed: number): LabelledData[] {
  const n = data.x.shape[0]!;
  const order = shuffledIndices(n, seed, 0);
  const out: LabelledData[] = [];
  let start = 0;
  for (const f of fractions) {
    const count = Math.round(f * n);
    out.push(rows(data, order.subarray(start, start + count)));
    start += count;
  }
  out.push(rows(data, order.subarray(start)));
  return out;
}

const SPLIT_SEED = 20_240_601;

export function loadData(name: string): Splits {
  if (name === 'digits') {
    // 1 797 images: 20% test, 10% validation, the rest for training.
    const [test, validation, train] = split(digits({ scale: true }), [0.2, 0.1], SPLIT_SEED) as [LabelledData, LabelledData, LabelledData];
    return { name, train, validation, test, inputs: 64, classes: 10 };
  }
  const { train: full, test } = fashionMnist(name === 'fashion-mnist' ? {} : { dir: name });
  // The last 5 000 training images (after a seeded shuffle) validate; the official test split tests.
  const fraction = Math.min(5000, Math.floor(full.x.shape[0]! / 10)) / full.x.shape[0]!;
  const [validation, train] = split(full, [fraction], SPLIT_SEED) as [LabelledData, LabelledData];
  return { name, train, validation, test, inputs: full.x.shape[1]!, classes: full.classes };
}

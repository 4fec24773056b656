/**
 * Random erasing (Zhong et al. 2017, torchvision's RandomErasing): with probability p, a
 * rectangle of random area (a fraction in `scale` of the image) and aspect ratio (log-uniform in
 * `ratio`) is set to `value` in every channel; up to 10 tries to find one that fits, else none.
 */
import { Tensor } from '../../autograd/tensor';
import type { BatchTransform } from './transform';
import { Draws, checkImages, pick } from './transform';

export interface RandomErasingOptions {
  p?: number;
  scale?: [number, number];
  ratio?: [number, number];
  value?: number;
}

const TAG = 0x45524153; // 'ERAS'
const ATTEMPTS = 10;

function range(name: string, value: unknown, positive: boolean): [number, number] {
  if (!Array.isArray(value) || value.length !== 2 || !value.every((v) => typeof v === 'number' && Number.isFinite(v) && (positive ? v > 0 : v >= 0)) || value[0] > value[1]) {
    throw new RangeError(`randomErasing: Expected ${name} as [low, high] with ${positive ? '0 <' : '0 ≤'} low ≤ high but received ${JSON.stringify(value)}`);
  }
  return value as [number, number];
}

export function randomErasing(options: RandomErasingOptions = {}): BatchTransform {
  const { p = 0.5, value = 0 } = options;
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new RangeError(`randomErasing: Expected p in [0, 1] but received ${String(p)}`);
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new RangeError(`randomErasing: Expected a finite value but received ${String(value)}`);
  const scale = range('scale', options.scale ?? [0.02, 0.33], false);
  const ratio = range('ratio', options.ratio ?? [0.3, 3.3], true);
  if (scale[1] > 1) throw new RangeError(`randomErasing: Expected scale within [0, 1] but received ${JSON.stringify(scale)}`);
  const logRatio = [Math.log(ratio[0]), Math.log(ratio[1])] as const;
  return (batch, context) => {
    const { n, c, h, w } = checkImages('randomErasing', batch.x);
    const draws = new Draws(context.seed, TAG, context.stream);
    const u = new Float64Array(4);
    const out = new Float32Array(batch.x.data);
    for (let i = 0; i < n; i++) {
      const example = context.indices[i]!;
      if (!(draws.block(example, context.epoch, 0, u)[0]! < p)) continue;
      for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
        draws.block(example, context.epoch, attempt, u);
        const area = h * w * (scale[0] + (scale[1] - scale[0]) * u[0]!);
        const aspect = Math.exp(logRatio[0] + (logRatio[1] - logRatio[0]) * u[1]!);
        const eh = Math.round(Math.sqrt(area * aspect));
        const ew = Math.round(Math.sqrt(area / aspect));
        if (!(eh < h && ew < w) || eh === 0 || ew === 0) continue;
        const top = pick(u[2]!, h - eh + 1);
        const left = pick(u[3]!, w - ew + 1);
        for (let ch = 0; ch < c; ch++) {
          for (let y = top; y < top + eh; y++) out.fill(value, ((i * c + ch) * h + y) * w + left, ((i * c + ch) * h + y) * w + left + ew);
        }
        break;
      }
    }
    return { x: new Tensor(out, batch.x.shape), y: batch.y };
  };
}

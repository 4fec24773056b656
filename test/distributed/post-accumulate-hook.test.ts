// The engine's post-accumulate hook that DistributedDataParallel's overlap rests on: it fires
// once per backward for each hooked leaf, after leaf.grad holds the pass's sum, and during the
// walk (the last layer's weight before the first layer's gradient exists); hooks change no bit.
import { describe, expect, it } from 'vitest';
import { manualSeed, nn, tensor } from '../../lib';
import { registerPostAccumulateGradHook } from '../../lib/autograd/backward';

function model() {
  manualSeed(3);
  return new nn.Sequential(new nn.Linear(5, 4), new nn.Tanh(), new nn.Linear(4, 3));
}
const x = tensor(Array.from({ length: 6 }, (_, i) => Array.from({ length: 5 }, (_, j) => Math.sin(i * 5 + j))));
const lossOf = (m: nn.Sequential) => m.call(x).mul(m.call(x)).sum(); // each layer used twice

describe('registerPostAccumulateGradHook', () => {
  it('fires once per pass after the leaf\'s grad is complete, before earlier layers\' gradients exist', () => {
    const plain = model();
    lossOf(plain).backward();
    const hooked = model();
    const first = hooked[0] as nn.Linear;
    const last = hooked[2] as nn.Linear;
    const seen: { firstGradAtThatMoment: boolean; grad: number[] }[] = [];
    const remove = registerPostAccumulateGradHook(last.weight, (leaf) => {
      seen.push({ firstGradAtThatMoment: first.weight.grad !== null, grad: Array.from(leaf.grad!.data) });
    });
    lossOf(hooked).backward();
    expect(seen).toHaveLength(1);
    expect(seen[0]!.firstGradAtThatMoment).toBe(false);
    expect(seen[0]!.grad).toEqual(Array.from((plain[2] as nn.Linear).weight.grad!.data));
    // Every gradient the same bits as without hooks.
    hooked.parameters().forEach((p, i) => expect(Array.from(p.grad!.data)).toEqual(Array.from(plain.parameters()[i]!.grad!.data)));
    // A second pass accumulates, and the hook sees the sum.
    lossOf(hooked).backward();
    expect(seen).toHaveLength(2);
    expect(seen[1]!.grad).toEqual(seen[0]!.grad.map((g) => Math.fround(g + g)));
    remove();
    lossOf(hooked).backward();
    expect(seen).toHaveLength(2);
  });

  it('takes only leaves and functions', () => {
    const m = model();
    expect(() => registerPostAccumulateGradHook(m.call(x), () => {})).toThrow(/Expected a leaf tensor/);
    expect(() => registerPostAccumulateGradHook((m[0] as nn.Linear).weight, 1 as never)).toThrow(/Expected a function/);
  });
});

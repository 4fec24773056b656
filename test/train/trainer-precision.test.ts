// Trainer precision 'bf16': each step's forward runs under amp.autocast('bfloat16'), so its
// gradients are the ones autocast gives by hand (bit for bit), not the float32 ones; evaluation
// too; parameters stay float32; a bad precision is refused.
import { describe, expect, it } from 'vitest';
import { type Tensor, Trainer, amp, manualSeed, nn, optim, randn, tensor } from '../../lib';

const loss = (o: Tensor, t: Tensor) => nn.functional.crossEntropy(o, t);

function setup() {
  manualSeed(1);
  const model = new nn.Sequential(new nn.Linear(20, 16, { activation: 'relu' }), new nn.Linear(16, 5));
  const x = randn([32, 20]);
  const y = tensor(Float32Array.from({ length: 32 }, (_, i) => i % 5), [32]);
  return { model, x, y };
}

function gradients(model: nn.Module): Float32Array[] {
  return model.parameters().map((p) => Float32Array.from(p.grad!.data));
}

describe('Trainer precision', () => {
  it("bf16: a step's gradients are autocast's, and differ from float32's", async () => {
    const manual = setup();
    amp.autocast('bfloat16', () => loss(manual.model.forward(manual.x), manual.y)).backward();
    const expected = gradients(manual.model);
    const plain = setup();
    loss(plain.model.forward(plain.x), plain.y).backward();
    const float32 = gradients(plain.model);

    const run = setup();
    // lr 0: the step leaves the weights as they were, the gradients stay readable after it.
    const trainer = new Trainer({ model: run.model, loss, optimizer: new optim.SGD(run.model.parameters(), { lr: 0 }), precision: 'bf16', flatParameters: false });
    expect(trainer.precision).toBe('bf16');
    const step = await trainer.trainStep({ x: run.x, y: run.y });
    expect(amp.isAutocastEnabled()).toBe(false);
    const got = gradients(run.model);
    got.forEach((g, i) => {
      expect(Array.from(g), `parameter ${i}`).toEqual(Array.from(expected[i]!));
      expect(g.every((v, j) => v === float32[i]![j]), `parameter ${i} is not the float32 gradient`).toBe(false);
      expect(run.model.parameters()[i]!.dtype).toBe('float32');
    });
    expect(step.loss).toBeCloseTo(loss(plain.model.forward(plain.x), plain.y).item(), 2);

    const evaluation = await trainer.evaluate([{ x: run.x, y: run.y }]);
    const byHand = amp.autocast('bfloat16', () => loss(run.model.forward(run.x), run.y).item());
    expect(evaluation.loss).toBe(byHand);
  });

  it("fp32 is the default and autocasts nothing; another precision is refused", async () => {
    const run = setup();
    const trainer = new Trainer({ model: run.model, loss, optimizer: new optim.SGD(run.model.parameters(), { lr: 0 }), flatParameters: false });
    expect(trainer.precision).toBe('fp32');
    await trainer.trainStep({ x: run.x, y: run.y });
    const plain = setup();
    loss(plain.model.forward(plain.x), plain.y).backward();
    gradients(run.model).forEach((g, i) => expect(Array.from(g)).toEqual(Array.from(gradients(plain.model)[i]!)));
    expect(() => new Trainer({ model: run.model, loss, optimizer: new optim.SGD(run.model.parameters(), { lr: 0 }), precision: 'fp16' as never }))
      .toThrow('Trainer: Expected "fp32" or "bf16" for precision but received "fp16"');
  });
});

// User-defined ops (autograd.Function): forward and backward written by hand, checked against
// centered differences (float64) and against the built-in ops (float32 on every backend),
// inside a module with an optimizer, with several outputs, and refusing wrong gradients clearly.
import { describe, expect, it } from 'vitest';
import {
  Tensor, autograd, graphOf, manualSeed, matmul, mul, nn, noGrad, optim, randn, sum, tensor, toDot, zeros,
} from '../../lib';
import { backendNames, useBackend } from './backends';

type Ctx = autograd.FunctionContext;

/** x·W ᵀ + b by hand: the notes' affine layer, its gradients the three matrix products. */
class Affine extends autograd.Function {
  static override forward(ctx: Ctx, x: Tensor, weight: Tensor, bias: Tensor): Tensor {
    ctx.saveForBackward(x, weight);
    return matmul(x, weight.transpose()).add(bias);
  }

  static override backward(ctx: Ctx, grad: Tensor): (Tensor | null)[] {
    const [x, weight] = ctx.savedTensors as [Tensor, Tensor];
    return [
      ctx.needsInputGrad[0] ? matmul(grad, weight) : null,
      ctx.needsInputGrad[1] ? matmul(grad.transpose(), x) : null,
      ctx.needsInputGrad[2] ? sum(grad, 0) : null,
    ];
  }
}

/** Leaky step with a number argument kept on ctx, and an attribute on the tape. */
class Leaky extends autograd.Function {
  static override forward(ctx: Ctx & { slope?: number }, x: Tensor, slope: number): Tensor {
    ctx.saveForBackward(x);
    ctx.slope = slope;
    ctx.setAttributes({ slope });
    const out = x.data.map((v) => (v > 0 ? v : slope * v));
    return new Tensor(out, x.shape);
  }

  static override backward(ctx: Ctx & { slope: number }, grad: Tensor): [Tensor, null] {
    const [x] = ctx.savedTensors as [Tensor];
    const g = grad.data.map((d, i) => (x.data[i]! > 0 ? d : ctx.slope * d));
    return [new Tensor(g, x.shape), null];
  }
}

/** Two outputs: each row's norm and the row divided by it; the argmax of each row, not differentiable. */
class Normalize extends autograd.Function {
  static override forward(ctx: Ctx, x: Tensor): Tensor[] {
    const norms = x.mul(x).sum(1, true).sqrt();
    const unit = x.div(norms);
    const argmax = new Tensor(Float64Array.from(x.argmax(1)), [x.shape[0]!]);
    ctx.saveForBackward(unit, norms);
    ctx.markNonDifferentiable(argmax);
    return [unit, norms, argmax];
  }

  static override backward(ctx: Ctx, gradUnit: Tensor, gradNorm: Tensor, gradArgmax: Tensor): Tensor {
    const [unit, norms] = ctx.savedTensors as [Tensor, Tensor];
    expect(gradArgmax.data.every((v) => v === 0)).toBe(true); // zeros for the non-differentiable output
    // ∂unit: (g − u·(u·g))/n; ∂norm: g_n·u.
    const along = gradUnit.mul(unit).sum(1, true);
    return gradUnit.sub(unit.mul(along)).div(norms).add(unit.mul(gradNorm));
  }
}

const f64 = { dtype: 'float64' as const, requiresGrad: true };

describe('autograd.Function', () => {
  it('passes gradcheck (float64) for a hand-written affine layer, each input alone and all at once', () => {
    manualSeed(1);
    const [x, w, b] = [randn([4, 3], f64), randn([5, 3], f64), randn([5], f64)];
    const all = autograd.gradcheck((x, w, b) => Affine.apply(x!, w!, b!), [x, w, b]);
    expect(all.ok, all.message).toBe(true);
    expect(all.checked).toBe(12 + 15 + 5);
    const onlyW = autograd.gradcheck((x, w, b) => Affine.apply(x!, w!, b!), [x.detach(), w, b.detach()]);
    expect(onlyW.ok, onlyW.message).toBe(true);
    expect(onlyW.checked).toBe(15);
  });

  it('tells backward which arguments need a gradient, numbers never', () => {
    let seen: readonly boolean[] = [];
    class Spy extends autograd.Function {
      static override forward(ctx: Ctx, a: Tensor, _k: number, b: Tensor): Tensor {
        seen = ctx.needsInputGrad;
        return a.add(b);
      }
      static override backward(_ctx: Ctx, grad: Tensor): (Tensor | null)[] {
        return [grad, null, grad];
      }
    }
    const a = tensor([1, 2], undefined, { requiresGrad: true });
    const y = Spy.apply(a, 3, tensor([5, 5]));
    expect(seen).toEqual([true, false, false]);
    expect(y.requiresGrad).toBe(true);
    Spy.apply(tensor([1]), 3, tensor([1]));
    expect(seen).toEqual([false, false, false]);
    noGrad(() => Spy.apply(a, 3, a));
    expect(seen).toEqual([false, false, false]); // nothing is recorded under noGrad
  });

  it('keeps non-tensor values on ctx and records its class name and attributes on the tape', () => {
    const x = tensor([[-2, 1], [3, -0.5]], undefined, { requiresGrad: true });
    const y = Leaky.apply(x, 0.1);
    // @ts-expect-error apply takes forward's arguments: the slope is missing
    expect(() => Leaky.apply(x)).toThrow();
    expect(Array.from(y.data)).toEqual(Array.from(Float32Array.of(-0.2, 1, 3, -0.05)));
    expect(y.node!.op).toBe('Leaky');
    expect(y.node!.attributes).toEqual({ slope: 0.1 });
    expect(Object.isFrozen(y.node!.attributes)).toBe(true);
    expect(toDot(y)).toContain('[label="Leaky\\n[2, 2]\\nslope=0.1", shape=box]');
    sum(y).backward();
    expect(Array.from(x.grad!.data)).toEqual(Array.from(Float32Array.of(0.1, 1, 1, 0.1)));
    const check = autograd.gradcheck((t) => Leaky.apply(t!, 0.3), [tensor([[-2, 1], [3, -0.5]], undefined, f64)]);
    expect(check.ok, check.message).toBe(true);
  });

  it('has several outputs sharing one node, with a non-differentiable one and zeros for unused outputs', () => {
    manualSeed(2);
    const x = randn([3, 4], f64);
    const [unit, norms, argmax] = Normalize.apply(x) as [Tensor, Tensor, Tensor];
    expect(unit.node).toBe(norms.node);
    expect([unit.outputIndex, norms.outputIndex]).toEqual([0, 1]);
    expect(argmax.requiresGrad).toBe(false);
    expect(argmax.node).toBeNull();
    expect(graphOf(sum(mul(unit, norms))).nodes.map((n) => n.node.op)).toEqual(['Normalize', 'mul', 'sum']);
    // Both outputs, one, and the other: each must match centered differences.
    const cases: ((t: Tensor) => Tensor)[] = [
      (t) => { const [u, n] = Normalize.apply(t) as Tensor[]; return sum(mul(u!, n!.mul(2))).add(sum(u!.mul(u!.exp()))); },
      (t) => (Normalize.apply(t) as Tensor[])[0]!,
      (t) => (Normalize.apply(t) as Tensor[])[1]!,
    ];
    for (const fn of cases) {
      const result = autograd.gradcheck((t) => fn(t!), [x]);
      expect(result.ok, result.message).toBe(true);
    }
  });

  it('is not corrupted when backward hands back a saved tensor for a tensor used twice', () => {
    class Identity extends autograd.Function {
      static override forward(ctx: Ctx, x: Tensor): Tensor {
        ctx.saveForBackward(tensor([1, 1]));
        return x.mul(1);
      }
      static override backward(ctx: Ctx): Tensor {
        return ctx.savedTensors[0]!; // a tensor the function still holds: the engine must copy it
      }
    }
    const x = tensor([2, 3], undefined, { requiresGrad: true });
    const y = Identity.apply(x);
    sum(y.add(y)).backward();
    expect(Array.from(x.grad!.data)).toEqual([1, 1]); // the saved ones, whatever the upstream gradient
    sum(y.add(y)).backward();
    expect(Array.from(x.grad!.data)).toEqual([2, 2]);
  });

  it('calls hooks on its outputs and returns plain tensors when nothing requires a gradient', () => {
    const x = tensor([[1, -1]], undefined, { requiresGrad: true });
    const y = Leaky.apply(x, 0.5);
    const seen: number[][] = [];
    y.registerHook((g) => seen.push(Array.from(g.data)));
    sum(y.mul(3)).backward();
    expect(seen).toEqual([[3, 3]]);
    const plain = Leaky.apply(tensor([1, 2]), 0.5);
    expect(plain.node).toBeNull();
    expect(plain.requiresGrad).toBe(false);
  });

  it('refuses a wrong number, shape, dtype or kind of gradient, naming the op and the argument', () => {
    const make = (grads: (x: Tensor, grad: Tensor) => unknown) => {
      class Wrong extends autograd.Function {
        static override forward(_ctx: Ctx, x: Tensor, _k: number): Tensor {
          return x.mul(2);
        }
        static override backward(ctx: Ctx, grad: Tensor): autograd.InputGradients {
          return grads(ctx.savedTensors[0] ?? grad, grad) as autograd.InputGradients;
        }
      }
      const x = zeros([2, 3], { requiresGrad: true });
      return () => sum(Wrong.apply(x, 1)).backward();
    };
    expect(make((_x, g) => [g])).toThrow('Wrong.backward: Expected 2 gradients (one per forward argument, null where there is none) but received 1');
    expect(make((_x, g) => g)).toThrow(/Expected 2 gradients .* but received 1/);
    expect(make(() => [zeros([3, 2]), null])).toThrow('Wrong.backward: Expected the gradient of argument 0 to have its shape [2, 3] but received [3, 2]');
    expect(make(() => [zeros([2, 3], { dtype: 'float64' }), null])).toThrow('Wrong.backward: Expected the gradient of argument 0 in float32 (its dtype) but received float64');
    expect(make((_x, g) => [g, g])).toThrow('Wrong.backward: Expected null for argument 1 (number 1, not a tensor) but received a Tensor of shape [2, 3]');
    expect(make(() => [[1, 2, 3], null])).toThrow('Wrong.backward: Expected a Tensor or null for the gradient of argument 0 but received an array');
  });

  it('refuses a forward that returns no tensor, a class without forward/backward, and saving after forward', () => {
    class NoTensor extends autograd.Function {
      static override forward(): Tensor {
        return 3 as unknown as Tensor;
      }
      static override backward(): null {
        return null;
      }
    }
    expect(() => NoTensor.apply()).toThrow('NoTensor.forward: Expected a Tensor or a non-empty array of Tensors but received number 3');
    class Half extends autograd.Function {
      static override forward(_ctx: Ctx, x: Tensor): Tensor {
        return x;
      }
    }
    expect(() => Half.apply(zeros([1]))).toThrow(/Half: Expected a subclass of autograd.Function with both a static forward.*and a static backward/);
    class SavesLate extends autograd.Function {
      static override forward(ctx: Ctx, x: Tensor): Tensor {
        ctx.saveForBackward(3 as unknown as Tensor);
        return x;
      }
      static override backward(_ctx: Ctx, g: Tensor): Tensor {
        return g;
      }
    }
    expect(() => SavesLate.apply(zeros([1]))).toThrow('SavesLate: saveForBackward: Expected Tensors but argument 0 is number 3 (keep other values as properties of ctx)');
    class SavesInBackward extends autograd.Function {
      static override forward(_ctx: Ctx, x: Tensor): Tensor {
        return x.mul(1);
      }
      static override backward(ctx: Ctx, g: Tensor): Tensor {
        ctx.saveForBackward(g);
        return g;
      }
    }
    expect(() => sum(SavesInBackward.apply(zeros([1], { requiresGrad: true }))).backward()).toThrow('SavesInBackward: saveForBackward is for forward; backward reads what forward kept');
    class BadAttribute extends autograd.Function {
      static override forward(ctx: Ctx, x: Tensor): Tensor {
        ctx.setAttributes({ weights: x as unknown as number });
        return x;
      }
      static override backward(_ctx: Ctx, g: Tensor): Tensor {
        return g;
      }
    }
    expect(() => BadAttribute.apply(zeros([1]))).toThrow(/BadAttribute: setAttributes: Expected a number, string, boolean, null or an array of numbers for weights but received a Tensor/);
  });
});

describe.each(backendNames())('autograd.Function in float32 on %s', (name) => {
  useBackend(name);

  it('gives the built-in linear op\'s values and gradients', () => {
    manualSeed(3);
    const x = randn([6, 4], { requiresGrad: true });
    const w = randn([3, 4], { requiresGrad: true });
    const b = randn([3], { requiresGrad: true });
    sum(Affine.apply(x, w, b).tanh()).backward();
    const mine = [x, w, b].map((t) => Float32Array.from(t.grad!.data));
    const out = Affine.apply(x, w, b);
    for (const t of [x, w, b]) t.grad = null;
    const builtIn = nn.functional.linear(x, w, b);
    sum(builtIn.tanh()).backward();
    out.data.forEach((v, i) => expect(v).toBeCloseTo(builtIn.data[i]!, 5));
    [x, w, b].forEach((t, i) => {
      t.grad!.data.forEach((g, k) => expect(mine[i]![k]).toBeCloseTo(g, 5));
    });
    const directional = autograd.directionalGradcheck((x, w, b) => Affine.apply(x!, w!, b!), [x, w, b]);
    expect(directional.ok, directional.message).toBe(true);
  });

  it('trains inside a module: SGD steps on its parameters lower the loss as the built-in layer does', () => {
    class HandLinear extends nn.Module {
      weight: nn.Parameter;
      bias: nn.Parameter;
      constructor(inFeatures: number, outFeatures: number) {
        super();
        this.weight = new nn.Parameter(randn([outFeatures, inFeatures], { std: 0.3 }));
        this.bias = new nn.Parameter(zeros([outFeatures]));
      }
      forward(x: Tensor): Tensor {
        return Affine.apply(x, this.weight, this.bias);
      }
    }
    manualSeed(4);
    const mine = new HandLinear(5, 3);
    const reference = new nn.Linear(5, 3);
    reference.weight.data.set(mine.weight.data);
    reference.bias!.data.set(mine.bias.data);
    expect(mine.parameters()).toHaveLength(2);
    const x = randn([16, 5]);
    const y = Int32Array.from({ length: 16 }, (_, i) => i % 3);
    const losses = [mine, reference].map((model) => {
      const opt = new optim.SGD(model.parameters(), { lr: 0.5 });
      const trace: number[] = [];
      for (let step = 0; step < 20; step++) {
        opt.zeroGrad();
        const loss = nn.functional.crossEntropy(model.call(x), y);
        loss.backward();
        opt.step();
        trace.push(loss.item());
      }
      return trace;
    });
    expect(losses[0]![19]).toBeLessThan(losses[0]![0]! * 0.8);
    losses[0]!.forEach((l, i) => expect(l).toBeCloseTo(losses[1]![i]!, 4));
  });
});

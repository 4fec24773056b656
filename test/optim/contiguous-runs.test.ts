// Parameters in one ParameterArena are updated by one kernel call per run of back-to-back
// parameters, with the same bits as one call per parameter: every built-in rule and setting of
// the trajectory cases, on every backend and SIMD path (the AVX2 loops round a parameter's last
// size mod 8 values differently, so a run only continues past a size that is a multiple of 16).
// Packed state from a state dict, a parameter without a gradient, one skipped on an earlier step
// and a momentum buffer switched on later all keep the bits.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Tensor, getBackend, manualSeed, nn, optim, randn, setBackend } from '../../lib';
import type { Backend } from '../../lib';
import { backendsUnderTest, selectSimd } from '../backend/backends';
import { CASES } from './cases';

// Runs: [48, 37] (48 is a multiple of 16), then [16, 10]; the 37 ends the first run.
const SIZES = [[4, 12], [37], [16], [2, 5]] as const;

function params(seed: number): nn.Parameter[] {
  manualSeed(seed);
  return SIZES.map((shape) => new nn.Parameter(randn([...shape])));
}

/** The same gradients, step by step, for both copies. */
function gradients(step: number): Float32Array[] {
  manualSeed(1000 + step);
  return SIZES.map((shape) => randn([...shape]).data as Float32Array);
}

function setGrads(ps: nn.Parameter[], grads: Float32Array[], skip = -1): void {
  ps.forEach((p, i) => {
    if (i === skip) p.grad = null;
    else if (p.grad && p.grad.size === p.size) p.grad.data.set(grads[i]!);
    else p.grad = new Tensor(grads[i]!.slice(), p.shape);
  });
}

/** Arena gradients as the Trainer leaves them: .grad a view of the arena's grad array. */
function setArenaGrads(arena: nn.ParameterArena, grads: Float32Array[], skip = -1): void {
  arena.parameters.forEach((p, i) => (p.grad = i === skip ? null : new Tensor(grads[i]!.slice(), p.shape)));
  arena.gatherGradients();
}

function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

function expectSameRun(fused: { params: nn.Parameter[]; opt: optim.Optimizer }, alone: { params: nn.Parameter[]; opt: optim.Optimizer }): void {
  fused.params.forEach((p, i) => expect(firstDifference(p.data, alone.params[i]!.data), `parameter ${i}: first differing value`).toBe(-1));
  const [a, b] = [fused.opt.stateDict(), alone.opt.stateDict()];
  expect(Object.keys(a.state)).toEqual(Object.keys(b.state));
  for (const [index, state] of Object.entries(a.state)) {
    for (const [key, value] of Object.entries(state)) {
      const other = b.state[Number(index)]![key]!;
      if (typeof value === 'number') expect(value, `${key} of parameter ${index}`).toBe(other);
      else expect(firstDifference(value, other as Float32Array), `${key} of parameter ${index}`).toBe(-1);
    }
  }
}

/** The backend with a count of the update kernel calls. */
function counting(inner: Backend): { backend: Backend; calls: () => number } {
  let calls = 0;
  const wrapped = { ...inner } as Record<string, unknown>;
  for (const name of ['sgdStep', 'adagradStep', 'rmspropStep', 'adadeltaStep', 'adamStep', 'adamwStep', 'adamaxStep', 'nadamStep']) {
    const kernel = (inner as unknown as Record<string, (...a: unknown[]) => void>)[name]!;
    wrapped[name] = (...a: unknown[]) => {
      calls++;
      return kernel.apply(inner, a);
    };
  }
  return { backend: wrapped as unknown as Backend, calls: () => calls };
}

describe.each(backendsUnderTest())('optimizer runs over a parameter arena ($label)', (entry) => {
  let previous: Backend;
  beforeAll(() => {
    previous = getBackend();
    selectSimd(entry);
    setBackend(entry.backend());
  });
  afterAll(() => setBackend(previous));

  it.each(CASES.map((c) => [c.label, c] as const))('%s: the same bits as one call per parameter, in two calls for four parameters', (_, c) => {
    const fusedParams = params(7);
    const arena = new nn.ParameterArena(fusedParams);
    const fused = { params: fusedParams, opt: c.make(fusedParams) };
    const aloneParams = params(7);
    const alone = { params: aloneParams, opt: c.make(aloneParams) };
    const inner = getBackend();
    const count = counting(inner);
    for (let step = 0; step < 6; step++) {
      const grads = gradients(step);
      setArenaGrads(arena, grads);
      setGrads(alone.params, grads);
      setBackend(count.backend);
      const before = count.calls();
      try {
        fused.opt.step();
      } finally {
        setBackend(inner);
      }
      expect(count.calls() - before, 'kernel calls of the fused step').toBe(2);
      alone.opt.step();
    }
    expectSameRun(fused, alone);
  });

  it('state loaded from a state dict is packed once and the run goes on with the same bits', () => {
    const make = (p: Tensor[]) => new optim.Adam(p, { lr: 0.05, amsgrad: true });
    const alone = { params: params(3), opt: null as unknown as optim.Optimizer };
    alone.opt = make(alone.params);
    for (let step = 0; step < 3; step++) {
      setGrads(alone.params, gradients(step));
      alone.opt.step();
    }
    const fusedParams = params(3);
    fusedParams.forEach((p, i) => p.data.set(alone.params[i]!.data));
    const arena = new nn.ParameterArena(fusedParams);
    const fused = { params: fusedParams, opt: make(fusedParams) };
    fused.opt.loadStateDict(alone.opt.stateDict() as never);
    for (let step = 3; step < 7; step++) {
      setArenaGrads(arena, gradients(step));
      setGrads(alone.params, gradients(step));
      fused.opt.step();
      alone.opt.step();
    }
    expectSameRun(fused, alone);
    // The first run's moments now lie back to back: views of one array.
    const state = fused.opt.state;
    const [m0, m1] = [state.get(fusedParams[0]!)!['expAvg'] as Float32Array, state.get(fusedParams[1]!)!['expAvg'] as Float32Array];
    expect(m0.buffer).toBe(m1.buffer);
    expect(m0.byteOffset + m0.byteLength).toBe(m1.byteOffset);
  });

  it.each([
    ['SGD', (p: Tensor[]) => new optim.SGD(p, { lr: 0.1 })],
    ['Adam', (p: Tensor[]) => new optim.Adam(p, { lr: 0.05 })],
  ] as const)('%s: a parameter without a gradient is skipped, one skipped before runs alone, a buffer switched on later is split', (_, make) => {
    const fusedParams = params(11);
    const arena = new nn.ParameterArena(fusedParams);
    const fused = { params: fusedParams, opt: make(fusedParams) as optim.Optimizer };
    const aloneParams = params(11);
    const alone = { params: aloneParams, opt: make(aloneParams) as optim.Optimizer };
    const both = (step: number, skip = -1) => {
      setArenaGrads(arena, gradients(step), skip);
      setGrads(alone.params, gradients(step), skip);
      fused.opt.step();
      alone.opt.step();
    };
    both(0);
    both(1, 1); // parameter 1 has no gradient this step (Adam: its step count falls behind)
    for (const opt of [fused.opt, alone.opt]) {
      const group = opt.paramGroups[0] as unknown as Record<string, unknown>;
      if ('momentum' in group) group['momentum'] = 0.9;
      else group['amsgrad'] = true;
    }
    both(2);
    both(3, 0);
    expect(arena.grad.subarray(0, 48).every((v) => v === 0), 'the slot of a parameter without a gradient is zero').toBe(true);
    both(4);
    expectSameRun(fused, alone);
  });
});

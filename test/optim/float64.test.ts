// float64 parameters (gradcheck's dtype) update in double on the float64 reference kernels,
// whatever backend is selected: their trajectories match the float64 textbook to ~1e-15, their
// state is float64, and they mix with float32 parameters in one optimizer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { add, getBackend, optim, referenceBackend, setBackend } from '../../lib';
import type { Backend } from '../../lib';
import { expectClose } from '../backend/expect-close';
import { CASES } from './cases';
import { THETA0, gradient as gradientOf, loss, optimizerTrajectory, parameter, textbookTrajectory } from './problem';
import * as textbook from './textbook';

const F64 = (expected: ArrayLike<number>) => Array.from(expected, (x) => 1e-12 * Math.max(1, Math.abs(x)));

describe('float64 parameters, whatever backend is selected', () => {
  // The selected backend refuses every optimizer kernel: float64 parameters must not reach it.
  let previous: Backend;
  beforeAll(() => {
    previous = getBackend();
    const refusing = { ...referenceBackend } as Record<string, unknown>;
    for (const name of ['sgdStep', 'adagradStep', 'rmspropStep', 'adadeltaStep', 'adamStep', 'adamwStep', 'adamaxStep', 'nadamStep']) {
      refusing[name] = () => {
        throw new Error(`${name} of the selected backend was called for a float64 parameter`);
      };
    }
    setBackend(refusing as unknown as Backend);
  });
  afterAll(() => {
    setBackend(previous);
  });

  it.each(CASES)('$label: follows the textbook for 60 steps in double, with float64 state', (c) => {
    const theta = parameter(THETA0, 'float64');
    const opt = c.make([theta]);
    const actual = optimizerTrajectory(opt, theta, 60);
    const expected = textbookTrajectory(c.oracle(), 60);
    actual.forEach((p, t) => expectClose(p, expected[t]!, F64(expected[t]!), `step ${t + 1}`));
    for (const value of Object.values(opt.state.get(theta)!)) {
      if (typeof value !== 'number') expect(value).toBeInstanceOf(Float64Array);
    }
  });
});

describe('float64 and float32 parameters together', () => {
  it('mix in one optimizer, each updated in its own precision', () => {
    const single = parameter(THETA0);
    const double = parameter(THETA0, 'float64');
    const opt = new optim.RMSprop([single, double], { lr: 0.01, centered: true, momentum: 0.5 });
    const p = Float64Array.from(THETA0);
    const q = Float64Array.from(THETA0);
    const oracleP = textbook.rmsprop({ lr: 0.01, centered: true, momentum: 0.5 });
    const oracleQ = textbook.rmsprop({ lr: 0.01, centered: true, momentum: 0.5 });
    for (let t = 1; t <= 40; t++) {
      opt.zeroGrad();
      loss(single).backward();
      loss(double).backward();
      opt.step();
      oracleP(p, gradientOf(p));
      oracleQ(q, gradientOf(q));
      expectClose(single.data, p, p.map((x) => 4e-6 * Math.max(1, Math.abs(x))), `float32, step ${t}`);
      expectClose(double.data, q, F64(q), `float64, step ${t}`);
    }
    expect(single.data).toBeInstanceOf(Float32Array);
    expect(double.data).toBeInstanceOf(Float64Array);
  });

  it('float32 state loads into float64 parameters by converting it (as PyTorch casts state to the parameter\'s dtype)', () => {
    const single = parameter(THETA0);
    const first = new optim.Adam([single], { lr: 0.05 });
    optimizerTrajectory(first, single, 20);
    const double = parameter(Array.from(single.data), 'float64');
    const second = new optim.Adam([double]);
    second.loadStateDict(first.stateDict());
    const state = second.state.get(double)!;
    expect(state['expAvg']).toBeInstanceOf(Float64Array);
    expect(Array.from(state['expAvg'] as Float64Array)).toEqual(Array.from(first.state.get(single)!['expAvg'] as Float32Array));
    const a = optimizerTrajectory(first, single, 20);
    const b = optimizerTrajectory(second, double, 20);
    b.forEach((p, t) => expectClose(p, a[t]!, a[t]!.map((x) => 4e-6 * Math.max(1, Math.abs(x))), `step ${21 + t}`));
    expect(() => add(loss(single), loss(double))).toThrow(/one dtype/);
  });
});

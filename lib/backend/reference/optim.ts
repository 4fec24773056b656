/**
 * Reference optimizer updates: PyTorch's formulas per element in double, each stored value
 * (param and state) rounded once to float32.
 */
import type { OptimKernels } from '../contract/optim';
import { checkCount, checkDisjoint, checkLength, describe, f32, finiteDouble, flag, index } from '../validate';

/** A finite number in [low, high) (or [low, high] when `closed`), as PyTorch's checks. */
function inRange(fn: string, name: string, value: unknown, low: number, high = Infinity, closed = false): number {
  const v = finiteDouble(fn, name, value);
  if (v < low || (closed ? v > high : v >= high)) {
    const interval = high === Infinity ? `>= ${low}` : `in [${low}, ${high}${closed ? ']' : ')'}`;
    throw new RangeError(`${fn}: Expected a number ${interval} for ${name} but received ${v}`);
  }
  return v;
}

/** The step number: an integer from 1. */
function step(fn: string, value: unknown): number {
  const t = index(fn, 'step', value);
  if (t < 1) throw new RangeError(`${fn}: Expected a step number of at least 1 for step but received ${t}`);
  return t;
}

/**
 * param, grad and the states, each checked: param sets the length; a state that `unused` names
 * (with the reason: "momentum is 0") must be empty. All pairwise disjoint.
 */
function checkArrays(
  fn: string, args: IArguments, names: string[], unused: Record<string, string | false> = {},
): Float32Array[] {
  const arrays = names.map((name, i) => f32(fn, name, args[i]));
  const length = arrays[0]!.length;
  arrays.forEach((array, i) => {
    const name = names[i]!;
    const reason = unused[name];
    if (reason && array.length !== 0) {
      throw new RangeError(`${fn}: Expected an empty Float32Array for ${name} (unused when ${reason}) but received ${describe(array)}`);
    }
    if (i > 0 && !reason) checkLength(fn, name, array, length, 'param.length');
  });
  for (let i = 0; i < arrays.length; i++) {
    for (let j = 0; j < i; j++) checkDisjoint(fn, names[i]!, arrays[i]!, names[j]!, arrays[j]!);
  }
  return arrays;
}

function biasCorrections(on: boolean, beta1: number, beta2: number, t: number): [number, number] {
  return on ? [1 - beta1 ** t, 1 - beta2 ** t] : [1, 1];
}

/** max that propagates NaN from either side, as torch.maximum. */
function maxNaN(a: number, b: number): number {
  return Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b);
}

/** NAdam's momentum coefficient μ_t = β1·(1 − ½·0.96^(t·momentumDecay)), as PyTorch. */
export function nadamMomentum(beta1: number, momentumDecay: number, t: number): number {
  return beta1 * (1 - 0.5 * 0.96 ** (t * momentumDecay));
}

function adamLike(fn: 'adamStep' | 'adamwStep', args: IArguments): void {
  checkCount(fn, args.length, 13);
  const amsgrad = flag(fn, 'amsgrad', args[10]);
  const [param, grad, m, v, vMax] = checkArrays(fn, args, ['param', 'grad', 'expAvg', 'expAvgSq', 'maxExpAvgSq'], {
    maxExpAvgSq: !amsgrad && 'amsgrad is false',
  }) as [Float32Array, Float32Array, Float32Array, Float32Array, Float32Array];
  const lr = inRange(fn, 'lr', args[5], 0);
  const beta1 = inRange(fn, 'beta1', args[6], 0, 1);
  const beta2 = inRange(fn, 'beta2', args[7], 0, 1);
  const eps = inRange(fn, 'eps', args[8], 0);
  const weightDecay = inRange(fn, 'weightDecay', args[9], 0);
  const corrected = flag(fn, 'biasCorrection', args[11]);
  const t = step(fn, args[12]);
  const [bc1, bc2] = biasCorrections(corrected, beta1, beta2, t);
  const decoupled = fn === 'adamwStep';
  for (let i = 0; i < param.length; i++) {
    let p = param[i]!;
    let g = grad[i]!;
    if (decoupled) p -= lr * weightDecay * p;
    else g += weightDecay * p;
    const mi = beta1 * m[i]! + (1 - beta1) * g;
    const vi = beta2 * v[i]! + (1 - beta2) * g * g;
    let second = vi;
    if (amsgrad) {
      second = maxNaN(vMax[i]!, vi);
      vMax[i] = second;
    }
    m[i] = mi;
    v[i] = vi;
    param[i] = p - (lr / bc1) * mi / (Math.sqrt(second) / Math.sqrt(bc2) + eps);
  }
}

export const referenceOptim: OptimKernels = {
  sgdStep(param, grad, momentumBuffer, lr, momentum, dampening, weightDecay, nesterov, t) {
    const fn = 'sgdStep';
    checkCount(fn, arguments.length, 9);
    const m = inRange(fn, 'momentum', momentum, 0);
    checkArrays(fn, arguments, ['param', 'grad', 'momentumBuffer'], { momentumBuffer: m === 0 && 'momentum is 0' });
    inRange(fn, 'lr', lr, 0);
    finiteDouble(fn, 'dampening', dampening);
    inRange(fn, 'weightDecay', weightDecay, 0);
    if (flag(fn, 'nesterov', nesterov) && (m <= 0 || dampening !== 0)) {
      throw new RangeError(`${fn}: Expected momentum > 0 and dampening = 0 for nesterov but received momentum ${m} and dampening ${dampening}`);
    }
    step(fn, t);
    for (let i = 0; i < param.length; i++) {
      const p = param[i]!;
      let g = grad[i]! + weightDecay * p;
      if (m > 0) {
        const buf = t === 1 ? g : m * momentumBuffer[i]! + (1 - dampening) * g;
        momentumBuffer[i] = buf;
        g = nesterov ? g + m * buf : buf;
      }
      param[i] = p - lr * g;
    }
  },

  adagradStep(param, grad, stateSum, lr, lrDecay, weightDecay, eps, t) {
    const fn = 'adagradStep';
    checkCount(fn, arguments.length, 8);
    checkArrays(fn, arguments, ['param', 'grad', 'stateSum']);
    inRange(fn, 'lr', lr, 0);
    inRange(fn, 'lrDecay', lrDecay, 0);
    inRange(fn, 'weightDecay', weightDecay, 0);
    inRange(fn, 'eps', eps, 0);
    step(fn, t);
    const clr = lr / (1 + (t - 1) * lrDecay);
    for (let i = 0; i < param.length; i++) {
      const p = param[i]!;
      const g = grad[i]! + weightDecay * p;
      const sum = stateSum[i]! + g * g;
      stateSum[i] = sum;
      param[i] = p - clr * g / (Math.sqrt(sum) + eps);
    }
  },

  rmspropStep(param, grad, squareAvg, gradAvg, momentumBuffer, lr, alpha, eps, weightDecay, momentum, centered) {
    const fn = 'rmspropStep';
    checkCount(fn, arguments.length, 11);
    const m = inRange(fn, 'momentum', momentum, 0);
    const c = flag(fn, 'centered', centered);
    checkArrays(fn, arguments, ['param', 'grad', 'squareAvg', 'gradAvg', 'momentumBuffer'], {
      gradAvg: !c && 'centered is false', momentumBuffer: m === 0 && 'momentum is 0',
    });
    inRange(fn, 'lr', lr, 0);
    inRange(fn, 'alpha', alpha, 0);
    inRange(fn, 'eps', eps, 0);
    inRange(fn, 'weightDecay', weightDecay, 0);
    for (let i = 0; i < param.length; i++) {
      const p = param[i]!;
      const g = grad[i]! + weightDecay * p;
      const v = alpha * squareAvg[i]! + (1 - alpha) * g * g;
      squareAvg[i] = v;
      let d: number;
      if (c) {
        const a = alpha * gradAvg[i]! + (1 - alpha) * g;
        gradAvg[i] = a;
        d = Math.sqrt(v - a * a) + eps;
      } else {
        d = Math.sqrt(v) + eps;
      }
      if (m > 0) {
        const buf = m * momentumBuffer[i]! + g / d;
        momentumBuffer[i] = buf;
        param[i] = p - lr * buf;
      } else {
        param[i] = p - lr * g / d;
      }
    }
  },

  adadeltaStep(param, grad, squareAvg, accDelta, lr, rho, eps, weightDecay) {
    const fn = 'adadeltaStep';
    checkCount(fn, arguments.length, 8);
    checkArrays(fn, arguments, ['param', 'grad', 'squareAvg', 'accDelta']);
    inRange(fn, 'lr', lr, 0);
    inRange(fn, 'rho', rho, 0, 1, true);
    inRange(fn, 'eps', eps, 0);
    inRange(fn, 'weightDecay', weightDecay, 0);
    for (let i = 0; i < param.length; i++) {
      const p = param[i]!;
      const g = grad[i]! + weightDecay * p;
      const v = rho * squareAvg[i]! + (1 - rho) * g * g;
      squareAvg[i] = v;
      const delta = Math.sqrt(accDelta[i]! + eps) / Math.sqrt(v + eps) * g;
      accDelta[i] = rho * accDelta[i]! + (1 - rho) * delta * delta;
      param[i] = p - lr * delta;
    }
  },

  adamStep() {
    adamLike('adamStep', arguments);
  },

  adamwStep() {
    adamLike('adamwStep', arguments);
  },

  adamaxStep(param, grad, expAvg, expInf, lr, beta1, beta2, eps, weightDecay, t) {
    const fn = 'adamaxStep';
    checkCount(fn, arguments.length, 10);
    checkArrays(fn, arguments, ['param', 'grad', 'expAvg', 'expInf']);
    inRange(fn, 'lr', lr, 0);
    inRange(fn, 'beta1', beta1, 0, 1);
    inRange(fn, 'beta2', beta2, 0, 1);
    inRange(fn, 'eps', eps, 0);
    inRange(fn, 'weightDecay', weightDecay, 0);
    step(fn, t);
    const clr = lr / (1 - beta1 ** t);
    for (let i = 0; i < param.length; i++) {
      const p = param[i]!;
      const g = grad[i]! + weightDecay * p;
      const m = beta1 * expAvg[i]! + (1 - beta1) * g;
      const u = maxNaN(beta2 * expInf[i]!, Math.abs(g) + eps);
      expAvg[i] = m;
      expInf[i] = u;
      param[i] = p - clr * m / u;
    }
  },

  nadamStep(param, grad, expAvg, expAvgSq, lr, beta1, beta2, eps, weightDecay, momentumDecay, muProduct, t) {
    const fn = 'nadamStep';
    checkCount(fn, arguments.length, 12);
    checkArrays(fn, arguments, ['param', 'grad', 'expAvg', 'expAvgSq']);
    inRange(fn, 'lr', lr, 0);
    inRange(fn, 'beta1', beta1, 0, 1);
    inRange(fn, 'beta2', beta2, 0, 1);
    inRange(fn, 'eps', eps, 0);
    inRange(fn, 'weightDecay', weightDecay, 0);
    inRange(fn, 'momentumDecay', momentumDecay, 0);
    inRange(fn, 'muProduct', muProduct, 0, 1);
    step(fn, t);
    const mu = nadamMomentum(beta1, momentumDecay, t);
    const muNext = nadamMomentum(beta1, momentumDecay, t + 1);
    const gradScale = lr * (1 - mu) / (1 - muProduct);
    const avgScale = lr * muNext / (1 - muProduct * muNext);
    const bc2 = 1 - beta2 ** t;
    for (let i = 0; i < param.length; i++) {
      const p = param[i]!;
      const g = grad[i]! + weightDecay * p;
      const m = beta1 * expAvg[i]! + (1 - beta1) * g;
      const v = beta2 * expAvgSq[i]! + (1 - beta2) * g * g;
      expAvg[i] = m;
      expAvgSq[i] = v;
      const d = Math.sqrt(v / bc2) + eps;
      param[i] = p - gradScale * g / d - avgScale * m / d;
    }
  },
};

/**
 * Reference optimizer updates: PyTorch's formulas per element in double, each stored value
 * (param and state) rounded once to float32.
 */
import type { Floats, ReferenceContext } from '../declare';

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

function adamLike(
  decoupled: boolean, param: Floats, grad: Floats, m: Floats, v: Floats, vMax: Floats, lr: number, beta1: number,
  beta2: number, eps: number, weightDecay: number, amsgrad: boolean, corrected: boolean, t: number,
): void {
  const [bc1, bc2] = biasCorrections(corrected, beta1, beta2, t);
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

export function sgdStep(
  this: ReferenceContext, param: Floats, grad: Floats, momentumBuffer: Floats, lr: number, momentum: number,
  dampening: number, weightDecay: number, nesterov: boolean, t: number,
): void {
  for (let i = 0; i < param.length; i++) {
    const p = param[i]!;
    let g = grad[i]! + weightDecay * p;
    if (momentum > 0) {
      const buf = t === 1 ? g : momentum * momentumBuffer[i]! + (1 - dampening) * g;
      momentumBuffer[i] = buf;
      g = nesterov ? g + momentum * buf : buf;
    }
    param[i] = p - lr * g;
  }
}

export function adagradStep(
  this: ReferenceContext, param: Floats, grad: Floats, stateSum: Floats, lr: number, lrDecay: number,
  weightDecay: number, eps: number, t: number,
): void {
  const clr = lr / (1 + (t - 1) * lrDecay);
  for (let i = 0; i < param.length; i++) {
    const p = param[i]!;
    const g = grad[i]! + weightDecay * p;
    const sum = stateSum[i]! + g * g;
    stateSum[i] = sum;
    param[i] = p - clr * g / (Math.sqrt(sum) + eps);
  }
}

export function rmspropStep(
  this: ReferenceContext, param: Floats, grad: Floats, squareAvg: Floats, gradAvg: Floats, momentumBuffer: Floats,
  lr: number, alpha: number, eps: number, weightDecay: number, momentum: number, centered: boolean,
): void {
  for (let i = 0; i < param.length; i++) {
    const p = param[i]!;
    const g = grad[i]! + weightDecay * p;
    const v = alpha * squareAvg[i]! + (1 - alpha) * g * g;
    squareAvg[i] = v;
    let d: number;
    if (centered) {
      const a = alpha * gradAvg[i]! + (1 - alpha) * g;
      gradAvg[i] = a;
      d = Math.sqrt(v - a * a) + eps;
    } else {
      d = Math.sqrt(v) + eps;
    }
    if (momentum > 0) {
      const buf = momentum * momentumBuffer[i]! + g / d;
      momentumBuffer[i] = buf;
      param[i] = p - lr * buf;
    } else {
      param[i] = p - lr * g / d;
    }
  }
}

export function adadeltaStep(
  this: ReferenceContext, param: Floats, grad: Floats, squareAvg: Floats, accDelta: Floats, lr: number, rho: number,
  eps: number, weightDecay: number,
): void {
  for (let i = 0; i < param.length; i++) {
    const p = param[i]!;
    const g = grad[i]! + weightDecay * p;
    const v = rho * squareAvg[i]! + (1 - rho) * g * g;
    squareAvg[i] = v;
    const delta = Math.sqrt(accDelta[i]! + eps) / Math.sqrt(v + eps) * g;
    accDelta[i] = rho * accDelta[i]! + (1 - rho) * delta * delta;
    param[i] = p - lr * delta;
  }
}

export function adamStep(
  this: ReferenceContext, param: Floats, grad: Floats, expAvg: Floats, expAvgSq: Floats, maxExpAvgSq: Floats,
  lr: number, beta1: number, beta2: number, eps: number, weightDecay: number, amsgrad: boolean,
  biasCorrection: boolean, step: number,
): void {
  adamLike(false, param, grad, expAvg, expAvgSq, maxExpAvgSq, lr, beta1, beta2, eps, weightDecay, amsgrad, biasCorrection, step);
}

export function adamwStep(
  this: ReferenceContext, param: Floats, grad: Floats, expAvg: Floats, expAvgSq: Floats, maxExpAvgSq: Floats,
  lr: number, beta1: number, beta2: number, eps: number, weightDecay: number, amsgrad: boolean,
  biasCorrection: boolean, step: number,
): void {
  adamLike(true, param, grad, expAvg, expAvgSq, maxExpAvgSq, lr, beta1, beta2, eps, weightDecay, amsgrad, biasCorrection, step);
}

export function adamaxStep(
  this: ReferenceContext, param: Floats, grad: Floats, expAvg: Floats, expInf: Floats, lr: number, beta1: number,
  beta2: number, eps: number, weightDecay: number, t: number,
): void {
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
}

export function nadamStep(
  this: ReferenceContext, param: Floats, grad: Floats, expAvg: Floats, expAvgSq: Floats, lr: number, beta1: number,
  beta2: number, eps: number, weightDecay: number, momentumDecay: number, muProduct: number, t: number,
): void {
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
}

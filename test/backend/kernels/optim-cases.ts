// The optimizer settings the optim tests run for 100 steps: how to call each kernel, the state
// it needs, and a float64 textbook trajectory written here, independent of the kernels (the
// formulas of the torch.optim docs, one element at a time).
import type { Backend } from '../../../lib/backend';

/** One element's state in the float64 oracle. */
type State = Record<string, number>;

export interface OptimCase {
  label: string;
  /** The learning rate, which scales how far a parameter moves per step. */
  lr: number;
  /** Names of the state arrays, and whether each is used (unused ones are passed empty). */
  states: [name: string, used: boolean][];
  /** Adagrad starts its sum at initial_accumulator_value; everything else at 0. */
  initial?: number;
  call(backend: Backend, param: Float32Array, grad: Float32Array, states: Float32Array[], t: number): void;
  /** The textbook update of one element in float64: returns the new parameter. */
  oracle(p: number, g: number, s: State, t: number): number;
}

const mu = (beta1: number, psi: number, t: number) => beta1 * (1 - 0.5 * 0.96 ** (t * psi));

function sgd(label: string, lr: number, momentum: number, dampening: number, weightDecay: number, nesterov: boolean): OptimCase {
  return {
    label, lr, states: [['momentumBuffer', momentum > 0]],
    call: (b, p, g, [buf], t) => b.sgdStep(p, g, buf!, lr, momentum, dampening, weightDecay, nesterov, t),
    oracle(p, g, s, t) {
      let d = g + weightDecay * p;
      if (momentum !== 0) {
        s['b'] = t === 1 ? d : momentum * s['b']! + (1 - dampening) * d;
        d = nesterov ? d + momentum * s['b']! : s['b']!;
      }
      return p - lr * d;
    },
  };
}

function adam(label: string, decoupled: boolean, lr: number, beta1: number, beta2: number, eps: number,
  weightDecay: number, amsgrad: boolean, biasCorrection: boolean): OptimCase {
  return {
    label, lr, states: [['expAvg', true], ['expAvgSq', true], ['maxExpAvgSq', amsgrad]],
    call: (b, p, g, [m, v, vMax], t) =>
      (decoupled ? b.adamwStep : b.adamStep)(p, g, m!, v!, vMax!, lr, beta1, beta2, eps, weightDecay, amsgrad, biasCorrection, t),
    oracle(p, g, s, t) {
      if (decoupled) p = p * (1 - lr * weightDecay);
      else g = g + weightDecay * p;
      s['m'] = beta1 * (s['m'] ?? 0) + (1 - beta1) * g;
      s['v'] = beta2 * (s['v'] ?? 0) + (1 - beta2) * g * g;
      s['vMax'] = Math.max(s['vMax'] ?? 0, s['v']);
      const mHat = biasCorrection ? s['m'] / (1 - beta1 ** t) : s['m'];
      const vHat = (amsgrad ? s['vMax'] : s['v']) / (biasCorrection ? 1 - beta2 ** t : 1);
      return p - lr * mHat / (Math.sqrt(vHat) + eps);
    },
  };
}

export const OPTIM_CASES: OptimCase[] = [
  sgd('SGD, plain', 0.1, 0, 0, 0, false),
  sgd('SGD, weight decay', 0.05, 0, 0, 0.1, false),
  sgd('SGD, momentum 0.9', 0.02, 0.9, 0, 0, false),
  sgd('SGD, momentum, dampening 0.3, weight decay', 0.02, 0.8, 0.3, 0.05, false),
  sgd('SGD, nesterov, weight decay', 0.02, 0.9, 0, 0.01, true),
  adam('Adam', false, 0.01, 0.9, 0.999, 1e-8, 0, false, true),
  adam('Adam, weight decay (L2), eps 1e-3', false, 0.01, 0.8, 0.99, 1e-3, 0.1, false, true),
  adam('Adam, amsgrad', false, 0.01, 0.9, 0.999, 1e-8, 0.01, true, true),
  adam('Adam, no bias correction', false, 0.01, 0.9, 0.999, 1e-8, 0, false, false),
  adam('AdamW, decoupled weight decay', true, 0.01, 0.9, 0.999, 1e-8, 0.1, false, true),
  adam('AdamW, amsgrad, no bias correction', true, 0.01, 0.9, 0.99, 1e-6, 0.05, true, false),
  {
    label: 'Adagrad, lr decay, weight decay, initial accumulator 0.1', lr: 0.05, initial: 0.1,
    states: [['stateSum', true]],
    call: (b, p, g, [sum], t) => b.adagradStep(p, g, sum!, 0.05, 0.01, 0.02, 1e-10, t),
    oracle(p, g, s, t) {
      g = g + 0.02 * p;
      s['sum'] = (s['sum'] ?? 0.1) + g * g;
      return p - (0.05 / (1 + (t - 1) * 0.01)) * g / (Math.sqrt(s['sum']) + 1e-10);
    },
  },
  ...[false, true].flatMap((centered) => [0, 0.9].map((momentum): OptimCase => {
    const [lr, alpha, eps, weightDecay] = [0.01, 0.99, 1e-8, 0.01];
    return {
      label: `RMSprop${centered ? ', centered' : ''}${momentum ? ', momentum 0.9' : ''}`, lr,
      states: [['squareAvg', true], ['gradAvg', centered], ['momentumBuffer', momentum > 0]],
      call: (b, p, g, [v, a, buf], _t) => b.rmspropStep(p, g, v!, a!, buf!, lr, alpha, eps, weightDecay, momentum, centered),
      oracle(p, g, s) {
        g = g + weightDecay * p;
        s['v'] = alpha * (s['v'] ?? 0) + (1 - alpha) * g * g;
        s['a'] = alpha * (s['a'] ?? 0) + (1 - alpha) * g;
        const denom = Math.sqrt(centered ? s['v'] - s['a'] ** 2 : s['v']) + eps;
        if (momentum === 0) return p - lr * g / denom;
        s['b'] = momentum * (s['b'] ?? 0) + g / denom;
        return p - lr * s['b'];
      },
    };
  })),
  {
    label: 'Adadelta, lr 1, rho 0.9, weight decay', lr: 1, states: [['squareAvg', true], ['accDelta', true]],
    call: (b, p, g, [v, u], _t) => b.adadeltaStep(p, g, v!, u!, 1, 0.9, 1e-6, 0.01),
    oracle(p, g, s) {
      g = g + 0.01 * p;
      s['v'] = 0.9 * (s['v'] ?? 0) + 0.1 * g * g;
      const delta = Math.sqrt((s['u'] ?? 0) + 1e-6) / Math.sqrt(s['v'] + 1e-6) * g;
      s['u'] = 0.9 * (s['u'] ?? 0) + 0.1 * delta * delta;
      return p - delta;
    },
  },
  {
    label: 'Adamax, weight decay', lr: 0.002, states: [['expAvg', true], ['expInf', true]],
    call: (b, p, g, [m, u], t) => b.adamaxStep(p, g, m!, u!, 0.002, 0.9, 0.999, 1e-8, 0.01, t),
    oracle(p, g, s, t) {
      g = g + 0.01 * p;
      s['m'] = 0.9 * (s['m'] ?? 0) + 0.1 * g;
      s['u'] = Math.max(0.999 * (s['u'] ?? 0), Math.abs(g) + 1e-8);
      return p - (0.002 / (1 - 0.9 ** t)) * s['m'] / s['u'];
    },
  },
  ...[0, 0.01].map((weightDecay): OptimCase => {
    return {
      label: `NAdam${weightDecay ? ', weight decay' : ''}`, lr: 0.002, states: [['expAvg', true], ['expAvgSq', true]],
      call(b, p, g, [m, v], t) {
        let product = 1; // the caller's μ_1·…·μ_t, which an optimizer would carry across steps
        for (let i = 1; i <= t; i++) product *= mu(0.9, 0.004, i);
        b.nadamStep(p, g, m!, v!, 0.002, 0.9, 0.999, 1e-8, weightDecay, 0.004, product, t);
      },
      oracle(p, g, s, t) {
        g = g + weightDecay * p;
        const muT = mu(0.9, 0.004, t);
        const muNext = mu(0.9, 0.004, t + 1);
        s['P'] = (s['P'] ?? 1) * muT;
        s['m'] = 0.9 * (s['m'] ?? 0) + 0.1 * g;
        s['v'] = 0.999 * (s['v'] ?? 0) + 0.001 * g * g;
        const denom = Math.sqrt(s['v'] / (1 - 0.999 ** t)) + 1e-8;
        return p - 0.002 * (1 - muT) / (1 - s['P']) * g / denom - 0.002 * muNext / (1 - s['P'] * muNext) * s['m'] / denom;
      },
    };
  }),
];

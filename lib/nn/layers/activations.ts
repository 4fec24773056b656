/** Activation layers: the functional forms as modules, for Sequential. */
import { full, randn } from '../../autograd/create';
import {
  elu, gelu, leakyRelu, logSigmoid, prelu, relu, rrelu, sigmoid, softplus, tanh,
} from '../../autograd/ops/activation';
import { add } from '../../autograd/ops/arithmetic';
import type { DType, Tensor } from '../../autograd/tensor';
import { Module } from '../module';
import { Parameter } from '../parameter';

export class Sigmoid extends Module {
  forward(x: Tensor): Tensor { return sigmoid(x); }
}

/** log σ(x), finite for every finite x (nn.functional.logSigmoid). */
export class LogSigmoid extends Module {
  forward(x: Tensor): Tensor { return logSigmoid(x); }
}

export class Tanh extends Module {
  forward(x: Tensor): Tensor { return tanh(x); }
}

export class ReLU extends Module {
  forward(x: Tensor): Tensor { return relu(x); }
}

export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) {
    super();
    leakyRelu(full([0], 0), negativeSlope); // validates the slope now, not at the first call
  }
  forward(x: Tensor): Tensor { return leakyRelu(x, this.negativeSlope); }
}

/** PReLU: a learned slope per channel (numParameters = C) or one shared (1), initialized to 0.25. */
export class PReLU extends Module {
  weight: Parameter;
  constructor(numParameters = 1, init = 0.25, options: { dtype?: DType } = {}) {
    super();
    if (!Number.isInteger(numParameters) || numParameters < 1) {
      throw new RangeError(`PReLU: Expected a positive integer numParameters but received ${String(numParameters)}`);
    }
    this.weight = new Parameter(full([numParameters], init, { dtype: options.dtype }));
  }
  forward(x: Tensor): Tensor { return prelu(x, this.weight); }
}

/**
 * Randomized leaky ReLU: in training each negative element gets its own slope drawn uniformly
 * from [lower, upper] (seeded generator); in evaluation the mean slope (lower + upper)/2.
 */
export class RReLU extends Module {
  constructor(readonly lower = 1 / 8, readonly upper = 1 / 3) {
    super();
    if (!(Number.isFinite(lower) && Number.isFinite(upper) && lower <= upper)) {
      throw new RangeError(`RReLU: Expected finite bounds with lower <= upper but received ${lower} and ${upper}`);
    }
  }
  forward(x: Tensor): Tensor {
    return rrelu(x, this.lower, this.upper, this.training);
  }
}

/**
 * Noisy ReLU: max(0, x + ε) with ε ~ N(0, std²) in training only (the noise is not
 * differentiated); plain ReLU in evaluation.
 */
export class NoisyReLU extends Module {
  constructor(readonly std = 1) {
    super();
    if (!(Number.isFinite(std) && std >= 0)) throw new RangeError(`NoisyReLU: Expected a finite std >= 0 but received ${std}`);
  }
  forward(x: Tensor): Tensor {
    if (!this.training || this.std === 0) return relu(x);
    return relu(add(x, randn(x.shape, { std: this.std, dtype: x.dtype })));
  }
}

export class ELU extends Module {
  constructor(readonly alpha = 1) {
    super();
    elu(full([0], 0), alpha);
  }
  forward(x: Tensor): Tensor { return elu(x, this.alpha); }
}

export class Softplus extends Module {
  constructor(readonly beta = 1, readonly threshold = 20) {
    super();
    softplus(full([0], 0), beta, threshold);
  }
  forward(x: Tensor): Tensor { return softplus(x, this.beta, this.threshold); }
}

export class GELU extends Module {
  constructor(readonly approximate: 'none' | 'tanh' = 'none') {
    super();
    gelu(full([0], 0), approximate);
  }
  forward(x: Tensor): Tensor { return gelu(x, this.approximate); }
}

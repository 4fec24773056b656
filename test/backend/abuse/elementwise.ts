import { binary, detached, F, type Signature } from './signature';

/** fn(x, out): out may be x, not partly overlap it. */
function unary(): Signature {
  return {
    kinds: ['f32', 'f32'],
    valid: () => [F(5), F(5)],
    refused: () => {
      const shared = F(6);
      return [[shared.subarray(0, 5), shared.subarray(1, 6)], [F(5), detached()]];
    },
  };
}

/** fn(x, s, out) with a finite float32 s. */
function withScalar(): Signature {
  return {
    kinds: ['f32', 'float', 'f32'],
    valid: () => [F(5), 0.5, F(5)],
    refused: () => {
      const shared = F(6);
      return [[shared.subarray(0, 5), 0.5, shared.subarray(1, 6)]];
    },
  };
}

/** fn(x, dy, s, dx). */
function backwardWithScalar(): Signature {
  return {
    kinds: ['f32', 'f32', 'float', 'f32'],
    valid: () => [F(5), F(5), 0.5, F(5)],
    refused: () => {
      const shared = F(6);
      return [
        [shared.subarray(0, 5), F(5), 0.5, shared.subarray(1, 6)],
        [F(5), shared.subarray(1, 6), 0.5, shared.subarray(0, 5)],
      ];
    },
  };
}

/** fn(x, row, rows, cols, out): out may be x, never row. */
function row(): Signature {
  return {
    kinds: ['f32', 'f32', 'index', 'index', 'f32'],
    valid: () => [F(6), F(3), 2, 3, F(6)],
    refused: () => {
      const shared = F(9);
      return [
        [shared.subarray(0, 6), F(3), 2, 3, shared.subarray(1, 7)], // out partly overlaps x
        [F(6), shared.subarray(6, 9), 2, 3, shared.subarray(3, 9)], // out overlaps row
        [F(6), F(3), 2 ** 27, 2 ** 27, F(6)], // rows·cols = 2^54
      ];
    },
  };
}

export const ELEMENTWISE_SIGNATURES: Record<string, Signature> = {
  add: binary(),
  sub: binary(),
  mul: binary(),
  div: binary(),
  addRow: row(),
  subRow: row(),
  mulRow: row(),
  divRow: row(),
  addScalar: withScalar(),
  subScalar: withScalar(),
  mulScalar: withScalar(),
  divScalar: withScalar(),
  exp: unary(),
  expBackward: binary(),
  log: unary(),
  logBackward: binary(),
  sqrt: unary(),
  sqrtBackward: binary(),
  tanh: unary(),
  tanhBackward: binary(),
  sigmoid: unary(),
  sigmoidBackward: binary(),
  relu: unary(),
  reluBackward: binary(),
  leakyRelu: withScalar(),
  leakyReluBackward: backwardWithScalar(),
  prelu: {
    kinds: ['f32', 'f32', 'index', 'index', 'f32'],
    valid: () => [F(6), F(3), 2, 3, F(6)],
    refused: () => {
      const shared = F(9);
      return [
        [shared.subarray(0, 6), F(3), 2, 3, shared.subarray(1, 7)],
        [F(6), shared.subarray(6, 9), 2, 3, shared.subarray(3, 9)],
        [F(6), F(3), 2 ** 27, 2 ** 27, F(6)],
      ];
    },
  },
  preluBackward: {
    kinds: ['f32', 'f32', 'f32', 'index', 'index', 'f32', 'f32'],
    valid: () => [F(6), F(3), F(6), 2, 3, F(6), F(3)],
    refused: () => {
      const shared = F(12);
      return [
        [shared.subarray(0, 6), F(3), F(6), 2, 3, shared.subarray(1, 7), F(3)], // dx partly overlaps x
        [F(6), shared.subarray(0, 3), F(6), 2, 3, shared.subarray(2, 8), F(3)], // dx overlaps slope
        [shared.subarray(0, 6), F(3), F(6), 2, 3, F(6), shared.subarray(3, 6)], // dslope overlaps x
        [F(6), F(3), shared.subarray(0, 6), 2, 3, F(6), shared.subarray(5, 8)], // dslope overlaps dy
        [F(6), F(3), F(6), 2, 3, shared.subarray(0, 6), shared.subarray(0, 3)], // dslope overlaps dx
        [F(6), shared.subarray(0, 3), F(6), 2, 3, F(6), shared.subarray(0, 3)], // dslope is slope
        [F(6), F(3), F(6), 2 ** 27, 2 ** 27, F(6), F(3)],
      ];
    },
  },
  elu: withScalar(),
  eluBackward: backwardWithScalar(),
  softplus: {
    kinds: ['f32', 'float', 'float', 'f32'],
    valid: () => [F(5), 1, 20, F(5)],
    refused: () => {
      const shared = F(6);
      return [
        [shared.subarray(0, 5), 1, 20, shared.subarray(1, 6)],
        [F(5), 0, 20, F(5)], // beta must be positive
        [F(5), -1, 20, F(5)],
        [F(5), 1e-50, 20, F(5)], // rounds to 0 in float32
      ];
    },
  },
  softplusBackward: {
    kinds: ['f32', 'f32', 'float', 'float', 'f32'],
    valid: () => [F(5), F(5), 1, 20, F(5)],
    refused: () => {
      const shared = F(6);
      return [
        [shared.subarray(0, 5), F(5), 1, 20, shared.subarray(1, 6)],
        [F(5), shared.subarray(1, 6), 1, 20, shared.subarray(0, 5)],
        [F(5), F(5), 0, 20, F(5)],
        [F(5), F(5), -0.5, 20, F(5)],
      ];
    },
  },
  gelu: unary(),
  geluBackward: binary(),
  geluTanh: unary(),
  geluTanhBackward: binary(),
};

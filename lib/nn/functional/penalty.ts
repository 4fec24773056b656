/**
 * Weight penalties over a list of parameters, added to the data loss. L2 carries the ½ of the
 * notes (½·Σw², so its gradient is w and λ·l2Penalty matches weight decay λ); L1 is Σ|w|.
 */
import { abs, pow } from '../../autograd/ops/math';
import { add, mul } from '../../autograd/ops/arithmetic';
import { sum } from '../../autograd/ops/reduce';
import { Tensor } from '../../autograd/tensor';

function checkParams(op: string, params: readonly Tensor[]): void {
  if (!Array.isArray(params) || params.length === 0 || !params.every((p) => p instanceof Tensor)) {
    throw new TypeError(`${op}: Expected a non-empty array of Tensors`);
  }
}

function sumOver(params: readonly Tensor[], term: (p: Tensor) => Tensor): Tensor {
  return params.map((p) => sum(term(p))).reduce((a, b) => add(a, b));
}

/** Σ|w| over every parameter (subgradient 0 at w = 0). */
export function l1Penalty(params: readonly Tensor[]): Tensor {
  checkParams('l1Penalty', params);
  return sumOver(params, abs);
}

/** ½·Σw² over every parameter: the gradient is w itself. */
export function l2Penalty(params: readonly Tensor[]): Tensor {
  checkParams('l2Penalty', params);
  return mul(sumOver(params, (p) => pow(p, 2)), 0.5);
}

/** Elastic net: l1·Σ|w| + l2·½·Σw². */
export function elasticNetPenalty(params: readonly Tensor[], options: { l1: number; l2: number }): Tensor {
  checkParams('elasticNetPenalty', params);
  const { l1, l2 } = options ?? {};
  for (const [name, v] of [['l1', l1], ['l2', l2]] as const) {
    if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)) {
      throw new RangeError(`elasticNetPenalty: Expected a finite non-negative ${name} strength but received ${String(v)}`);
    }
  }
  return add(mul(l1Penalty(params), l1), mul(l2Penalty(params), l2));
}

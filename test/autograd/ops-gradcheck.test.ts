// Gradient checks for every op, activation, loss and layer function: in float64 over every
// element (gradcheck), and along a random direction in float32 on each backend.
import { describe, expect, it } from 'vitest';
import {
  Tensor, abs, add, directionalGradcheck, div, elu, exp, gelu, getRngState, gradcheck, leakyRelu, log,
  logSoftmax, manualSeed, max, mean, mul, neg, nn, pow, prelu, randn, relu, setRngState,
  sigmoid, softmax, softplus, sqrt, sub, tanh,
} from '../../lib';
import { backendNames, useBackend } from './backends';

const F = nn.functional;
const f64 = { dtype: 'float64' as const, requiresGrad: true as const };
type Case = [string, (...t: Tensor[]) => Tensor, number[][], ((t: Tensor, i: number) => void)?];

/** Moves values off the kinks (0 for relu/abs/leaky, ties for max) so differences stay smooth. */
function awayFromKinks(t: Tensor): void {
  for (let i = 0; i < t.size; i++) if (Math.abs(t.data[i]!) < 0.05) t.data[i] = 0.5 + 0.01 * i;
}
function positive(t: Tensor): void {
  for (let i = 0; i < t.size; i++) t.data[i] = 0.5 + Math.abs(t.data[i]!);
}

const LABELS = Int32Array.of(2, 0, 1, 2);
/** Constants in the dtype of the input they go with. */
const arr = (like: Tensor, values: number[]) => (like.dtype === 'float64' ? Float64Array.from(values) : Float32Array.from(values));
const targets = (like: Tensor) => new Tensor(arr(like, [0, 1, 0.3, 1, 0, 0.5]), [2, 3]);
const fixedMask = (() => {
  manualSeed(99);
  return getRngState();
})();

const CASES: Case[] = [
  ['add with a [C] bias', (x, b) => add(x, b), [[3, 4], [4]]],
  ['add with an [N, 1] column', (x, c) => add(x, c), [[3, 4], [3, 1]]],
  ['add of [2, 1, 4] and [3, 1]', (a, b) => add(a, b), [[2, 1, 4], [3, 1]]],
  ['add of a 0-d tensor', (x, s) => add(s, x), [[2, 3], []]],
  ['add of a number', (x) => add(x, 2.5), [[2, 3]]],
  ['sub, broadcast both ways', (a, b) => sub(a, b), [[3, 1], [1, 4]]],
  ['sub of a row from a matrix', (a, b) => sub(a, b), [[3, 4], [4]]],
  ['sub from a number', (x) => sub(1, x), [[5]]],
  ['mul with a row', (x, r) => mul(x, r), [[3, 4], [4]]],
  ['mul with a column', (x, c) => mul(c, x), [[3, 4], [3, 1]]],
  ['mul by a number', (x) => mul(x, -3), [[4]]],
  ['div, same shape', (a, b) => div(a, b), [[3, 4], [3, 4]], (t, i) => i === 1 && positive(t)],
  ['div by a row', (a, b) => div(a, b), [[3, 4], [4]], (t, i) => i === 1 && positive(t)],
  ['div by a column, numerator a row', (a, b) => div(a, b), [[4], [3, 1]], (t, i) => i === 1 && positive(t)],
  ['div of a number by a tensor', (x) => div(2, x), [[5]], positive],
  ['div by a number', (x) => div(x, 4), [[5]]],
  ['neg', neg, [[2, 3]]],
  ['pow 2', (x) => pow(x, 2), [[2, 3]]],
  ['pow 3', (x) => pow(x, 3), [[2, 3]]],
  ['pow -0.5 on positives', (x) => pow(x, -0.5), [[2, 3]], positive],
  ['exp', exp, [[2, 3]]],
  ['log on positives', log, [[2, 3]], positive],
  ['sqrt on positives', sqrt, [[2, 3]], positive],
  ['abs', abs, [[3, 3]], awayFromKinks],
  ['mean of all', (x) => mean(x), [[3, 4]]],
  ['mean over dim 1 keeping it', (x) => mean(x, 1, true), [[3, 4]]],
  ['mean over dim 0', (x) => mean(x, 0), [[3, 4, 2]]],
  ['max of all', (x) => max(x), [[3, 4]]],
  ['max over the last dim', (x) => max(x, -1), [[3, 5]]],
  ['max over dim 1 of 3-D', (x) => max(x, 1, true), [[2, 3, 4]]],
  ['sigmoid', sigmoid, [[3, 4]]],
  ['logSigmoid', (x) => F.logSigmoid(mul(x, 30)), [[3, 4]]],
  ['rrelu in training, fixed slopes', (x) => {
    setRngState(fixedMask);
    return F.rrelu(x, 0.1, 0.3, true);
  }, [[3, 4]], awayFromKinks],
  ['tanh', tanh, [[3, 4]]],
  ['relu', relu, [[3, 4]], awayFromKinks],
  ['leakyRelu', (x) => leakyRelu(x, 0.1), [[3, 4]], awayFromKinks],
  ['prelu with a slope per channel', (x, w) => prelu(x, w), [[4, 3], [3]], (t, i) => i === 0 && awayFromKinks(t)],
  ['prelu over [N, C, L]', (x, w) => prelu(x, w), [[2, 3, 4], [3]], (t, i) => i === 0 && awayFromKinks(t)],
  ['prelu with one shared slope', (x, w) => prelu(x, w), [[3, 4], [1]], (t, i) => i === 0 && awayFromKinks(t)],
  ['elu', (x) => elu(x, 1.3), [[3, 4]], awayFromKinks],
  ['softplus', (x) => softplus(x, 2, 20), [[3, 4]]],
  ['gelu', (x) => gelu(x), [[3, 4]]],
  ['gelu tanh', (x) => gelu(x, 'tanh'), [[3, 4]]],
  ['softmax along rows', (x) => softmax(x), [[3, 5]]],
  ['softmax along dim 0', (x) => softmax(x, 0), [[3, 5]]],
  ['logSoftmax along dim 1 of 3-D', (x) => logSoftmax(x, 1), [[2, 3, 4]]],
  ['linear', (x, w, b) => F.linear(x, w, b), [[4, 3], [5, 3], [5]]],
  ['linear + relu', (x, w, b) => F.linear(x, w, b, 'relu'), [[4, 3], [5, 3], [5]]],
  ['linear + leakyRelu with a negative slope (composed)', (x, w, b) => F.linear(x, w, b, 'leakyRelu', -0.5), [[4, 3], [5, 3], [5]], (t, i) => i === 0 && awayFromKinks(t)],
  ['linear + leakyRelu without bias', (x, w) => F.linear(x, w, null, 'leakyRelu', 0.2), [[4, 3], [5, 3]]],
  ['linear over [2, 4, 3]', (x, w, b) => F.linear(x, w, b), [[2, 4, 3], [5, 3], [5]]],
  ['crossEntropy (mean)', (x) => F.crossEntropy(x, LABELS), [[4, 3]]],
  ['crossEntropy with weights and smoothing', (x) => F.crossEntropy(x, LABELS, { weight: Float64Array.of(1, 2, 0.5), labelSmoothing: 0.1 }), [[4, 3]]],
  ['crossEntropy (sum)', (x) => F.crossEntropy(x, LABELS, { reduction: 'sum' }), [[4, 3]]],
  ['crossEntropy (none), smoothed', (x) => F.crossEntropy(x, LABELS, { reduction: 'none', labelSmoothing: 0.2 }), [[4, 3]]],
  ['nllLoss', (x) => F.nllLoss(logSoftmax(x), LABELS), [[4, 3]]],
  ['multiMarginLoss (mean)', (x) => F.multiMarginLoss(x, LABELS), [[4, 3]]],
  ['multiMarginLoss (none)', (x) => F.multiMarginLoss(x, LABELS, { reduction: 'none', margin: 0.5 }), [[4, 3]]],
  ['mseLoss', (p, t) => F.mseLoss(p, t), [[3, 4], [3, 4]]],
  ['mseLoss (none)', (p, t) => F.mseLoss(p, t, { reduction: 'none' }), [[3, 4], [3, 4]]],
  ['l1Loss (sum)', (p, t) => F.l1Loss(p, t, { reduction: 'sum' }), [[3, 4], [3, 4]], (t, i) => i === 0 && t.data.forEach((_, k) => { t.data[k] = k % 2 ? 3 + k : -3 - k; })],
  ['bce with logits', (x) => F.binaryCrossEntropyWithLogits(x, targets(x)), [[2, 3]]],
  ['bce with logits, target gradient too', (x, t) => F.binaryCrossEntropyWithLogits(x, sigmoid(t), { reduction: 'sum', posWeight: Float64Array.of(2, 0.5, 1) }), [[2, 3], [2, 3]]],
  ['bce with logits (none)', (x) => F.binaryCrossEntropyWithLogits(x, targets(x), { reduction: 'none', posWeight: Float64Array.of(2, 0.5, 1) }), [[2, 3]]],
  ['l2Penalty', (a, b) => F.l2Penalty([a, b]), [[2, 3], [4]]],
  ['elasticNetPenalty', (a, b) => F.elasticNetPenalty([a, b], { l1: 0.3, l2: 0.7 }), [[2, 3], [4]], awayFromKinks],
  ['batchNorm (train) over [N, C]', (x, g, b) => F.batchNorm(x, { weight: g, bias: b }), [[5, 3], [3], [3]]],
  ['batchNorm (train) over [N, C, L]', (x, g, b) => F.batchNorm(x, { weight: g, bias: b }), [[3, 2, 4], [2], [2]]],
  ['batchNorm (eval)', (x, g, b) => F.batchNorm(x, { weight: g, bias: b, training: false, runningMean: arr(x, [0.5, -1]), runningVar: arr(x, [2, 0.3]) }), [[3, 2], [2], [2]]],
  ['dropout with a fixed mask', (x) => {
    setRngState(fixedMask);
    return F.dropout(x, 0.4);
  }, [[6, 5]]],
  ['a composite MLP with every piece', (x, w1, b1, w2, b2, g, beta) => {
    const h = F.batchNorm(F.linear(x, w1, b1, 'relu'), { weight: g, bias: beta });
    const scores = F.linear(tanh(h), w2, b2);
    return add(F.crossEntropy(scores, LABELS), mul(F.l2Penalty([w1, w2]), 0.01));
  }, [[4, 5], [6, 5], [6], [3, 6], [3], [6], [6]]],
];

function inputsFor(shapes: number[][], prepare: Case[3], options: { dtype?: 'float64'; requiresGrad: true }): Tensor[] {
  return shapes.map((s, i) => {
    const t = randn(s, options);
    prepare?.(t, i);
    return t;
  });
}

describe('gradcheck (float64, every element) of the ops, layers and losses', () => {
  it.each(CASES)('passes for %s', (_, fn, shapes, prepare) => {
    manualSeed(7);
    const inputs = inputsFor(shapes, prepare, f64);
    const result = gradcheck(fn, inputs);
    expect(result.ok, result.message).toBe(true);
    expect(result.checked).toBeGreaterThan(0);
  });
});

describe.each(backendNames())('directionalGradcheck (float32) on %s', (name) => {
  useBackend(name);
  it.each(CASES)('passes for %s', (_, fn, shapes, prepare) => {
    manualSeed(8);
    const inputs = inputsFor(shapes, prepare, { requiresGrad: true });
    const result = directionalGradcheck(fn, inputs);
    expect(result.ok, result.message).toBe(true);
  });
});

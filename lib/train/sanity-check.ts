/**
 * The notes' sanity checks before training a classifier (000/002, "Good practices"):
 *
 * 1. **initial loss ≈ ln C**: with small weights every class gets about the same score, so the
 *    softmax cross-entropy starts at −log(1/C) = ln C (2.302585 for 10 classes; the notes
 *    observe 2.30261216167 with 0.0001·randn weights).
 * 2. **regularization raises the loss**: loss + λ·R(W) > loss ("loss went up, good").
 * 3. **overfits a tiny subset**: full-batch training on the first 20 examples reaches 100%
 *    training accuracy and a loss near 0 (the notes: 200 epochs, cost 0.0026, accuracy 1.00).
 *
 * The model is trained in place for check 3 and put back exactly as it was: parameter values,
 * their gradients, every buffer (running statistics), each module's training flag, and the
 * random generator's position (dropout draws from it). The caller's model is never left changed.
 */
import { noGrad, isGradEnabled } from '../autograd/grad-mode';
import { zeros } from '../autograd/create';
import { add, mul } from '../autograd/ops/arithmetic';
import { gather } from '../autograd/ops/shape';
import { getRngState, setRngState } from '../autograd/random';
import { Tensor } from '../autograd/tensor';
import { describe } from '../backend/validate';
import { l2Penalty } from '../nn/functional/penalty';
import { Module } from '../nn/module';
import type { Parameter } from '../nn/parameter';
import { Adam } from '../optim/adam';
import type { BaseHyper, Optimizer } from '../optim/optimizer';
import type { LossFunction } from './trainer';

export interface SanityCheckResult {
  name: string;
  passed: boolean;
  /** The figures behind the verdict ("initial loss 2.3026 vs ln 10 = 2.3026"). */
  detail: string;
  /** The same figures as numbers, by name (for programs and tests). */
  values?: Record<string, number>;
}

export type SanityCheckName = 'initialLoss' | 'regularization' | 'overfit';

export interface SanityCheckOptions {
  /** Which checks to run, in this order (default all three). */
  checks?: readonly SanityCheckName[];
  /** The number of classes C (default: the largest label + 1). */
  classes?: number;
  /** Rows, from the first, on which the initial and regularized losses are measured (default all, at most 1000). */
  batchSize?: number;
  /**
   * The largest |L₀ − ln C| that passes (default 0.1·ln C, 0.23 for 10 classes): it accepts
   * small-weight inits (|L₀ − ln C| about 1e-6 on digits) and PyTorch's default Linear init on
   * inputs scaled to [0, 1] (within 0.03), and refuses weights three or more times too large
   * or unscaled 0–16 pixels under the default init (0.6 to 3 too high). The notes' target for a
   * 0.0001·randn init is 1e-3.
   */
  tolerance?: number;
  /** λ of the regularization check (default: the λ that makes λ·R(W) = ⅓·ln C, see below). */
  reg?: number;
  /** R(W), the regularization term added to the loss (default ½·Σw² over the trainable weights, biases excluded, as the notes' R(W)). */
  penalty?: (model: Module) => Tensor;
  /** How many examples, from the first, the model must overfit (default 20, as the notes). */
  subset?: number;
  /** Full-batch optimizer steps allowed (default 200, the notes' 200 epochs). */
  maxSteps?: number;
  /**
   * The loss that counts as overfitted, together with 100% accuracy (default 0.01, the notes'
   * 200 epochs end at 0.0026). Raise it for a loss that cannot reach 0 (label smoothing).
   */
  targetLoss?: number;
  /** Makes the optimizer of the overfitting run from the trainable parameters (default Adam, lr 1e-2). */
  optimizer?: (params: Parameter[]) => Optimizer<BaseHyper>;
}

const ALL_CHECKS: readonly SanityCheckName[] = ['initialLoss', 'regularization', 'overfit'];

/** The notes' reg = 1e3 on their 3072-50-10 net took the loss from 2.3026 to 3.0686: a third of ln 10 on top. */
const REG_SHARE = 1 / 3;

function positiveInteger(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new RangeError(`sanityCheck: Expected a positive integer for ${name} but received ${describe(value)}`);
  }
  return value;
}

function positiveNumber(name: string, value: unknown): number {
  if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) {
    throw new RangeError(`sanityCheck: Expected a finite positive number for ${name} but received ${describe(value)}`);
  }
  return value;
}

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e4) ? v.toExponential(3) : v.toFixed(6);
}

/** Rows 0 … n−1 of x and y, outside the tape. */
function firstRows(x: Tensor, y: Tensor, n: number): { x: Tensor; y: Tensor } {
  if (n === x.shape[0]) return { x, y };
  const indices = Int32Array.from({ length: n }, (_, i) => i);
  return noGrad(() => ({ x: gather(x, indices), y: gather(y, indices) }));
}

function scalarLoss(loss: LossFunction, output: Tensor, target: Tensor): Tensor {
  const value = loss(output, target);
  if (!(value instanceof Tensor) || value.size !== 1) {
    throw new TypeError(`sanityCheck: Expected the loss function to return a one-element tensor but it returned ${value instanceof Tensor ? `shape [${value.shape.join(', ')}]` : describe(value)}`);
  }
  return value;
}

/** The fraction of rows of scores [N, C] whose largest score is at the label (ties: the first). */
function accuracy(output: Tensor, labels: Tensor): number {
  const [rows, cols] = output.shape as [number, number];
  let correct = 0;
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < cols; c++) if (output.data[r * cols + c]! > output.data[r * cols + best]!) best = c;
    if (best === labels.data[r]) correct++;
  }
  return correct / rows;
}

/** Everything training can change in a model, to put back afterwards. */
function snapshot(model: Module): () => void {
  const rng = getRngState();
  const modes = model.namedModules().map(([, m]) => [m, m.training] as const);
  const params = model.parameters().map((p) => ({ p, data: p.data.slice(), grad: p.grad }));
  // Buffers by owning module (own names have no dot), so a replaced tensor can be put back too.
  const buffers = model.namedModules().flatMap(([, m]) =>
    m.namedBuffers().filter(([name]) => !name.includes('.')).map(([name, tensor]) => ({ m, name, tensor, data: tensor.data.slice() })));
  return () => {
    for (const [m, training] of modes) m.training = training;
    for (const { p, data, grad } of params) {
      p.data.set(data);
      p.grad = grad;
    }
    for (const { m, name, tensor, data } of buffers) {
      (m as unknown as Record<string, Tensor>)[name] = tensor;
      tensor.data.set(data);
    }
    setRngState(rng);
  };
}

/** ½·Σw² over the trainable weights (ndim ≥ 2), else over every trainable parameter; 0 when there is none. */
function defaultPenalty(model: Module): Tensor {
  const trainable = model.parameters().filter((p) => p.requiresGrad);
  const weights = trainable.filter((p) => p.ndim >= 2);
  const over = weights.length > 0 ? weights : trainable;
  return over.length > 0 ? l2Penalty(over) : zeros([]);
}

/**
 * Runs the notes' sanity checks on a classifier and returns one pass/fail result per check,
 * with the figures in `detail` (and as numbers in `values`). `data.y` holds the integer class
 * labels (as a float tensor, as the datasets give them); `loss` is the Trainer's loss function,
 * without regularization.
 *
 * - initial loss: the mean loss on the first `batchSize` rows, in training mode (the loss the
 *   first step sees) without recording gradients, against ln C. Meaningful for small-weight
 *   inits (the notes' 0.0001·randn): larger inits give larger scores and a loss above ln C.
 * - regularization: loss + λ·R(W) against the loss on the same rows. By default λ is chosen so
 *   that λ·R(W) = ⅓·ln C at the given weights, the proportion of the notes' reg = 1e3 on their
 *   net, so the rise is visible in float32 whatever the model's size and init. It fails when
 *   R(W) is zero, negative (a sign error in a custom penalty) or not finite.
 * - overfit: full-batch training on the first `subset` rows with a fresh optimizer until the
 *   accuracy is 1 and the loss at most `targetLoss` (both measured in evaluation mode after the
 *   step, so dropout does not blur them), for at most `maxSteps` steps. The default optimizer is
 *   Adam with lr 1e-2: its steps do not scale with the gradients, so one default works for
 *   small inits and any input scale (plain SGD with the notes' lr 1e-3 does not move a
 *   0.0001·randn digits MLP in 200 steps: its gradients are of the order of the weights).
 */
export function sanityCheck(model: Module, loss: LossFunction, data: { x: Tensor; y: Tensor }, options: SanityCheckOptions = {}): SanityCheckResult[] {
  if (!(model instanceof Module)) throw new TypeError(`sanityCheck: Expected a Module for model but received ${describe(model)}`);
  if (typeof loss !== 'function') throw new TypeError(`sanityCheck: Expected a loss function (output, target) => Tensor for loss but received ${describe(loss)}`);
  if (!data || !(data.x instanceof Tensor) || !(data.y instanceof Tensor)) {
    throw new TypeError('sanityCheck: Expected data as { x: Tensor, y: Tensor } (inputs and integer class labels)');
  }
  const { x, y } = data;
  const n = x.shape[0] ?? 0;
  if (x.ndim < 1 || n < 1) throw new RangeError(`sanityCheck: Expected inputs x with at least one row but received shape [${x.shape.join(', ')}]`);
  if (y.size !== n || y.ndim > 2 || (y.ndim === 2 && y.shape[1] !== 1)) {
    throw new RangeError(`sanityCheck: Expected ${n} labels y of shape [${n}] (one per row of x) but received shape [${y.shape.join(', ')}]`);
  }
  let maxLabel = 0;
  for (let i = 0; i < n; i++) {
    const v = y.data[i]!;
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`sanityCheck: Expected labels y to be non-negative integers (class indices) but y[${i}] is ${v}`);
    maxLabel = Math.max(maxLabel, v);
  }
  const checks = options.checks ?? ALL_CHECKS;
  if (!Array.isArray(checks) || checks.some((c) => !ALL_CHECKS.includes(c))) {
    throw new TypeError(`sanityCheck: Expected checks among ${ALL_CHECKS.join(', ')} but received ${JSON.stringify(checks)}`);
  }
  const classes = options.classes === undefined ? maxLabel + 1 : positiveInteger('classes', options.classes);
  if (classes < 2) throw new RangeError(`sanityCheck: Expected at least 2 classes but the labels give ${classes}; pass options.classes`);
  if (maxLabel >= classes) throw new RangeError(`sanityCheck: Expected labels below classes = ${classes} but the largest label is ${maxLabel}`);
  const batchSize = Math.min(n, options.batchSize === undefined ? 1000 : positiveInteger('batchSize', options.batchSize));
  const lnC = Math.log(classes);
  const tolerance = options.tolerance === undefined ? 0.1 * lnC : positiveNumber('tolerance', options.tolerance);
  const reg = options.reg === undefined ? undefined : positiveNumber('reg', options.reg);
  const penalty = options.penalty ?? defaultPenalty;
  if (typeof penalty !== 'function') throw new TypeError(`sanityCheck: Expected a function (model) => Tensor for penalty but received ${describe(penalty)}`);
  const subset = Math.min(n, options.subset === undefined ? 20 : positiveInteger('subset', options.subset));
  const maxSteps = options.maxSteps === undefined ? 200 : positiveInteger('maxSteps', options.maxSteps);
  const targetLoss = options.targetLoss === undefined ? 0.01 : positiveNumber('targetLoss', options.targetLoss);
  const makeOptimizer = options.optimizer ?? ((params: Parameter[]) => new Adam(params, { lr: 1e-2 }));
  if (typeof makeOptimizer !== 'function') throw new TypeError(`sanityCheck: Expected a function (params) => Optimizer for optimizer but received ${describe(makeOptimizer)}`);
  if (checks.includes('overfit') && !isGradEnabled()) {
    throw new TypeError('sanityCheck: the overfitting check trains the model, but gradient recording is off (called inside noGrad?)');
  }

  const restore = snapshot(model);
  const results: SanityCheckResult[] = [];
  try {
    const batch = firstRows(x, y, batchSize);
    let measured: { loss: Tensor; output: Tensor } | undefined;
    /** The loss on the batch in training mode, computed once for the first two checks. */
    const initial = () => {
      if (!measured) {
        model.train();
        measured = noGrad(() => {
          const output = model.call(batch.x);
          return { output, loss: scalarLoss(loss, output, batch.y) };
        });
        const { output } = measured;
        const width = output.ndim === 2 ? output.shape[1]! : undefined;
        if (options.classes === undefined && width !== undefined && width > classes) {
          throw new RangeError(`sanityCheck: the model gives ${width} scores per row but the labels' largest is ${maxLabel} (${classes} classes); pass options.classes`);
        }
      }
      return measured;
    };
    for (const check of checks) {
      // Each check starts from the model as given (the initial loss moved running statistics).
      if (check === 'initialLoss') results.push(checkInitialLoss(initial().loss.item(), classes, lnC, tolerance, batchSize));
      else if (check === 'regularization') results.push(checkRegularization(model, initial().loss, penalty, reg, lnC));
      else results.push(checkOverfit(model, loss, firstRows(x, y, subset), { maxSteps, targetLoss, makeOptimizer }));
      restore();
    }
  } finally {
    restore();
  }
  return results;
}

function checkInitialLoss(value: number, classes: number, lnC: number, tolerance: number, rows: number): SanityCheckResult {
  const error = value - lnC;
  const passed = Number.isFinite(value) && Math.abs(error) <= tolerance;
  const verdict = passed ? 'within' : Number.isFinite(value) ? `off by more than` : 'not finite, tolerance';
  return {
    name: 'initial loss ≈ ln C',
    passed,
    detail: `initial loss ${fmt(value)} on ${rows} rows vs ln ${classes} = ${fmt(lnC)}: ${verdict} ${fmt(tolerance)} (difference ${fmt(error)})` +
      (passed ? '' : !Number.isFinite(value) ? '; the scores overflow or the loss takes log(0)'
        : value > lnC ? '; the scores start too large: initial weights too big, inputs not scaled, or a summed instead of mean loss'
          : '; the loss starts below chance: the loss or its sign is wrong'),
    values: { loss: value, expected: lnC, difference: error, tolerance, classes, rows },
  };
}

function checkRegularization(model: Module, dataLoss: Tensor, penalty: (model: Module) => Tensor, reg: number | undefined, lnC: number): SanityCheckResult {
  const name = 'regularization raises the loss';
  const r = noGrad(() => penalty(model));
  if (!(r instanceof Tensor) || r.size !== 1) {
    throw new TypeError(`sanityCheck: Expected the penalty to return a one-element tensor but it returned ${r instanceof Tensor ? `shape [${r.shape.join(', ')}]` : describe(r)}`);
  }
  const rValue = r.item();
  const loss = dataLoss.item();
  if (!Number.isFinite(rValue) || rValue === 0) {
    return {
      name, passed: false,
      detail: `the penalty R(W) is ${rValue} at these weights, so no λ can raise the loss ${fmt(loss)}${rValue === 0 ? ' (all weights zero, or no trainable parameters?)' : ''}`,
      values: { loss, penalty: rValue },
    };
  }
  const lambda = reg ?? (REG_SHARE * lnC) / Math.abs(rValue);
  // In the loss's own precision, as training would add it.
  const total = noGrad(() => add(dataLoss, mul(r, lambda))).item();
  const passed = total > loss;
  return {
    name, passed,
    detail: `loss ${fmt(loss)} → ${fmt(total)} with λ = ${fmt(lambda)}${reg === undefined ? ' (λ·|R| = ⅓·ln C)' : ''} and R(W) = ${fmt(rValue)}` +
      (passed ? '' : rValue < 0 ? ': the penalty is negative, a sign error' : ': λ·R(W) is lost in the loss\'s precision, try a larger reg'),
    values: { loss, regularizedLoss: total, reg: lambda, penalty: rValue },
  };
}

function checkOverfit(
  model: Module, loss: LossFunction, subset: { x: Tensor; y: Tensor },
  { maxSteps, targetLoss, makeOptimizer }: { maxSteps: number; targetLoss: number; makeOptimizer: (params: Parameter[]) => Optimizer<BaseHyper> },
): SanityCheckResult {
  const rows = subset.x.shape[0]!;
  const name = `overfits ${rows} examples`;
  const trainable = model.parameters().filter((p) => p.requiresGrad);
  if (trainable.length === 0) {
    return { name, passed: false, detail: 'the model has no trainable parameters (every requiresGrad is false)', values: { steps: 0 } };
  }
  const optimizer = makeOptimizer(trainable);
  if (!optimizer || typeof optimizer.step !== 'function' || typeof optimizer.zeroGrad !== 'function') {
    throw new TypeError(`sanityCheck: Expected the optimizer factory to return an Optimizer but it returned ${describe(optimizer)}`);
  }
  // Gradients of the caller's are kept aside by the snapshot; these start from nothing.
  for (const p of model.parameters()) p.grad = null;
  const first = { loss: Number.NaN, accuracy: Number.NaN };
  let last = first;
  let steps = 0;
  let reached = false;
  while (steps < maxSteps && !reached) {
    model.train();
    optimizer.zeroGrad();
    scalarLoss(loss, model.call(subset.x), subset.y).backward();
    optimizer.step();
    steps++;
    model.eval();
    last = noGrad(() => {
      const output = model.call(subset.x);
      if (output.ndim !== 2 || output.shape[0] !== rows || output.shape[1]! < 2) {
        throw new RangeError(`sanityCheck: Expected the model to give class scores of shape [${rows}, C] for the overfitting check but it gave [${output.shape.join(', ')}]`);
      }
      return { loss: scalarLoss(loss, output, subset.y).item(), accuracy: accuracy(output, subset.y) };
    });
    if (steps === 1) Object.assign(first, last);
    if (!Number.isFinite(last.loss)) break;
    reached = last.accuracy === 1 && last.loss <= targetLoss;
  }
  const figures = `loss ${fmt(first.loss)} after step 1, ${fmt(last.loss)} after step ${steps}; training accuracy ${last.accuracy.toFixed(2)}`;
  let detail: string;
  if (reached) detail = `accuracy 1.00 and loss ≤ ${targetLoss} after ${steps} of at most ${maxSteps} full-batch steps (${figures})`;
  else if (!Number.isFinite(last.loss)) detail = `the loss became ${last.loss} at step ${steps} (${figures}): the learning rate is too high or the loss is wrong`;
  else {
    // As the explosion above means a rate too high, a loss that barely moved means one too low.
    const stalled = steps > 1 && Math.abs(last.loss - first.loss) < 0.01 * Math.abs(first.loss);
    detail = `not overfitted in ${maxSteps} full-batch steps: needs accuracy 1.00 and loss ≤ ${targetLoss} (${figures})` +
      (stalled ? ': the loss barely moved, so the learning rate is too low or the gradients do not reach the weights' : '') +
      (trainable.length < model.parameters().length ? `; ${model.parameters().length - trainable.length} parameter(s) are frozen` : '');
  }
  return { name, passed: reached, detail, values: { steps, maxSteps, loss: last.loss, accuracy: last.accuracy, firstLoss: first.loss, rows } };
}

/** One line per check: PASS or FAIL, its name and its figures. */
export function formatSanityChecks(results: readonly SanityCheckResult[]): string {
  return results.map((r) => `${r.passed ? 'PASS' : 'FAIL'} ${r.name}: ${r.detail}\n`).join('');
}

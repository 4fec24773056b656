/**
 * Layer diagnostics, the notes' way of watching a network: per layer, the mean, std and
 * histogram of its activations (and of the gradient flowing back into them), the fraction of
 * saturated units (|tanh| > 0.99, sigmoid within 0.01 of 0 or 1) and of dead ReLUs (never
 * positive over the batch), and the size of each update relative to the weights.
 */
import { Tensor } from '../autograd/tensor';
import type { Module } from '../nn/module';
import type { Parameter } from '../nn/parameter';
import type { BatchRecord, Callback, LossFunction, Trainer } from './trainer';

export interface TensorStats {
  mean: number;
  std: number;
  min: number;
  max: number;
  /** bins + 1 edges from min to max, and the count in each bin. */
  histogram: { edges: number[]; counts: number[] };
}

export interface LayerDiagnostics {
  /** The module's dotted name in the model. */
  name: string;
  type: string;
  activation: TensorStats;
  /** Of ∂L/∂output, when a loss was given. */
  gradient: TensorStats | null;
  /** Fraction of saturated outputs, for Tanh and Sigmoid layers. */
  saturated: number | null;
  /** Fraction of units (last dimension) never positive over the batch, for ReLU layers. */
  dead: number | null;
}

export function tensorStats(values: ArrayLike<number>, bins = 20): TensorStats {
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const n = values.length;
  const mean = n ? sum / n : Number.NaN;
  let sq = 0;
  for (let i = 0; i < n; i++) sq += (values[i]! - mean) ** 2;
  const width = max > min ? (max - min) / bins : 1;
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < n; i++) counts[Math.min(bins - 1, Math.floor((values[i]! - min) / width))]!++;
  const edges = Array.from({ length: bins + 1 }, (_, i) => (n ? min + i * width : Number.NaN));
  return { mean, std: n ? Math.sqrt(sq / n) : Number.NaN, min, max, histogram: { edges, counts } };
}

function saturation(type: string, out: Tensor): number | null {
  const data = out.data;
  let count = 0;
  if (type === 'Tanh') for (const v of data) count += Math.abs(v) > 0.99 ? 1 : 0;
  else if (type === 'Sigmoid') for (const v of data) count += v < 0.01 || v > 0.99 ? 1 : 0;
  else return null;
  return data.length ? count / data.length : Number.NaN;
}

const RELU_TYPES = new Set(['ReLU', 'LeakyReLU', 'PReLU', 'RReLU', 'NoisyReLU', 'ELU', 'Linear+relu', 'Linear+leakyRelu']);

/** The layer's kind; a Linear layer with a fused activation counts as that activation too. */
function layerType(m: Module): string {
  const activation = (m as { activation?: unknown }).activation;
  return m.constructor.name === 'Linear' && typeof activation === 'string' && activation !== 'none' ? `Linear+${activation}` : m.constructor.name;
}

function deadFraction(type: string, out: Tensor): number | null {
  if (!RELU_TYPES.has(type) || out.ndim < 1) return null;
  const units = out.shape[out.ndim - 1]!;
  const alive = new Uint8Array(units);
  for (let i = 0; i < out.size; i++) if (out.data[i]! > 0) alive[i % units] = 1;
  let dead = 0;
  for (const a of alive) dead += 1 - a;
  return units ? dead / units : Number.NaN;
}

/** The modules with no children, by dotted name: the layers whose outputs are watched. */
function leafModules(model: Module): [string, Module][] {
  return model.namedModules().filter(([, m]) => m.children().length === 0);
}

export interface LayerStatsOptions {
  /** With a target and a loss, also the gradients at each layer's output. */
  target?: Tensor;
  loss?: LossFunction;
  bins?: number;
}

/** A leaf layer's output on a batch, and the gradient of the loss at that output. */
export interface LayerCapture {
  name: string;
  type: string;
  output: Tensor;
  grad: Tensor | null;
}

/**
 * Runs the model on x (its call() runs the hooks) and keeps every leaf layer's output; with a
 * loss and target, back-propagates to keep the gradients at those outputs too, leaving the
 * parameters' .grad as they were.
 */
export function captureLayers(model: Module, x: Tensor, options: Omit<LayerStatsOptions, 'bins'> = {}): LayerCapture[] {
  const captured: LayerCapture[] = [];
  const removers = leafModules(model).map(([name, module]) =>
    module.registerForwardHook((m, _inputs, output) => {
      const entry: LayerCapture = { name, type: layerType(m), output, grad: null };
      captured.push(entry);
      if (options.loss && output.requiresGrad) output.registerHook((g) => (entry.grad = new Tensor(g.data.slice(), g.shape)));
    }));
  const savedGrads = model.parameters().map((p) => p.grad);
  try {
    const output = model.call(x);
    if (options.loss) {
      if (!options.target) throw new TypeError('layerStats: Expected a target with the loss');
      model.zeroGrad();
      const loss = options.loss(output, options.target);
      if (loss.requiresGrad) loss.backward();
    }
  } finally {
    for (const remove of removers) remove();
    model.parameters().forEach((p, i) => (p.grad = savedGrads[i]!));
  }
  return captured;
}

/** Every leaf layer's output (and, with a loss and target, gradient) described: captureLayers' statistics. */
export function layerStats(model: Module, x: Tensor, options: LayerStatsOptions = {}): LayerDiagnostics[] {
  const bins = options.bins ?? 20;
  return captureLayers(model, x, options).map(({ name, type, output, grad }) => ({
    name, type,
    activation: tensorStats(output.data, bins),
    gradient: grad ? tensorStats(grad.data, bins) : null,
    saturated: saturation(type, output),
    dead: deadFraction(type, output),
  }));
}

/** One line per layer in the notes' format: "layer1  mean -0.000117 std 0.213081". */
export function formatLayerStats(rows: readonly LayerDiagnostics[], label = (r: LayerDiagnostics) => r.name): string {
  const width = Math.max(...rows.map((r) => label(r).length));
  return rows.map((r) => {
    const extra = [r.saturated !== null ? `saturated ${(100 * r.saturated).toFixed(1)}%` : '', r.dead !== null ? `dead ${(100 * r.dead).toFixed(1)}%` : '', r.gradient ? `grad std ${r.gradient.std.toExponential(3)}` : ''].filter(Boolean);
    const mean = r.activation.mean.toFixed(6);
    return `${label(r).padEnd(width)}  mean ${mean.startsWith('-') ? mean : ` ${mean}`} std ${r.activation.std.toFixed(6)}${extra.length ? `  ${extra.join(', ')}` : ''}`;
  }).join('\n');
}

/** ‖Δw‖/‖w‖ for each parameter between a snapshot and now: the notes aim for about 1e-3. */
export function updateRatios(model: Module, before: Map<Parameter, Float32Array | Float64Array>): { name: string; ratio: number }[] {
  return model.namedParameters().filter(([, p]) => before.has(p)).map(([name, p]) => {
    const old = before.get(p)!;
    let delta = 0;
    let norm = 0;
    for (let i = 0; i < p.size; i++) {
      delta += (p.data[i]! - old[i]!) ** 2;
      norm += old[i]! ** 2;
    }
    return { name, ratio: norm > 0 ? Math.sqrt(delta / norm) : Number.NaN };
  });
}

export interface DiagnosticsRecord extends BatchRecord {
  updates: { name: string; ratio: number }[];
}

/** Records the update-to-weight ratio of every parameter every `every` batches. */
export class UpdateRatioMonitor implements Callback {
  readonly every: number;
  readonly records: DiagnosticsRecord[] = [];
  private snapshot: Map<Parameter, Float32Array | Float64Array> | null = null;
  private count = 0;

  constructor(options: { every?: number } = {}) {
    this.every = options.every ?? 100;
    if (!Number.isInteger(this.every) || this.every < 1) throw new RangeError(`UpdateRatioMonitor: Expected every >= 1 but received ${this.every}`);
  }

  /** Forgets the records and starts counting batches again (the next one is measured). */
  reset(): void {
    this.records.length = 0;
    this.snapshot = null;
    this.count = 0;
  }

  onBatchBegin(_epoch: number, _batch: number, trainer: Trainer): void {
    if (this.count++ % this.every !== 0) return;
    this.snapshot = new Map(trainer.model.parameters().map((p) => [p, p.data.slice()]));
  }

  onBatchEnd(record: BatchRecord, trainer: Trainer): void {
    if (!this.snapshot) return;
    this.records.push({ ...record, updates: updateRatios(trainer.model, this.snapshot) });
    this.snapshot = null;
  }
}

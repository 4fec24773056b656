/**
 * What one training run is: its data, model, optimizer, schedule and length, as runTraining and the
 * `tensorgrad train` command take it (a JSON object of these settings; the command's flags are
 * their names in kebab case). Defaults per data set, then checked as a whole.
 */
import { augmentError } from './augment';
import { isConvModel } from './conv-spec';
import { type DataConfig, dataDefaults, isTable, tableRunDefaults, validateDataConfig } from './data-config';
import { ACTIVATION_NAMES, type ActivationName } from './model-spec';
import { OPTIMIZER_NAMES, type OptimizerName } from './optimizer-factory';
import { PRECISIONS, type Precision } from './trainer';
import { SCHEDULE_DEFAULTS, SCHEDULE_NAMES, type ScheduleName, type ScheduleSettings, validateSchedule } from './schedule-config';
export const BACKEND_CHOICES = ['native', 'reference', 'checked'] as const;

/** The run's settings; the data's (data-config.ts) and the schedule's own (schedule-config.ts) besides. */
export interface RunConfig extends DataConfig, ScheduleSettings {
  /** digits, fashion-mnist, a directory of MNIST-layout IDX files, a CSV file or an NPY array (data-config.ts). */
  data: string;
  /**
   * Layer widths "784-256-128-10", hidden widths only "256-128", a convolutional spec
   * "c32k3-bn-relu-p2-c64k3-bn-relu-p2-f-128-10" or a JSON model file (conv-spec.ts).
   */
  model: string;
  /** Training-batch augmentation of images: crop, crop<p>, flip, erase (augment.ts). */
  augment: string[];
  activation: ActivationName;
  batchNorm: boolean;
  dropout: number;
  optimizer: OptimizerName;
  lr: number;
  momentum: number;
  weightDecay: number;
  schedule: ScheduleName;
  batchSize: number;
  epochs: number;
  /** Stop when validation loss has not improved for this many epochs (0: never). */
  patience: number;
  seed: number;
  /** GEMM threads (0: one per core). */
  threads: number;
  /** fp32, or bf16: the matrix products in bfloat16 with float32 accumulation (Trainer precision, docs/mixed-precision.md). */
  precision: Precision;
  backend: (typeof BACKEND_CHOICES)[number] | 'auto';
  /** The run directory; default runs/<data>-<time>. */
  out: string;
  /** TensorBoard event files: false (none), true (<run directory>/tensorboard) or a directory. */
  tensorboard: boolean | string;
  /**
   * Data-parallel over the ranks mpirun or srun started (lib/distributed): one model, each rank
   * a shard of every epoch at batchSize samples per rank; rank 0 alone writes the run directory.
   */
  distributed: boolean;
}

/**
 * Defaults for the shipped digits (97–98% test accuracy over seeds 0–7 in about 5 s); larger
 * data (Fashion-MNIST) gets a wider first layer's worth of data per step: batch 128, 10 epochs.
 */
export function runDefaults(data: string): RunConfig {
  const digits = data === 'digits';
  return {
    data,
    model: digits ? '512-256' : '256-128',
    augment: [],
    activation: 'relu',
    batchNorm: false,
    dropout: digits ? 0.2 : 0,
    optimizer: 'adam',
    lr: 1e-3,
    momentum: 0.9,
    weightDecay: 0,
    schedule: 'cosine',
    ...SCHEDULE_DEFAULTS,
    batchSize: digits ? 32 : 128,
    epochs: digits ? 60 : 10,
    patience: 0,
    seed: 0,
    threads: 0,
    precision: 'fp32',
    backend: 'auto',
    out: '',
    tensorboard: false,
    distributed: false,
    ...tableRunDefaults(data),
    ...dataDefaults(data),
  };
}

const NUMBER_KEYS = ['dropout', 'lr', 'momentum', 'weightDecay', 'batchSize', 'epochs', 'patience', 'seed', 'threads'] as const;

function fail(message: string): never {
  throw new RangeError(message);
}

/** Checks every field, naming the flag and what it expects. */
export function validateRunConfig(config: RunConfig): RunConfig {
  const known = new Set(Object.keys(runDefaults('digits')));
  for (const key of Object.keys(config)) if (!known.has(key)) fail(`config: unknown setting "${key}" (known: ${[...known].join(', ')})`);
  for (const key of NUMBER_KEYS) {
    if (typeof config[key] !== 'number' || !Number.isFinite(config[key])) fail(`--${key}: Expected a number but received ${String(config[key])}`);
  }
  const integer = (key: (typeof NUMBER_KEYS)[number], min: number) => {
    if (!Number.isInteger(config[key]) || config[key] < min) fail(`--${key}: Expected an integer >= ${min} but received ${config[key]}`);
  };
  integer('batchSize', 1);
  integer('epochs', 1);
  integer('patience', 0);
  integer('seed', 0);
  integer('threads', 0);
  if (!(config.lr > 0)) fail(`--lr: Expected a positive learning rate but received ${config.lr}`);
  if (!(config.weightDecay >= 0)) fail(`--weight-decay: Expected a non-negative number but received ${config.weightDecay}`);
  if (!(config.momentum >= 0 && config.momentum < 1)) fail(`--momentum: Expected a number in [0, 1) but received ${config.momentum}`);
  if (!(config.dropout >= 0 && config.dropout < 1)) fail(`--dropout: Expected a probability in [0, 1) but received ${config.dropout}`);
  const oneOf = (key: keyof RunConfig, list: readonly string[]) => {
    if (!list.includes(config[key] as string)) fail(`--${key}: Expected one of ${list.join(', ')} but received "${String(config[key])}"`);
  };
  oneOf('activation', ACTIVATION_NAMES);
  oneOf('optimizer', OPTIMIZER_NAMES);
  oneOf('schedule', SCHEDULE_NAMES);
  validateSchedule(config.schedule, config, config.epochs);
  oneOf('backend', [...BACKEND_CHOICES, 'auto']);
  oneOf('precision', PRECISIONS);
  if (typeof config.tensorboard !== 'boolean' && (typeof config.tensorboard !== 'string' || config.tensorboard === '')) {
    fail(`--tensorboard: Expected true, false or a log directory but received ${JSON.stringify(config.tensorboard)}`);
  }
  if (typeof config.batchNorm !== 'boolean') fail(`--batch-norm: Expected true or false but received ${String(config.batchNorm)}`);
  if (typeof config.distributed !== 'boolean') fail(`--distributed: Expected true or false but received ${String(config.distributed)}`);
  if (typeof config.data !== 'string' || config.data === '') fail('--data: Expected digits, fashion-mnist, a directory of IDX files, a CSV file or an NPY file');
  validateDataConfig(config);
  if (typeof config.model !== 'string') fail('--model: Expected layer widths like 784-256-128-10 or a conv spec like c32k3-bn-relu-p2-f-10');
  const augment = augmentError(config.augment);
  if (augment) fail(augment);
  if (config.augment.length > 0 && isTable(config.data)) fail(`--augment: crops and flips are for images; ${config.data} is a table`);
  if (isConvModel(config.model) && config.batchNorm) fail('--batch-norm: applies to MLP widths; a conv spec places its BatchNorm layers itself (bn)');
  if (isConvModel(config.model) && config.dropout > 0) fail(`--dropout: applies to MLP widths; a conv spec places its dropout itself (drop${config.dropout})`);
  return config;
}

/** The defaults of the data set (digits when none is named), overridden by `config`, checked. */
export function resolveRunConfig(config: Partial<RunConfig>): RunConfig {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) throw new TypeError(`runTraining: Expected an object of settings but received ${String(config)}`);
  const given = Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined)) as Partial<RunConfig>;
  const data = given.data ?? 'digits';
  // A conv spec places its own dropout (drop<p>): the MLP's default dropout does not apply.
  const conv = typeof given.model === 'string' && isConvModel(given.model) && given.dropout === undefined ? { dropout: 0 } : {};
  return validateRunConfig({ ...runDefaults(data), ...conv, ...given, data });
}

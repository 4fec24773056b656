/**
 * A run's learning-rate schedule by name, with its settings: every schedule of
 * lib/optim/lr-scheduler that a config can describe (LambdaLR takes a function, so only
 * scripts use it), and a linear warm-up in front of any closed-form one. The table below is
 * the one list: the config's keys, the command's flags and their help, and which schedule uses
 * which setting; a setting given to a schedule that does not use it is an error, not ignored.
 */
import type { Optimizer, BaseHyper } from '../optim/optimizer';
import { ReduceLROnPlateau } from '../optim/lr-scheduler/plateau';
import type { LRScheduler } from '../optim/lr-scheduler/scheduler';
import { CosineAnnealingLR, ExponentialLR, InverseTimeLR, MultiStepLR, StepLR } from '../optim/lr-scheduler/schedules';
import { LinearWarmup } from '../optim/lr-scheduler/warmup';

export const SCHEDULE_NAMES = ['none', 'cosine', 'step', 'exponential', 'inverse-time', 'warmup', 'plateau'] as const;
export type ScheduleName = (typeof SCHEDULE_NAMES)[number];

/** What each schedule does, for --help. */
export const SCHEDULE_HELP: Record<ScheduleName, string> = {
  none: 'the rate stays --lr',
  cosine: 'half a cosine from --lr down to --eta-min over the run',
  step: '× --gamma at each of --milestones, by default half and three quarters of the run, or every --step-size epochs',
  exponential: '× --gamma every epoch',
  'inverse-time': 'lr / (1 + --decay-rate · epoch), the notes\' 1/t decay',
  warmup: 'rises linearly from --warmup-start-factor · lr to --lr over --warmup-epochs, then stays; every schedule but plateau takes --warmup-epochs too',
  plateau: '× --plateau-factor when the validation loss has not improved for --plateau-patience epochs',
};

/** The settings of the schedules (all optional in a config). */
export interface ScheduleSettings {
  gamma?: number;
  milestones?: number[];
  stepSize?: number;
  etaMin?: number;
  decayRate?: number;
  plateauFactor?: number;
  plateauPatience?: number;
  plateauThreshold?: number;
  plateauCooldown?: number;
  minLr?: number;
  warmupEpochs?: number;
  warmupStartFactor?: number;
}

type Kind = 'positive' | 'nonNegative' | 'fraction' | 'openFraction' | 'count' | 'positiveCount' | 'epochs';

interface Setting {
  key: keyof ScheduleSettings;
  /** The command-line flag with its value's name. */
  flag: string;
  kind: Kind;
  /** The schedules that use it. */
  schedules: readonly ScheduleName[];
  help: string;
}

const CLOSED_FORM: readonly ScheduleName[] = ['none', 'cosine', 'step', 'exponential', 'inverse-time', 'warmup'];

export const SCHEDULE_SETTINGS: readonly Setting[] = [
  { key: 'gamma', flag: '--gamma <factor>', kind: 'positive', schedules: ['step', 'exponential'], help: 'step: the factor at each milestone (default 0.1); exponential: the factor per epoch (required)' },
  { key: 'milestones', flag: '--milestones <epochs>', kind: 'epochs', schedules: ['step'], help: 'step: the epochs at which the rate is multiplied by --gamma, e.g. 30,45' },
  { key: 'stepSize', flag: '--step-size <n>', kind: 'positiveCount', schedules: ['step'], help: 'step: multiply by --gamma every n epochs instead of at milestones' },
  { key: 'etaMin', flag: '--eta-min <lr>', kind: 'nonNegative', schedules: ['cosine'], help: 'cosine: the rate it anneals to (default 0)' },
  { key: 'decayRate', flag: '--decay-rate <k>', kind: 'positive', schedules: ['inverse-time'], help: 'inverse-time: k in lr / (1 + k · epoch) (required)' },
  { key: 'plateauFactor', flag: '--plateau-factor <f>', kind: 'openFraction', schedules: ['plateau'], help: 'plateau: the factor in (0, 1) of each reduction (default 0.1)' },
  { key: 'plateauPatience', flag: '--plateau-patience <n>', kind: 'count', schedules: ['plateau'], help: 'plateau: epochs without improvement before a reduction (default 10)' },
  { key: 'plateauThreshold', flag: '--plateau-threshold <t>', kind: 'nonNegative', schedules: ['plateau'], help: 'plateau: the relative improvement that counts (default 1e-4)' },
  { key: 'plateauCooldown', flag: '--plateau-cooldown <n>', kind: 'count', schedules: ['plateau'], help: 'plateau: epochs to wait after a reduction (default 0)' },
  { key: 'minLr', flag: '--min-lr <lr>', kind: 'nonNegative', schedules: ['plateau'], help: 'plateau: the lowest rate it reduces to (default 0)' },
  { key: 'warmupEpochs', flag: '--warmup-epochs <n>', kind: 'count', schedules: CLOSED_FORM, help: 'a linear warm-up over n epochs before the schedule, whose epochs then count from its end (default 0; required by warmup; not with plateau)' },
  { key: 'warmupStartFactor', flag: '--warmup-start-factor <f>', kind: 'fraction', schedules: CLOSED_FORM, help: 'warm-up: the first epoch\'s rate as a fraction of --lr, in (0, 1] (default 0.1)' },
];

/** The config keys of the settings, each undefined (absent) by default. */
export const SCHEDULE_DEFAULTS: Required<{ [K in keyof ScheduleSettings]: undefined }> = Object.fromEntries(SCHEDULE_SETTINGS.map((s) => [s.key, undefined])) as never;

/** "--decay-rate (decayRate)": the flag, and the config key a file spells it with. */
const flagName = (s: Setting) => `${s.flag.split(' ')[0]!} (${s.key})`;

/** A value as the user wrote it: strings quoted, so "0.5" is not mistaken for 0.5. */
const shown = (value: unknown) => (typeof value === 'string' ? JSON.stringify(value) : Array.isArray(value) ? JSON.stringify(value) : String(value));

const KIND_CHECKS: Record<Exclude<Kind, 'epochs'>, [(v: number) => boolean, string]> = {
  positive: [(v) => v > 0, 'a positive number'],
  nonNegative: [(v) => v >= 0, 'a number >= 0'],
  fraction: [(v) => v > 0 && v <= 1, 'a number in (0, 1]'],
  openFraction: [(v) => v > 0 && v < 1, 'a number in (0, 1)'],
  count: [(v) => Number.isInteger(v) && v >= 0, 'an integer >= 0'],
  positiveCount: [(v) => Number.isInteger(v) && v >= 1, 'an integer >= 1'],
};

/**
 * Checks the schedule's settings against the schedule and the run's length: each set one must
 * be used by the schedule and valid, the required ones present. Throws a RangeError naming the
 * flag and what it expects.
 */
export function validateSchedule(schedule: ScheduleName, settings: ScheduleSettings, epochs: number): void {
  const fail = (message: string): never => {
    throw new RangeError(message);
  };
  for (const s of SCHEDULE_SETTINGS) {
    const value = settings[s.key];
    if (value === undefined) continue;
    if (!s.schedules.includes(schedule)) {
      fail(`${flagName(s)}: applies to --schedule ${s.schedules.join(' or ')}, not ${schedule}${schedule === 'plateau' && s.key.startsWith('warmup') ? ' (ReduceLROnPlateau follows the validation loss; LinearWarmup runs only before a closed-form schedule)' : ''}`);
    }
    if (s.kind === 'epochs') {
      const list = value as unknown;
      if (!Array.isArray(list) || list.length === 0 || !list.every((m, i) => typeof m === 'number' && Number.isInteger(m) && m >= 1 && (i === 0 || m > list[i - 1]))) {
        fail(`${flagName(s)}: Expected increasing whole epochs >= 1 (30,45 as a flag, [30, 45] in a config file) but received ${shown(list)}`);
      }
      continue;
    }
    const [ok, what] = KIND_CHECKS[s.kind];
    if (typeof value !== 'number' || !Number.isFinite(value) || !ok(value)) fail(`${flagName(s)}: Expected ${what} but received ${shown(value)}`);
  }
  const warmup = settings.warmupEpochs ?? 0;
  if (warmup >= epochs) fail(`--warmup-epochs (warmupEpochs): Expected fewer than the ${epochs} epochs of the run but received ${warmup}`);
  if (schedule === 'warmup' && warmup === 0) fail('--schedule warmup: needs --warmup-epochs (warmupEpochs), the epochs of the linear rise (an integer >= 1)');
  if (settings.warmupStartFactor !== undefined && warmup === 0) fail('--warmup-start-factor (warmupStartFactor): needs --warmup-epochs above 0');
  const scheduled = epochs - warmup;
  if (schedule === 'exponential' && settings.gamma === undefined) fail('--schedule exponential: needs --gamma (gamma), the factor per epoch (0.95, say)');
  if (schedule === 'inverse-time' && settings.decayRate === undefined) fail('--schedule inverse-time: needs --decay-rate (decayRate), k in lr / (1 + k · epoch)');
  if (schedule === 'step') {
    if (settings.milestones !== undefined && settings.stepSize !== undefined) fail('--milestones and --step-size: give one of them, not both');
    const last = settings.milestones?.at(-1);
    if (last !== undefined && last >= scheduled) {
      fail(`--milestones (milestones): ${last} is never reached: the schedule runs ${scheduled} epochs${warmup > 0 ? ` after the ${warmup} of warm-up` : ''}`);
    }
  }
}

/** Half and three quarters of the scheduled epochs (one milestone when they round alike, none for one epoch). */
function defaultMilestones(epochs: number): number[] {
  return [...new Set([Math.round(epochs / 2), Math.round((3 * epochs) / 4)])].filter((m) => m >= 1 && m < epochs);
}

/** The schedule for `optimizer` (undefined for none without warm-up). Assumes validateSchedule passed. */
export function makeSchedule(schedule: ScheduleName, settings: ScheduleSettings, optimizer: Optimizer<BaseHyper>, epochs: number): LRScheduler | ReduceLROnPlateau | undefined {
  if (schedule === 'plateau') {
    return new ReduceLROnPlateau(optimizer, {
      mode: 'min', factor: settings.plateauFactor ?? 0.1, patience: settings.plateauPatience ?? 10, threshold: settings.plateauThreshold ?? 1e-4,
      cooldown: settings.plateauCooldown ?? 0, minLr: settings.minLr ?? 0,
    });
  }
  const warmup = settings.warmupEpochs ?? 0;
  const scheduled = epochs - warmup;
  let after: LRScheduler | undefined;
  if (schedule === 'cosine') after = new CosineAnnealingLR(optimizer, { tMax: scheduled, etaMin: settings.etaMin ?? 0 });
  else if (schedule === 'exponential') after = new ExponentialLR(optimizer, { gamma: settings.gamma! });
  else if (schedule === 'inverse-time') after = new InverseTimeLR(optimizer, { decay: settings.decayRate! });
  else if (schedule === 'step') {
    const gamma = settings.gamma ?? 0.1;
    after = settings.stepSize !== undefined
      ? new StepLR(optimizer, { stepSize: settings.stepSize, gamma })
      : new MultiStepLR(optimizer, { milestones: settings.milestones ?? defaultMilestones(scheduled), gamma });
  }
  if (warmup === 0) return after;
  return new LinearWarmup(optimizer, { warmupEpochs: warmup, startFactor: settings.warmupStartFactor ?? 0.1, ...(after ? { after } : {}) });
}

/**
 * Checkpoints: everything a training run needs to continue exactly where it stopped — model
 * weights, optimizer state, scheduler state, the random generator's position, the trainer's
 * state and the config — in a directory `checkpoint-<step>` written whole or not at all (files
 * synced in a temporary directory, renamed into place, the parent synced), keeping the last N.
 * A process killed at any moment leaves the newest complete checkpoint loadable; what it left
 * half-done (.checkpoint-*.<pid>.tmp/.del) is never listed and is removed by the next save.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { getRngState, setRngState, type RngState } from '../autograd/random';
import { Tensor } from '../autograd/tensor';
import type { Module } from '../nn/module';
import type { BaseHyper, Optimizer, OptimizerStateDict, ParamState } from '../optim/optimizer';
import { processAlive, syncDirectory, writeFileAtomic } from '../io/atomic';
import { load, save } from '../io/safetensors';

export const CHECKPOINT_FORMAT = 'tensorgrad-checkpoint-1';

/** Anything with a JSON state dict (schedulers, the trainer), and maybe tensors besides. */
export interface Stateful {
  stateDict(): unknown;
  loadStateDict(state: never): void;
  /** Tensors to keep beside the JSON state (the trainer's best weights), or null. */
  tensorState?(): Record<string, Tensor> | null;
  loadTensorState?(tensors: Record<string, Tensor>): void;
}

export interface CheckpointParts {
  model: Module;
  optimizer?: Optimizer<BaseHyper>;
  scheduler?: Stateful;
  trainer?: Stateful;
  /** The run's configuration, stored as given (JSON). */
  config?: unknown;
}

interface Manifest {
  format: string;
  step: number;
  savedAt: string;
  rng: RngState;
  optimizer: { paramGroups: OptimizerStateDict<BaseHyper>['paramGroups']; scalars: Record<number, Record<string, number>> } | null;
  scheduler: unknown;
  trainer: unknown;
  config: unknown;
}

const NAME = /^checkpoint-(\d{8,})$/;
/** A checkpoint being written (.tmp) or removed (.del) by the process with that pid. */
const WORK = /^\.checkpoint-\d{8,}\.(\d+)\.(tmp|del)$/;

function checkpointName(step: number): string {
  if (!Number.isInteger(step) || step < 0) throw new RangeError(`saveCheckpoint: Expected a non-negative integer step but received ${step}`);
  return `checkpoint-${String(step).padStart(8, '0')}`;
}

/** The checkpoints in dir, oldest first. */
export function listCheckpoints(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((n) => NAME.test(n)).sort((a, b) => Number(NAME.exec(a)![1]) - Number(NAME.exec(b)![1])).map((n) => path.join(dir, n));
}

/** The newest complete checkpoint in dir (one with its manifest), or null. */
export function latestCheckpoint(dir: string): string | null {
  return listCheckpoints(dir).reverse().find((c) => fs.existsSync(path.join(c, 'checkpoint.json'))) ?? null;
}

/** Removes what a killed process left half-written or half-removed (never a live process's work). */
function removeLeftovers(dir: string): void {
  for (const name of fs.readdirSync(dir)) {
    const work = WORK.exec(name);
    if (work && !processAlive(Number(work[1]))) fs.rmSync(path.join(dir, name), { recursive: true, force: true });
  }
}

/** Removes a checkpoint so that it vanishes at once: renamed out of the listing, then deleted. */
function removeCheckpoint(dir: string, checkpoint: string): void {
  const trash = path.join(dir, `.${path.basename(checkpoint)}.${process.pid}.del`);
  fs.rmSync(trash, { recursive: true, force: true });
  fs.renameSync(checkpoint, trash);
  fs.rmSync(trash, { recursive: true, force: true });
}

/** Saves a checkpoint for `step` under dir and removes all but the newest keepLast. */
export function saveCheckpoint(dir: string, parts: CheckpointParts, options: { step: number; keepLast?: number }): string {
  const keepLast = options.keepLast ?? 3;
  if (!Number.isInteger(keepLast) || keepLast < 1) throw new RangeError(`saveCheckpoint: Expected keepLast >= 1 but received ${keepLast}`);
  const name = checkpointName(options.step);
  fs.mkdirSync(dir, { recursive: true });
  removeLeftovers(dir);
  const target = path.join(dir, name);
  const temp = path.join(dir, `.${name}.${process.pid}.tmp`);
  fs.rmSync(temp, { recursive: true, force: true });
  fs.mkdirSync(temp);

  save(parts.model.stateDict(), path.join(temp, 'model.safetensors'));
  let optimizer: Manifest['optimizer'] = null;
  if (parts.optimizer) {
    const state = parts.optimizer.stateDict();
    const arrays: Record<string, Tensor> = {};
    const scalars: Record<number, Record<string, number>> = {};
    for (const [index, values] of Object.entries(state.state)) {
      for (const [key, value] of Object.entries(values)) {
        if (typeof value === 'number') (scalars[Number(index)] ??= {})[key] = value;
        else arrays[`${index}.${key}`] = new Tensor(value, [value.length]);
      }
    }
    save(arrays, path.join(temp, 'optimizer.safetensors'));
    optimizer = { paramGroups: state.paramGroups, scalars };
  }
  const trainerTensors = parts.trainer?.tensorState?.() ?? null;
  if (trainerTensors) save(trainerTensors, path.join(temp, 'trainer.safetensors'));
  const manifest: Manifest = {
    format: CHECKPOINT_FORMAT,
    step: options.step,
    savedAt: new Date().toISOString(),
    rng: getRngState(),
    optimizer,
    scheduler: parts.scheduler?.stateDict() ?? null,
    trainer: parts.trainer?.stateDict() ?? null,
    config: parts.config ?? null,
  };
  writeFileAtomic(path.join(temp, 'checkpoint.json'), new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`));
  syncDirectory(temp);
  // Saving a step again replaces it; until the rename, the older checkpoints stand.
  if (fs.existsSync(target)) removeCheckpoint(dir, target);
  fs.renameSync(temp, target);
  syncDirectory(dir);
  for (const old of listCheckpoints(dir).slice(0, -keepLast)) removeCheckpoint(dir, old);
  syncDirectory(dir);
  return target;
}

/**
 * Restores a checkpoint (a checkpoint directory, or a run directory: its latest) into the given
 * parts; returns its step and config.
 */
export function loadCheckpoint(where: string, parts: CheckpointParts): { step: number; config: unknown; path: string } {
  const checkpoint = NAME.test(path.basename(where)) ? where : latestCheckpoint(where);
  if (!checkpoint || !fs.existsSync(path.join(checkpoint, 'checkpoint.json'))) {
    throw new Error(`loadCheckpoint: no checkpoint in ${where} (expected checkpoint-<step>/checkpoint.json)`);
  }
  const manifest = JSON.parse(fs.readFileSync(path.join(checkpoint, 'checkpoint.json'), 'utf8')) as Manifest;
  if (manifest.format !== CHECKPOINT_FORMAT) {
    throw new TypeError(`loadCheckpoint: ${checkpoint} has format ${JSON.stringify(manifest.format)}, expected ${CHECKPOINT_FORMAT}`);
  }
  parts.model.loadFrom(path.join(checkpoint, 'model.safetensors'));
  if (parts.optimizer) {
    if (!manifest.optimizer) throw new Error(`loadCheckpoint: ${checkpoint} holds no optimizer state`);
    const arrays = load(path.join(checkpoint, 'optimizer.safetensors'), { dtype: 'keep' }).tensors;
    const state: Record<number, ParamState> = {};
    for (const [key, t] of Object.entries(arrays)) {
      const [index, name] = [Number(key.slice(0, key.indexOf('.'))), key.slice(key.indexOf('.') + 1)];
      (state[index] ??= {})[name] = t.data;
    }
    for (const [index, values] of Object.entries(manifest.optimizer.scalars)) Object.assign((state[Number(index)] ??= {}), values);
    parts.optimizer.loadStateDict({ state, paramGroups: manifest.optimizer.paramGroups });
  }
  if (parts.scheduler && manifest.scheduler) parts.scheduler.loadStateDict(manifest.scheduler as never);
  if (parts.trainer && manifest.trainer) {
    parts.trainer.loadStateDict(manifest.trainer as never);
    const tensors = path.join(checkpoint, 'trainer.safetensors');
    if (parts.trainer.loadTensorState && fs.existsSync(tensors)) parts.trainer.loadTensorState(load(tensors, { dtype: 'keep' }).tensors);
  }
  setRngState(manifest.rng);
  return { step: manifest.step, config: manifest.config, path: checkpoint };
}

// Every exported native function (and its reference twin) driven with wrong types, short and
// long arrays, negative, fractional, NaN and huge sizes, missing and extra arguments, and
// overlapping outputs: each call throws a TypeError or RangeError naming the function, and
// none takes the process down.
import { describe, expect, it } from 'vitest';
import { loadAddon } from '../../lib/backend/addon';
import { KERNEL_NAMES, referenceBackend } from '../../lib/backend';
import type { KernelName } from '../../lib/backend';
import { DROPOUT_SIGNATURES } from './abuse/dropout';
import { ELEMENTWISE_SIGNATURES } from './abuse/elementwise';
import { GEMM_SIGNATURES } from './abuse/gemm';
import { LAYOUT_SIGNATURES } from './abuse/layout';
import { LOSS_SIGNATURES } from './abuse/loss';
import { NORM_SIGNATURES } from './abuse/norm';
import { GRADIENT_SIGNATURES } from './abuse/gradient';
import { HSOFTMAX_SIGNATURES } from './abuse/hsoftmax';
import { OPTIM_SIGNATURES } from './abuse/optim';
import { RANDOM_SIGNATURES } from './abuse/random';
import { REDUCE_SIGNATURES } from './abuse/reduce';
import { F, type Kind, type Signature } from './abuse/signature';
import { referenceOnly } from './backends';

const SIGNATURES: Record<KernelName, Signature> = {
  ...GEMM_SIGNATURES,
  ...ELEMENTWISE_SIGNATURES,
  ...REDUCE_SIGNATURES,
  ...LOSS_SIGNATURES,
  ...RANDOM_SIGNATURES,
  ...LAYOUT_SIGNATURES,
  ...NORM_SIGNATURES,
  ...DROPOUT_SIGNATURES,
  ...OPTIM_SIGNATURES,
  ...GRADIENT_SIGNATURES,
  ...HSOFTMAX_SIGNATURES,
};

const ANY_WRONG: unknown[] = [undefined, null, 'a string', {}, [], [1, 2], 1n, Symbol('s'), () => 0];
const WRONG: Record<Kind, unknown[]> = {
  f32: [new Float64Array(5), new Uint32Array(5), new Int8Array(5), new DataView(new ArrayBuffer(20)), new ArrayBuffer(20), 5, true],
  u32: [new Float32Array(5), new Int32Array(5), 5, false],
  i32: [new Float32Array(2), new Uint32Array(2), new Int16Array(2), 5, false],
  f32list: [new Float32Array(5), [new Float64Array(3)], [new Float32Array(2), 'a string'], [new Float32Array(2), undefined], new Array(2), { length: 1, 0: new Float32Array(1) }],
  index: [-1, 1.5, NaN, Infinity, -Infinity, 2 ** 53, 2 ** 64, -0.5, '3', true, new Float32Array(1)],
  flag: [0, 1, 'true', new Float32Array(1)],
  float: [NaN, Infinity, -Infinity, 1e39, '1', false],
  double: [NaN, Infinity, -Infinity, '1', true],
  choice: [0, true, 'RELU', ' relu', '', new Float32Array(1)], // one of a few strings
};

/** Every bad call of a kernel: each argument replaced by each wrong value, wrong lengths, counts. */
function badCalls(signature: Signature): { label: string; args: unknown[] }[] {
  const calls: { label: string; args: unknown[] }[] = [];
  const valid = signature.valid();
  signature.kinds.forEach((kind, position) => {
    // An empty Array is a valid list of gradients.
    const anyWrong = kind === 'f32list' ? ANY_WRONG.filter((w) => !(Array.isArray(w) && w.length === 0)) : ANY_WRONG;
    for (const wrong of [...anyWrong, ...WRONG[kind]]) {
      const args = signature.valid();
      args[position] = wrong;
      calls.push({ label: `argument ${position} = ${String(typeof wrong === 'symbol' ? 'symbol' : wrong)}`, args });
    }
    if ((kind === 'f32' || kind === 'u32' || kind === 'i32') && !signature.freeLength?.includes(position)) {
      for (const delta of [-1, 1]) {
        const args = signature.valid();
        const array = args[position] as Float32Array;
        args[position] = new (array.constructor as Float32ArrayConstructor)(array.length + delta);
        calls.push({ label: `argument ${position} of length ${array.length + delta}`, args });
      }
    }
  });
  for (let count = 0; count < valid.length; count++) calls.push({ label: `${count} arguments`, args: valid.slice(0, count) });
  calls.push({ label: 'an extra argument', args: [...valid, F(1)] });
  signature.refused().forEach((args, i) => calls.push({ label: `refused call ${i}`, args }));
  return calls;
}

const addon = loadAddon().addon;
const targets: [string, Record<string, unknown> | undefined][] = [
  ['the native addon', addon as unknown as Record<string, unknown>],
  ['the reference backend', referenceBackend as unknown as Record<string, unknown>],
];

describe('the abuse signatures', () => {
  it('cover every kernel of the contract', () => {
    expect(Object.keys(SIGNATURES).sort()).toEqual([...KERNEL_NAMES].sort());
  });
});

describe.each(targets)('argument abuse of %s', (label, target) => {
  const skip = label === 'the native addon' && referenceOnly && !target;

  it.skipIf(skip).each(KERNEL_NAMES)('%s accepts its valid call and refuses every bad one', (name) => {
    expect(target, 'native addon loaded').toBeDefined();
    const fn = target![name] as (...args: unknown[]) => void;
    const signature = SIGNATURES[name];
    expect(() => fn(...signature.valid())).not.toThrow();
    const calls = badCalls(signature);
    expect(calls.length).toBeGreaterThan(20);
    for (const { label: what, args } of calls) {
      let error: unknown;
      try {
        fn(...args);
      } catch (e) {
        error = e;
      }
      expect(error, `${name} with ${what} did not throw`).toBeDefined();
      expect(error instanceof TypeError || error instanceof RangeError, `${name} with ${what}: ${String(error)}`).toBe(true);
      expect((error as Error).message.startsWith(`${name}: Expected`), `${name} with ${what}: ${(error as Error).message}`).toBe(true);
    }
  });

  it.skipIf(skip)('names the argument, what was expected and what was received', () => {
    const gemm = target!['gemm'] as (...args: unknown[]) => void;
    expect(() => gemm(false, false, 2, 3, 4, 1, F(7), F(12), 0, F(6))).toThrow(
      new RangeError('gemm: Expected a Float32Array of length m*k = 8 for a but received a Float32Array of length 7'),
    );
    expect(() => gemm(false, false, -1, 3, 4, 1, F(8), F(12), 0, F(6))).toThrow(
      new RangeError('gemm: Expected a non-negative integer no larger than 2^53-1 for m but received -1'),
    );
    expect(() => gemm(false, false, 2, 3, 4, 1, new Float64Array(8), F(12), 0, F(6))).toThrow(
      new TypeError('gemm: Expected a Float32Array for a but received a Float64Array of length 8'),
    );
    expect(() => gemm(false, false, 2, 3)).toThrow(new TypeError('gemm: Expected 10 arguments but received 4'));
    const add = target!['add'] as (...args: unknown[]) => void;
    const shared = F(6);
    expect(() => add(shared.subarray(0, 5), F(5), shared.subarray(1, 6))).toThrow(
      new RangeError('add: Expected out not to share memory with a but the two overlap'),
    );
  });
});

// Every kernel of the native addon and of the reference backend driven with wrong types, short
// and long arrays, negative, fractional, NaN and huge sizes, numbers outside their declared
// range, missing and extra arguments, and overlapping outputs: each call throws a TypeError or
// RangeError naming the kernel, the two backends throw the same one, and none takes the
// process down. The cases are derived from the declarations (abuse/derive.ts); the hand-written
// cases of abuse/<area>.ts, kept from before the declarations, run too.
import { describe, expect, it } from 'vitest';
import { KERNEL_NAMES, nativeBackend, nativeInfo, referenceBackend } from '../../lib/backend';
import type { KernelName } from '../../lib/backend';
import { DECLARATIONS } from '../../lib/backend/registry';
import { derivedRefusals, exampleCall, kindOf, type BadCall } from './abuse/derive';
import { DROPOUT_SIGNATURES } from './abuse/dropout';
import { ELEMENTWISE_SIGNATURES } from './abuse/elementwise';
import { GEMM_SIGNATURES } from './abuse/gemm';
import { GRADIENT_SIGNATURES } from './abuse/gradient';
import { HSOFTMAX_SIGNATURES } from './abuse/hsoftmax';
import { LAYOUT_SIGNATURES } from './abuse/layout';
import { LOSS_SIGNATURES } from './abuse/loss';
import { NORM_SIGNATURES } from './abuse/norm';
import { OPTIM_SIGNATURES } from './abuse/optim';
import { RANDOM_SIGNATURES } from './abuse/random';
import { REDUCE_SIGNATURES } from './abuse/reduce';
import { RNN_SIGNATURES } from './abuse/rnn';
import { F, type Kind, type Signature } from './abuse/signature';
import { referenceOnly } from './backends';

/** The hand-written cases of the kernels declared before the declarations existed. */
const HAND_WRITTEN: Partial<Record<KernelName, Signature>> = {
  ...GEMM_SIGNATURES, ...ELEMENTWISE_SIGNATURES, ...REDUCE_SIGNATURES, ...LOSS_SIGNATURES, ...RANDOM_SIGNATURES,
  ...LAYOUT_SIGNATURES, ...NORM_SIGNATURES, ...DROPOUT_SIGNATURES, ...OPTIM_SIGNATURES, ...GRADIENT_SIGNATURES,
  ...HSOFTMAX_SIGNATURES, ...RNN_SIGNATURES,
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

const label = (wrong: unknown) => String(typeof wrong === 'symbol' ? 'symbol' : wrong);

/** Each argument replaced by each wrong value of its kind, from a valid call; lengths one off where given. */
function wrongValues(kinds: Kind[], valid: () => unknown[], freeLength: number[] = [], lengths = false): BadCall[] {
  const calls: BadCall[] = [];
  kinds.forEach((kind, position) => {
    // An empty Array is a valid list of gradients.
    const anyWrong = kind === 'f32list' ? ANY_WRONG.filter((w) => !(Array.isArray(w) && w.length === 0)) : ANY_WRONG;
    for (const wrong of [...anyWrong, ...WRONG[kind]]) {
      const args = valid();
      args[position] = wrong;
      calls.push({ label: `argument ${position} = ${label(wrong)}`, args });
    }
    if (lengths && (kind === 'f32' || kind === 'u32' || kind === 'i32') && !freeLength.includes(position)) {
      for (const delta of [-1, 1]) {
        const args = valid();
        const array = args[position] as Float32Array;
        args[position] = new (array.constructor as Float32ArrayConstructor)(array.length + delta);
        calls.push({ label: `argument ${position} of length ${array.length + delta}`, args });
      }
    }
  });
  const example = valid();
  for (let count = 0; count < example.length; count++) calls.push({ label: `${count} arguments`, args: example.slice(0, count) });
  calls.push({ label: 'an extra argument', args: [...example, F(1)] });
  return calls;
}

const kindsOf = (name: KernelName) => DECLARATIONS[name].args.map(kindOf);

/** Every bad call of a kernel: derived from its declaration, and the hand-written ones. */
function badCalls(name: KernelName): BadCall[] {
  const calls = [...wrongValues(kindsOf(name), () => exampleCall(name)), ...derivedRefusals(name)];
  const hand = HAND_WRITTEN[name];
  if (hand) {
    calls.push(...wrongValues(hand.kinds, hand.valid, hand.freeLength, true).map((c) => ({ ...c, label: `hand-written ${c.label}` })));
    hand.refused().forEach((args, i) => calls.push({ label: `hand-written refused call ${i}`, args }));
  }
  return calls;
}

function thrown(fn: (...args: unknown[]) => unknown, args: unknown[]): unknown {
  try {
    fn(...args);
  } catch (e) {
    return e;
  }
  return undefined;
}

const native = nativeInfo().available ? (nativeBackend() as unknown as Record<string, (...args: unknown[]) => unknown>) : undefined;
const targets: [string, Record<string, (...args: unknown[]) => unknown> | undefined][] = [
  ['the native addon', native],
  ['the reference backend', referenceBackend as unknown as Record<string, (...args: unknown[]) => unknown>],
];

describe('the abuse cases', () => {
  it('keep the hand-written signatures: each declaration gives the kinds they were written for', () => {
    for (const [name, hand] of Object.entries(HAND_WRITTEN)) {
      expect(kindsOf(name as KernelName), name).toEqual(hand!.kinds);
    }
  });
});

describe.each(targets)('argument abuse of %s', (which, target) => {
  const skip = which === 'the native addon' && referenceOnly && !target;

  it.skipIf(skip).each(KERNEL_NAMES)('%s accepts its valid calls and refuses every bad one', (name) => {
    expect(target, 'native addon loaded').toBeDefined();
    const fn = target![name]!;
    expect(() => fn(...exampleCall(name))).not.toThrow();
    const hand = HAND_WRITTEN[name];
    if (hand) expect(() => fn(...hand.valid())).not.toThrow();
    const calls = badCalls(name);
    expect(calls.length).toBeGreaterThan(20);
    for (const { label: what, args } of calls) {
      const error = thrown(fn, args);
      expect(error, `${name} with ${what} did not throw`).toBeDefined();
      expect(error instanceof TypeError || error instanceof RangeError, `${name} with ${what}: ${String(error)}`).toBe(true);
      expect((error as Error).message.startsWith(`${name}: Expected`), `${name} with ${what}: ${(error as Error).message}`).toBe(true);
    }
  });

  it.skipIf(skip)('names the argument, what was expected and what was received', () => {
    const gemm = target!['gemm']!;
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
    const add = target!['add']!;
    const shared = F(6);
    expect(() => add(shared.subarray(0, 5), F(5), shared.subarray(1, 6))).toThrow(
      new RangeError('add: Expected out not to share memory with a but the two overlap'),
    );
  });
});

describe.skipIf(!native)('the two backends refuse alike', () => {
  it.each(KERNEL_NAMES)('%s: the addon throws the reference backend’s error for every bad call', (name) => {
    for (const { label: what, args } of badCalls(name)) {
      const ours = thrown(native![name]!, args) as Error;
      const theirs = thrown(referenceBackend[name] as (...a: unknown[]) => unknown, args) as Error;
      expect(ours?.constructor, `${name} with ${what}`).toBe(theirs?.constructor);
      expect(ours?.message, `${name} with ${what}`).toBe(theirs?.message);
    }
  });
});

// Every exported native function (and its reference twin) driven with wrong types, short and
// long arrays, negative, fractional, NaN and huge sizes, missing and extra arguments, and
// overlapping outputs: each call throws a TypeError or RangeError naming the function, and
// none takes the process down.
import { describe, expect, it } from 'vitest';
import { loadAddon } from '../../lib/backend/addon';
import { KERNEL_NAMES, referenceBackend } from '../../lib/backend';
import type { KernelName } from '../../lib/backend';
import { referenceOnly } from './backends';

type Kind = 'f32' | 'u32' | 'index' | 'flag' | 'float' | 'double';
interface Signature {
  kinds: Kind[];
  /** A valid call, fresh each time. */
  valid: () => unknown[];
  /** Valid-typed calls that must still be refused (sizes, overlaps, ranges). */
  refused: () => unknown[][];
  /** The array arguments whose length no other argument fixes. */
  freeLength?: number[];
}

const F = (n: number) => new Float32Array(n);

function detached(): Float32Array {
  const array = new Float32Array(6);
  structuredClone(array.buffer, { transfer: [array.buffer] });
  return array; // length 0 now
}

const SIGNATURES: Record<KernelName, Signature> = {
  gemm: {
    kinds: ['flag', 'flag', 'index', 'index', 'index', 'float', 'f32', 'f32', 'float', 'f32'],
    valid: () => [false, true, 2, 3, 4, 1, F(8), F(12), 0, F(6)],
    refused: () => {
      const shared = F(20);
      return [
        [false, false, 2 ** 26, 2 ** 27, 0, 1, F(0), F(0), 0, F(0)], // m·n = 2^53
        [false, false, 2 ** 31, 2 ** 31, 2 ** 31, 1, F(0), F(0), 0, F(0)], // products overflow
        [false, false, 2, 2, 2, 1, shared.subarray(0, 4), F(4), 0, shared.subarray(0, 4)], // c is a
        [false, false, 2, 2, 2, 1, F(4), shared.subarray(0, 4), 0, shared.subarray(2, 6)], // c overlaps b
        [false, false, 2, 3, 4, 1, detached(), F(12), 0, F(6)],
        [false, false, 2, 3, 4, 3.5e38, F(8), F(12), 0, F(6)], // alpha beyond float32
      ];
    },
  },
  add: binary(),
  mul: binary(),
  reluBackward: binary(),
  relu: {
    kinds: ['f32', 'f32'],
    valid: () => [F(5), F(5)],
    refused: () => {
      const shared = F(6);
      return [[shared.subarray(0, 5), shared.subarray(1, 6)], [F(5), detached()]];
    },
  },
  rowSum: sum(2),
  colSum: sum(3),
  randomBits: {
    kinds: ['u32', 'index', 'index'],
    valid: () => [new Uint32Array(5), 1, 2],
    freeLength: [0],
    refused: () => [[new Uint32Array(5), 1, 2 ** 53 - 3]], // offset + length passes 2^53 - 1
  },
  fillUniform: fill(),
  fillNormal: fill(),
};

function binary(): Signature {
  return {
    kinds: ['f32', 'f32', 'f32'],
    valid: () => [F(5), F(5), F(5)],
    refused: () => {
      const shared = F(6);
      return [
        [shared.subarray(0, 5), F(5), shared.subarray(1, 6)], // out partly overlaps the first
        [F(5), shared.subarray(1, 6), shared.subarray(0, 5)], // out partly overlaps the second
      ];
    },
  };
}

function sum(outLength: number): Signature {
  return {
    kinds: ['f32', 'index', 'index', 'f32'],
    valid: () => [F(6), 2, 3, F(outLength)],
    refused: () => {
      const shared = F(6 + outLength);
      return [
        [shared.subarray(0, 6), 2, 3, shared.subarray(5, 5 + outLength)], // out overlaps x
        [F(6), 2 ** 27, 2 ** 27, F(outLength)], // rows·cols = 2^54
      ];
    },
  };
}

function fill(): Signature {
  return {
    kinds: ['f32', 'index', 'index', 'double', 'double'],
    valid: () => [F(5), 3, 0, 0, 1],
    freeLength: [0],
    refused: () => [[F(5), 3, 2 ** 53 - 2, 0, 1], [F(5), 3, 0, 1, -1]], // past the stream; low > high or std < 0
  };
}

const ANY_WRONG: unknown[] = [undefined, null, 'a string', {}, [], [1, 2], 1n, Symbol('s'), () => 0];
const WRONG: Record<Kind, unknown[]> = {
  f32: [new Float64Array(5), new Uint32Array(5), new Int8Array(5), new DataView(new ArrayBuffer(20)), new ArrayBuffer(20), 5, true],
  u32: [new Float32Array(5), new Int32Array(5), 5, false],
  index: [-1, 1.5, NaN, Infinity, -Infinity, 2 ** 53, 2 ** 64, -0.5, '3', true, new Float32Array(1)],
  flag: [0, 1, 'true', new Float32Array(1)],
  float: [NaN, Infinity, -Infinity, 1e39, '1', false],
  double: [NaN, Infinity, -Infinity, '1', true],
};

/** Every bad call of a kernel: each argument replaced by each wrong value, wrong lengths, counts. */
function badCalls(signature: Signature): { label: string; args: unknown[] }[] {
  const calls: { label: string; args: unknown[] }[] = [];
  const valid = signature.valid();
  signature.kinds.forEach((kind, position) => {
    for (const wrong of [...ANY_WRONG, ...WRONG[kind]]) {
      const args = signature.valid();
      args[position] = wrong;
      calls.push({ label: `argument ${position} = ${String(typeof wrong === 'symbol' ? 'symbol' : wrong)}`, args });
    }
    if ((kind === 'f32' || kind === 'u32') && !signature.freeLength?.includes(position)) {
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

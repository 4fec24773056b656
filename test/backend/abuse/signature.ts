// How the argument-abuse test calls a kernel: the kind of each argument, a valid call, and
// valid-typed calls that must still be refused.

/** f32list: an Array of Float32Arrays (a model's gradients). */
export type Kind = 'f32' | 'u32' | 'i32' | 'f32list' | 'index' | 'flag' | 'float' | 'double' | 'choice';
export interface Signature {
  kinds: Kind[];
  /** A valid call, fresh each time. */
  valid: () => unknown[];
  /** Valid-typed calls that must still be refused (sizes, overlaps, ranges). */
  refused: () => unknown[][];
  /** The array arguments whose length no other argument fixes. */
  freeLength?: number[];
}

/** A Float32Array of length n. */
export const F = (n: number) => new Float32Array(n);

export function detached(): Float32Array {
  const array = new Float32Array(6);
  structuredClone(array.buffer, { transfer: [array.buffer] });
  return array; // length 0 now
}

/** out = f(first, second) elementwise: out may be either input, but not partly overlap one. */
export function binary(): Signature {
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


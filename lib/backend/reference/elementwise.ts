/** Reference elementwise kernels: one correctly rounded float32 operation per element. */
import type { ElementwiseKernels } from '../contract/elementwise';
import { checkCount, checkLength, checkSameOrDisjoint, f32 } from '../validate';

function checkBinary(
  fn: string, names: [string, string, string], args: IArguments,
): [Float32Array, Float32Array, Float32Array] {
  checkCount(fn, args.length, 3);
  const [first, second, output] = names;
  const a = f32(fn, first, args[0]);
  const b = f32(fn, second, args[1]);
  const out = f32(fn, output, args[2]);
  checkLength(fn, second, b, a.length, `${first}.length`);
  checkLength(fn, output, out, a.length, `${first}.length`);
  checkSameOrDisjoint(fn, output, out, first, a);
  checkSameOrDisjoint(fn, output, out, second, b);
  return [a, b, out];
}

export const referenceElementwise: ElementwiseKernels = {
  add(a, b, out) {
    checkBinary('add', ['a', 'b', 'out'], arguments);
    for (let i = 0; i < a.length; i++) out[i] = a[i]! + b[i]!;
  },

  mul(a, b, out) {
    checkBinary('mul', ['a', 'b', 'out'], arguments);
    for (let i = 0; i < a.length; i++) out[i] = a[i]! * b[i]!;
  },

  relu(x, out) {
    const fn = 'relu';
    checkCount(fn, arguments.length, 2);
    f32(fn, 'x', x);
    f32(fn, 'out', out);
    checkLength(fn, 'out', out, x.length, 'x.length');
    checkSameOrDisjoint(fn, 'out', out, 'x', x);
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      out[i] = v > 0 || Number.isNaN(v) ? v : 0; // NaN passes through for the NaN guards
    }
  },

  reluBackward(x, dy, dx) {
    checkBinary('reluBackward', ['x', 'dy', 'dx'], arguments);
    for (let i = 0; i < x.length; i++) dx[i] = x[i]! > 0 ? dy[i]! : 0; // subgradient 0 at 0
  },
};

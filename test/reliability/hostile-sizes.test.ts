// Sizes that ask for more memory than exists, or whose arithmetic overflows: every one is a
// RangeError naming what was expected, never an abort, a wrapped-around size or a silent NaN.
// The native cases run against the addon in use (the ASan build under scripts/sanitize.sh).
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { nativeBackend, zeros } from '../../lib';
import { parseIdx, parseNpy } from '../../lib/data';
import { deserialize } from '../../lib/io/safetensors';
import { referenceOnly } from '../backend/backends';

const F = (n: number) => new Float32Array(n);

describe('tensors of impossible sizes', () => {
  it.each([
    [[1e6, 1e6]],
    [[2 ** 31, 2 ** 31, 2 ** 31]], // the product passes 2^53: inexact in a JavaScript number
    [[2 ** 40, 2 ** 40, 2 ** 40, 2 ** 40]], // passes 2^64: would wrap around in a size_t
    [[2 ** 32 + 1]],
  ])('zeros(%j) is a RangeError saying how many elements it holds', (shape) => {
    expect(() => zeros(shape)).toThrow(RangeError);
    expect(() => zeros(shape)).toThrow(/Expected at most 2\^32 elements/);
  });

  it('keeps empty shapes cheap even with huge other dimensions', () => {
    expect(zeros([0, 2 ** 40]).data.length).toBe(0);
  });
});

describe.skipIf(referenceOnly)('native size arithmetic', () => {
  const b = () => nativeBackend();

  it('refuses products that wrap around 2^64 (m·k = 2^64 would be 0 in a size_t)', () => {
    expect(() => b().gemm(false, false, 2 ** 32, 0, 2 ** 32, 1, F(0), F(0), 0, F(0))).toThrow(RangeError);
    expect(() => b().gemm(false, false, 2 ** 32, 0, 2 ** 32, 1, F(0), F(0), 0, F(0))).toThrow(
      /gemm: Expected m\*k to be no larger than 2\^53-1/,
    );
    expect(() => b().transpose(F(0), 2 ** 32, 2 ** 32, F(0))).toThrow(/transpose: Expected rows\*cols to be no larger than 2\^53-1/);
  });

  it('refuses products past 2^53 in three factors (n·c·hw)', () => {
    expect(() => b().batchNormEval(F(0), 2 ** 20, 2 ** 20, 2 ** 20, F(2 ** 20), F(2 ** 20), F(2 ** 20), F(2 ** 20), 1e-5, F(0))).toThrow(
      /batchNormEval: Expected (n\*c|n\*c\*hw) to be no larger than 2\^53-1/,
    );
  });

  it('refuses random-stream offsets whose end passes 2^53', () => {
    expect(() => b().fillUniform(F(8), 1, 2 ** 53 - 4, 0, 1)).toThrow(RangeError);
    expect(() => b().dropoutForward(F(8), 0.5, 1, 2 ** 53 - 4, F(8))).toThrow(RangeError);
  });

  it('keeps empty inputs with huge other dimensions cheap (no scratch of that size)', () => {
    // rows = 0: nothing to compute, whatever cols says; a kernel that sized scratch by cols
    // alone would ask for 2^45 doubles here and fail.
    const cols = 2 ** 45;
    expect(() => b().softmax(F(0), 0, cols, F(0))).not.toThrow();
    expect(() => b().logSoftmax(F(0), 0, cols, F(0))).not.toThrow();
    expect(() => b().rowSum(F(0), 0, cols, F(0))).not.toThrow();
    expect(() => b().transpose(F(0), 0, cols, F(0))).not.toThrow();
  });

  it('returns at once when one axis is 2^52 and another 0 (nothing to compute, no 2^52-long loop)', () => {
    // In a child process: a kernel that walked the long axis would hang rather than fail.
    const run = spawnSync(process.execPath, [path.join(__dirname, 'empty-axes.cjs')], { encoding: 'utf8', timeout: 60_000 });
    expect(run.signal, 'the child was killed: a kernel walked a 2^52-long axis').toBeNull();
    expect(run.stderr).toBe('');
    const results = JSON.parse(run.stdout) as Record<string, string>;
    expect(Object.keys(results).length).toBeGreaterThanOrEqual(26);
    for (const [name, result] of Object.entries(results)) expect(result, name).toBe('ok');
  });
});

describe('files that declare impossible sizes', () => {
  it('IDX: a header declaring 2^32·2^32 values is a RangeError before any allocation', () => {
    const header = new Uint8Array([0, 0, 0x0d, 2, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    expect(() => parseIdx(header)).toThrow(RangeError);
  });

  it('NPY: a header declaring (1000000, 1000000) float32 is a RangeError', () => {
    const dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (1000000, 1000000), }";
    const headerLength = Math.ceil((10 + dict.length + 1) / 64) * 64 - 10;
    const text = dict.padEnd(headerLength - 1, ' ') + '\n';
    const bytes = new Uint8Array(10 + headerLength);
    bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, headerLength & 0xff, headerLength >> 8]);
    bytes.set(new TextEncoder().encode(text), 10);
    expect(() => parseNpy(bytes)).toThrow(RangeError);
  });

  it('safetensors: a tensor declaring [1e6, 1e6] in an 8-byte data section is refused', () => {
    const header = JSON.stringify({ w: { dtype: 'F32', shape: [1e6, 1e6], data_offsets: [0, 4e12] } });
    const bytes = new Uint8Array(8 + header.length + 8);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(header.length), true);
    bytes.set(new TextEncoder().encode(header), 8);
    expect(() => deserialize(bytes)).toThrow(/4000000000000|data/);
  });
});

// Builds test/native/gemm-bf16.cc with the addon's flags against the GEMM sources and runs it:
// the bfloat16 GEMM on every path this CPU has (AVX-512 BF16, the emulation on AVX-512, AVX2 and
// portable) and 1, 2 and 3 threads, bit for bit against the model of its numbers and within the
// float accumulation's bound of a double product. Skipped, saying so, without a C++ compiler.
import { expect, it } from 'vitest';
import { buildAndRun, compilerMissing, GEMM_BF16_SOURCES } from './compile';

it('bfloat16 GEMM: the same bits on every path and thread count, as its model states, near the double product', (context) => {
  const missing = compilerMissing();
  if (missing) {
    console.warn(`native bfloat16 GEMM: SKIPPED, ${missing}`);
    context.skip();
    return;
  }
  const run = buildAndRun('test/native/gemm-bf16.cc', GEMM_BF16_SOURCES);
  expect(run.stdout, run.stderr).toMatch(/ 0 failures/);
  expect(run.stdout).toMatch(/paths: .*portable/);
  expect(run.status).toBe(0);
}, 600_000);

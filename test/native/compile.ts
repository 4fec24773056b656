// The C++ test programs' build (scripts/build-native-program.js, shared with the benches): build,
// run once, clean up.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
const { buildNativeProgram, compilerMissing, GEMM_BF16_SOURCES } = require('../../scripts/build-native-program.js');

export { compilerMissing, GEMM_BF16_SOURCES };

/** Compiles `program` (a path under the package root) with `sources`, runs it, removes the build. */
export function buildAndRun(program: string, sources: string[]): { status: number | null; stdout: string; stderr: string } {
  const { dir, binary } = buildNativeProgram(program, sources);
  try {
    const run = spawnSync(binary, [], { encoding: 'utf8' });
    return { status: run.status, stdout: run.stdout, stderr: run.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

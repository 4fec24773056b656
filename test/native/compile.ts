// Builds a C++ test program against native sources with the addon's own flags
// (native/sources.json): *_avx2.cc files get the AVX2 flags, *_avx512.cc the AVX-512 ones, as in
// binding.gyp, so the program runs the kernels the addon runs. For tests of kernels that have no
// N-API entry yet, or whose every path must be driven from C++.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');

/** Why the program cannot be built here, or undefined when g++ is there. */
export function compilerMissing(): string | undefined {
  const probe = spawnSync('g++', ['--version'], { encoding: 'utf8' });
  return probe.status === 0 ? undefined : 'g++ is not installed (apt-get install g++)';
}

/**
 * Compiles `test` (a path under the package root) with `sources` into a temporary directory,
 * runs it and returns its output and exit status; the directory is removed afterwards.
 */
export function buildAndRun(test: string, sources: string[]): { status: number | null; stdout: string; stderr: string } {
  const config = JSON.parse(readFileSync(join(ROOT, 'native/sources.json'), 'utf8'));
  const flags: string[] = [...config.cflags, ...config.cflags_cc].filter((f: string) => f !== '-fvisibility=hidden');
  const x86 = process.arch === 'x64' || process.arch === 'ia32';
  const out = mkdtempSync(join(tmpdir(), 'tg-native-test-'));
  try {
    const objects: string[] = [];
    for (const source of sources) {
      const isa = /_avx2\.cc$/.test(source) ? config.avx2_cflags : /_avx512\.cc$/.test(source) ? config.avx512_cflags : [];
      if (isa.length && !x86) continue;
      const object = join(out, `${objects.length}.o`);
      execFileSync('g++', [...flags, ...isa, '-c', join(ROOT, source), '-o', object], { stdio: 'pipe' });
      objects.push(object);
    }
    const binary = join(out, 'test');
    execFileSync('g++', [...flags, join(ROOT, test), ...objects, '-lpthread', '-o', binary], { stdio: 'pipe' });
    const run = spawnSync(binary, [], { encoding: 'utf8' });
    return { status: run.status, stdout: run.stdout, stderr: run.stderr };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

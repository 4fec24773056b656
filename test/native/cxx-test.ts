// Builds a C++ test program (test/native/*.cc) with the addon's flags (native/sources.json)
// against the given kernel sources and the AVX2/AVX-512 GEMM objects, runs it and checks that
// it reports no failure. Skipped, saying so, without a C++ compiler.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const root = join(__dirname, '..', '..');
/** What every kernel test links: the pool, the CPU detection and the denormal switch. */
const RUNTIME = ['native/threadpool.cc', 'native/cpu.cc', 'native/denormals.cc'];

function compilerMissing(): string | undefined {
  const probe = spawnSync('g++', ['--version'], { encoding: 'utf8' });
  return probe.status === 0 ? undefined : 'g++ is not installed (apt-get install g++)';
}

/**
 * An `it` that compiles `test` with `kernels` (paths from the repository root) and runs it.
 * `isa`: units compiled with their suffix's flags (x_avx2.cc, x_avx512.cc), on x86 only.
 */
export function itRunsCxxTest(title: string, test: string, kernels: readonly string[], options: { gemm?: boolean; isa?: readonly string[] } = {}): void {
  it(title, (context) => {
    const missing = compilerMissing();
    if (missing) {
      console.warn(`${test}: SKIPPED, ${missing}`);
      context.skip();
      return;
    }
    const config = JSON.parse(readFileSync(join(root, 'native/sources.json'), 'utf8'));
    const flags: string[] = [...config.cflags, ...config.cflags_cc].filter((f: string) => f !== '-fvisibility=hidden');
    const out = mkdtempSync(join(tmpdir(), 'tg-cxx-'));
    try {
      const objects: string[] = [];
      if (process.arch === 'x64' || process.arch === 'ia32') {
        const units = [...(options.gemm ? ['native/kernels/gemm_avx2.cc', 'native/kernels/gemm_avx512.cc'] : []), ...(options.isa ?? [])];
        for (const [source, extra] of units.map((u) => [u, u.endsWith('_avx512.cc') ? config.avx512_cflags : config.avx2_cflags] as const)) {
          const object = join(out, `${objects.length}.o`);
          execFileSync('g++', [...flags, ...extra, '-c', join(root, source), '-o', object], { stdio: 'pipe' });
          objects.push(object);
        }
      }
      const binary = join(out, 'test');
      execFileSync('g++', [...flags, join(root, test), ...[...kernels, ...RUNTIME].map((k) => join(root, k)), ...objects, '-lpthread', '-o', binary], { stdio: 'pipe' });
      const run = spawnSync(binary, [], { encoding: 'utf8' });
      expect(run.stdout, run.stderr).toMatch(/ 0 failures/);
      expect(run.status).toBe(0);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 240_000);
}

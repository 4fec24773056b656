// Builds test/native/conv-kernels.cc with the addon's flags (native/sources.json) against the
// convolution, pooling and GEMM sources, and runs it: every kernel against double loops on every
// SIMD level, and the same bits on 1, 2 and 3 threads. Skipped, saying so, without a C++ compiler.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const root = join(__dirname, '..', '..');
const KERNELS = ['native/kernels/conv.cc', 'native/kernels/pool.cc', 'native/kernels/gemm.cc', 'native/threadpool.cc', 'native/cpu.cc', 'native/denormals.cc'];

function compilerMissing(): string | undefined {
  const probe = spawnSync('g++', ['--version'], { encoding: 'utf8' });
  return probe.status === 0 ? undefined : 'g++ is not installed (apt-get install g++)';
}

it('native conv and pool kernels match double loops on every SIMD level and thread count', (context) => {
  const missing = compilerMissing();
  if (missing) {
    console.warn(`native conv kernels: SKIPPED, ${missing}`);
    context.skip();
    return;
  }
  const config = JSON.parse(readFileSync(join(root, 'native/sources.json'), 'utf8'));
  const flags: string[] = [...config.cflags, ...config.cflags_cc].filter((f: string) => f !== '-fvisibility=hidden');
  const out = mkdtempSync(join(tmpdir(), 'tg-conv-'));
  try {
    const x86 = process.arch === 'x64' || process.arch === 'ia32';
    const objects: string[] = [];
    if (x86) {
      for (const [source, extra] of [['native/kernels/gemm_avx2.cc', config.avx2_cflags], ['native/kernels/gemm_avx512.cc', config.avx512_cflags]] as const) {
        const object = join(out, `${objects.length}.o`);
        execFileSync('g++', [...flags, ...extra, '-c', join(root, source), '-o', object], { stdio: 'pipe' });
        objects.push(object);
      }
    }
    const binary = join(out, 'conv-kernels');
    execFileSync('g++', [...flags, join(root, 'test/native/conv-kernels.cc'), ...KERNELS.map((k) => join(root, k)), ...objects, '-lpthread', '-o', binary], { stdio: 'pipe' });
    const run = spawnSync(binary, [], { encoding: 'utf8' });
    expect(run.stdout, run.stderr).toMatch(/ 0 failures/);
    expect(run.status).toBe(0);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}, 240_000);

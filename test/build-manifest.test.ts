// Both build files take their sources and flags from scripts/native-config.js (every .cc under
// native/, the flags of native/sources.json); this keeps the two from drifting apart, so a
// kernel file cannot be built by one and forgotten by the other, or by both, and keeps the
// kernel registrations where the linker cannot drop them.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..');
const config = JSON.parse(fs.readFileSync(path.join(root, 'native', 'sources.json'), 'utf8'));
const list = (key: string) =>
  execFileSync(process.execPath, [path.join(root, 'scripts', 'native-config.js'), key, '--lines'], { encoding: 'utf8' })
    .split('\n').filter((line) => line !== '');

function sourcesUnder(dir: string): string[] {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) return sourcesUnder(rel);
    return entry.name.endsWith('.cc') ? [rel] : [];
  });
}

describe('the native build lists (scripts/native-config.js)', () => {
  it('give every C++ source under native/, once', () => {
    const listed = [...list('sources'), ...list('avx2_sources'), ...list('avx512_sources')].sort();
    // native/mpi is the optional MPI binding, with its own list (test/distributed/build-files.test.ts).
    expect(listed).toEqual(sourcesUnder('native').filter((f) => !f.startsWith('native/mpi/')).sort());
    expect(new Set(listed).size).toBe(listed.length);
  });

  it('put exactly the *_avx2.cc units in the AVX2 list and the *_avx512.cc ones in the AVX-512 list', () => {
    const [portable, avx2, avx512] = [list('sources'), list('avx2_sources'), list('avx512_sources')];
    expect(avx2.length).toBeGreaterThan(0);
    expect(avx512.length).toBeGreaterThan(0);
    expect(avx2.every((f) => f.endsWith('_avx2.cc'))).toBe(true);
    expect(avx512.every((f) => f.endsWith('_avx512.cc'))).toBe(true);
    expect(portable.some((f) => f.endsWith('_avx2.cc') || f.endsWith('_avx512.cc'))).toBe(false);
  });

  it('register kernels only in the addon\'s own units: the SIMD units are static libraries, whose unreferenced objects the linker drops', () => {
    for (const file of [...list('avx2_sources'), ...list('avx512_sources')]) {
      expect(fs.readFileSync(path.join(root, file), 'utf8'), file).not.toMatch(/^TG_KERNEL(_FOR)?\([^)]*\)\s*\{/m);
    }
  });

  it('give the AVX-512 units the AVX-512 subsets the CPU check requires (native/cpu.cc)', () => {
    expect(config.avx512_cflags).toEqual(
      expect.arrayContaining(['-mavx512f', '-mavx512bw', '-mavx512dq', '-mavx512vl', '-mfma']),
    );
    expect(list('avx512_cflags')).toEqual(config.avx512_cflags);
  });

  it('are what binding.gyp and CMakeLists.txt both read', () => {
    const gyp = fs.readFileSync(path.join(root, 'binding.gyp'), 'utf8');
    const cmake = fs.readFileSync(path.join(root, 'CMakeLists.txt'), 'utf8');
    for (const key of ['sources', 'avx2_sources', 'avx512_sources', 'defines', 'cflags', 'cflags_cc', 'avx2_cflags', 'avx512_cflags']) {
      expect(gyp, `binding.gyp reads ${key}`).toContain(`native-config.js ${key})`);
      expect(cmake, `CMakeLists.txt reads ${key}`).toContain(`tg_config_list(${key} `);
    }
    expect(config.cflags).toEqual(expect.arrayContaining(['-O3', '-fvisibility=hidden']));
    expect(config.defines).toEqual(expect.arrayContaining([expect.stringMatching(/^NAPI_VERSION=\d+$/)]));
  });

  it('refuse a key they do not know, naming the ones they do', () => {
    let stderr = '';
    try {
      execFileSync(process.execPath, [path.join(root, 'scripts', 'native-config.js'), 'sourcez'], { encoding: 'utf8', stdio: 'pipe' });
    } catch (e) {
      stderr = String((e as { stderr: string }).stderr);
    }
    expect(stderr).toContain('expected one of sources, avx2_sources, avx512_sources');
  });
});

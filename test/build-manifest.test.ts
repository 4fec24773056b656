// Both build files read native/sources.json; this keeps that list complete, so a kernel file
// cannot be built by one and forgotten by the other, or by both.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..');
const config = JSON.parse(fs.readFileSync(path.join(root, 'native', 'sources.json'), 'utf8'));

function sourcesUnder(dir: string): string[] {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) return sourcesUnder(rel);
    return entry.name.endsWith('.cc') ? [rel] : [];
  });
}

describe('native/sources.json', () => {
  it('lists every C++ source under native/, once', () => {
    const listed = [...config.sources, ...config.avx2_sources, ...config.avx512_sources].sort();
    // native/mpi is the optional MPI binding, with its own list (test/distributed/build-files.test.ts).
    expect(listed).toEqual(sourcesUnder('native').filter((f) => !f.startsWith('native/mpi/')).sort());
    expect(new Set(listed).size).toBe(listed.length);
  });

  it('puts exactly the *_avx2.cc units in the AVX2 list and the *_avx512.cc ones in the AVX-512 list', () => {
    expect(config.avx2_sources.every((f: string) => f.endsWith('_avx2.cc'))).toBe(true);
    expect(config.avx512_sources.every((f: string) => f.endsWith('_avx512.cc'))).toBe(true);
    const others = [...config.sources, ...config.avx2_sources];
    expect(config.sources.some((f: string) => f.endsWith('_avx2.cc'))).toBe(false);
    expect(others.some((f: string) => f.endsWith('_avx512.cc'))).toBe(false);
  });

  it('gives the AVX-512 units the AVX-512 subsets the CPU check requires (native/cpu.cc)', () => {
    expect(config.avx512_cflags).toEqual(
      expect.arrayContaining(['-mavx512f', '-mavx512bw', '-mavx512dq', '-mavx512vl', '-mfma']),
    );
  });

  it('is what binding.gyp and CMakeLists.txt both read', () => {
    const gyp = fs.readFileSync(path.join(root, 'binding.gyp'), 'utf8');
    const cmake = fs.readFileSync(path.join(root, 'CMakeLists.txt'), 'utf8');
    for (const key of ['sources', 'avx2_sources', 'avx512_sources', 'defines', 'cflags', 'cflags_cc', 'avx2_cflags', 'avx512_cflags']) {
      expect(gyp, `binding.gyp reads ${key}`).toContain(`native-config.js ${key})`);
      expect(cmake, `CMakeLists.txt reads ${key}`).toContain(`tg_config_list(${key} `);
    }
    expect(config.cflags).toEqual(expect.arrayContaining(['-O3', '-fvisibility=hidden']));
    expect(config.defines).toEqual(expect.arrayContaining([expect.stringMatching(/^NAPI_VERSION=\d+$/)]));
  });
});

// The optional MPI binding's build: its own source list, read by both build files, complete; the
// gyp block and the CMake block guarded so a machine without MPI configures the addon as before.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..', '..');
const config = JSON.parse(fs.readFileSync(path.join(root, 'native', 'mpi', 'sources.json'), 'utf8')) as { sources: string[] };

describe('native/mpi/sources.json', () => {
  it('lists every C++ source under native/mpi, once, and none of the main addon', () => {
    const present = fs.readdirSync(path.join(root, 'native', 'mpi')).filter((f) => f.endsWith('.cc')).map((f) => `native/mpi/${f}`);
    expect([...config.sources].sort()).toEqual(present.sort());
    // The main addon's sources (every .cc under native/ but this folder: scripts/native-config.js).
    const main = ['sources', 'avx2_sources', 'avx512_sources'].flatMap((key) =>
      spawnSync(process.execPath, [path.join(root, 'scripts', 'native-config.js'), key, '--lines'], { encoding: 'utf8' }).stdout.split('\n'));
    expect(main.length).toBeGreaterThan(10);
    expect(main.filter((f) => f.startsWith('native/mpi/'))).toEqual([]);
  });

  it('is what binding.gyp (behind tensorgrad_mpi==1) and CMakeLists.txt (behind MPI_CXX_FOUND) read', () => {
    const gyp = fs.readFileSync(path.join(root, 'binding.gyp'), 'utf8');
    const cmake = fs.readFileSync(path.join(root, 'CMakeLists.txt'), 'utf8');
    expect(gyp).toContain('"tensorgrad_mpi%": "<!(node scripts/mpi-config.js available)"');
    expect(gyp).toMatch(/\["tensorgrad_mpi==1", \{\s*"targets": \[\s*\{[^]*"target_name": "tensorgrad_mpi"/);
    expect(gyp).toContain('mpi-config.js sources)');
    expect(cmake).toContain('native/mpi/sources.json');
    expect(cmake).toMatch(/if\(MPI_CXX_FOUND\)[^]*add_library\(tensorgrad_mpi SHARED/);
  });

  it('scripts/mpi-config.js says 0 and why with TENSORGRAD_MPI=0, and prints empty flags', () => {
    const ask = (key: string) => spawnSync(process.execPath, [path.join(root, 'scripts', 'mpi-config.js'), key], { encoding: 'utf8', env: { ...process.env, TENSORGRAD_MPI: '0' } });
    expect(ask('available').stdout).toBe('0');
    expect(ask('why').stdout).toBe('TENSORGRAD_MPI=0 turned it off');
    expect(ask('cflags').stdout).toBe('');
    expect(ask('libs').stdout).toBe('');
    expect(ask('sources').stdout.split(' ')).toEqual(config.sources);
    expect(ask('bogus').status).toBe(1);
  });

  it('scripts/mpi-config.js says why when the wrapper is missing', () => {
    const run = spawnSync(process.execPath, [path.join(root, 'scripts', 'mpi-config.js'), 'why'], { encoding: 'utf8', env: { ...process.env, MPICXX: '/nonexistent/mpicxx' } });
    expect(run.stdout).toBe('no MPI C++ wrapper (/nonexistent/mpicxx) on PATH');
  });
});

// Which prebuild the loader may use: the manifest beside the binary must match this process's
// platform, architecture, C library and N-API version, and every mismatch is named.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { matchingPrebuild, prebuildDir, runtimeLibc, type PrebuildManifest } from '../../lib/backend/prebuild';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) fs.rmSync(root, { recursive: true, force: true });
});

function packageWith(manifest: Partial<PrebuildManifest> | string | undefined, binary = true): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tensorgrad-prebuild-'));
  roots.push(root);
  const dir = prebuildDir(root);
  fs.mkdirSync(dir, { recursive: true });
  if (binary) fs.writeFileSync(path.join(dir, 'tensorgrad.node'), 'not really a binary');
  if (manifest !== undefined) {
    fs.writeFileSync(path.join(dir, 'tensorgrad.json'), typeof manifest === 'string' ? manifest : JSON.stringify(manifest));
  }
  return root;
}

const here: PrebuildManifest = {
  platform: process.platform,
  arch: process.arch,
  libc: runtimeLibc(),
  napiVersion: 8,
  simd: ['avx2', 'portable'],
};

describe('matchingPrebuild', () => {
  it('takes a prebuild built for this platform, arch, libc and an N-API version this Node has', () => {
    const root = packageWith(here);
    expect(matchingPrebuild(root)).toEqual({ file: path.join(prebuildDir(root), 'tensorgrad.node'), manifest: here });
  });

  it('says there is none for this platform when the directory has no binary', () => {
    expect(matchingPrebuild(packageWith(here, false))).toEqual({
      reason: expect.stringMatching(new RegExp(`no prebuild for ${process.platform}-${process.arch}`)),
    });
  });

  it('names every mismatch', () => {
    const other = packageWith({ ...here, arch: 'arm64', libc: here.libc === 'musl' ? 'glibc' : 'musl', napiVersion: 99 });
    const result = matchingPrebuild(other) as { reason: string };
    expect(result.reason).toMatch(new RegExp(`arch arm64, this is ${process.arch}`));
    expect(result.reason).toMatch(/libc (musl|glibc), this is/);
    expect(result.reason).toMatch(new RegExp(`N-API 99, this Node offers ${process.versions.napi}`));
  });

  it('refuses a binary without a readable manifest', () => {
    expect((matchingPrebuild(packageWith(undefined)) as { reason: string }).reason).toMatch(/tensorgrad\.json is missing or unreadable/);
    expect((matchingPrebuild(packageWith('{ not json')) as { reason: string }).reason).toMatch(/missing or unreadable/);
  });

  it('detects glibc on this Linux (the C library the prebuilds are made for)', () => {
    if (process.platform !== 'linux') return;
    expect(runtimeLibc()).toBe(fs.existsSync('/etc/alpine-release') ? 'musl' : 'glibc');
  });
});

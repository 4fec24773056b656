/**
 * Prebuilt addons shipped inside the package: prebuilds/<platform>-<arch>/tensorgrad.node with a
 * tensorgrad.json beside it saying what it was built for (written by `npm run prebuild`). One
 * binary serves every Node version with at least its N-API version, so the key is the platform,
 * the architecture and the C library only.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** What scripts/prebuild.js records about a binary. */
export interface PrebuildManifest {
  platform: string;
  arch: string;
  /** "glibc" or "musl" on Linux, "" elsewhere. */
  libc: string;
  /** The N-API version it was built against; it loads on any Node offering at least this. */
  napiVersion: number;
  /** The SIMD levels compiled in (the best one the CPU has is chosen at run time). */
  simd: string[];
  /** The Node version and compiler that built it, for bug reports. */
  builtWith?: { node: string; compiler?: string };
}

/** The C library this process runs on: "glibc" or "musl" on Linux, "" elsewhere. */
export function runtimeLibc(): string {
  if (process.platform !== 'linux') return '';
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  return header?.glibcVersionRuntime ? 'glibc' : 'musl';
}

/** The directory a prebuild for this process would be in. */
export function prebuildDir(packageRoot: string): string {
  return path.join(packageRoot, 'prebuilds', `${process.platform}-${process.arch}`);
}

/**
 * The prebuild for this process, or why there is none that fits: a missing directory or manifest,
 * or the platform, architecture, C library or N-API version it needs.
 */
export function matchingPrebuild(packageRoot: string): { file: string; manifest: PrebuildManifest } | { reason: string } {
  const dir = prebuildDir(packageRoot);
  const file = path.join(dir, 'tensorgrad.node');
  const manifestFile = path.join(dir, 'tensorgrad.json');
  if (!fs.existsSync(file)) return { reason: `no prebuild for ${process.platform}-${process.arch} (${file} does not exist)` };
  let manifest: PrebuildManifest;
  try {
    manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as PrebuildManifest;
  } catch (e) {
    return { reason: `${manifestFile} is missing or unreadable (${(e as Error).message})` };
  }
  const libc = runtimeLibc();
  const napi = Number(process.versions.napi);
  const mismatches: string[] = [];
  if (manifest.platform !== process.platform) mismatches.push(`platform ${manifest.platform}, this is ${process.platform}`);
  if (manifest.arch !== process.arch) mismatches.push(`arch ${manifest.arch}, this is ${process.arch}`);
  if ((manifest.libc ?? '') !== libc) mismatches.push(`libc ${manifest.libc || 'none'}, this is ${libc || 'none'}`);
  if (!(manifest.napiVersion <= napi)) mismatches.push(`N-API ${manifest.napiVersion}, this Node offers ${napi}`);
  if (mismatches.length > 0) return { reason: `${file} was built for ${mismatches.join('; ')}` };
  return { file, manifest };
}

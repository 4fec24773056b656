/**
 * Finds and loads the native addon, once, trying in order:
 * 1. TENSORGRAD_ADDON=path when set (the cmake-js build, a sanitizer build), and then nothing else:
 *    a run that names a build must not silently test another one;
 * 2. the prebuild shipped in the package (prebuilds/<platform>-<arch>), when its manifest fits
 *    this platform, architecture, C library and N-API version;
 * 3. the local build that `npm install` or `npm run build` made (build/Release).
 * When none loads, `error` lists every candidate and why it failed, for the one warning that
 * select.ts prints before falling back to the reference backend.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Plan } from './plan';
import { matchingPrebuild, runtimeLibc } from './prebuild';
import { KERNEL_NAMES } from './registry';
import { PACKAGE_ROOT } from '../paths';

/**
 * What the addon exports: its C++ kernel entries, the binder that makes each a function
 * checking its arguments by the plan compiled from its declaration (native.ts), the thread pool
 * and denormal switches, and a few facts about the build.
 */
export interface NativeAddon {
  /** "name:dtype" of every kernel entry the build registered (native/registry.h). */
  kernelEntries(): string[];
  /** A function running the entry after checking its arguments against the plan. */
  bindKernel(entry: string, plan: Plan): (...args: unknown[]) => unknown;
  /** The SIMD level in use ("avx512", "avx2" or "portable"); with an argument, switches to it. */
  simdLevel(level?: SimdLevel): SimdLevel;
  /** The best SIMD level this CPU supports. */
  readonly detectedSimd: SimdLevel;
  /** Whether the bfloat16 GEMM uses the AVX-512 BF16 instructions now; with an argument, turns them on or off. */
  bf16Instructions(on?: boolean): boolean;
  /** Whether this CPU (and build) has the AVX-512 BF16 instructions. */
  readonly detectedBf16: boolean;
  /** The N-API version the addon was built for. */
  readonly napiVersion: number;
  setNumThreads(n: number): number;
  getNumThreads(): number;
  setFlushDenormal(on: boolean): boolean;
  getFlushDenormal(): boolean;
}
/**
 * The native kernels' SIMD levels, best first; a CPU that runs one runs every level after it. On
 * avx512, GEMM takes its AVX-512 micro-kernel and the other kernels their AVX2 code.
 */
export const SIMD_LEVELS = ['avx512', 'avx2', 'portable'] as const;
export type SimdLevel = (typeof SIMD_LEVELS)[number];

/** Where an addon file came from, in the order they are tried. */
export type AddonSource = 'TENSORGRAD_ADDON' | 'prebuild' | 'local build';

export interface AddonLoad {
  addon?: NativeAddon;
  /** The file that loaded, and which kind of candidate it was. */
  path?: string;
  source?: AddonSource;
  /** Every candidate passed over before the one that loaded (or all of them), with the reason. */
  skipped?: string[];
  /** Why no addon loaded: each path tried and what went wrong with it. */
  error?: string;
}

let cached: AddonLoad | undefined;

interface Candidate {
  source: AddonSource;
  file?: string;
  /** Why the candidate was passed over without trying to load it. */
  unusable?: string;
}

function candidates(): Candidate[] {
  const forced = process.env['TENSORGRAD_ADDON'];
  if (forced) return [{ source: 'TENSORGRAD_ADDON', file: path.resolve(forced) }];
  const local = path.join(PACKAGE_ROOT, 'build', 'Release', 'tensorgrad.node');
  const prebuild = matchingPrebuild(PACKAGE_ROOT);
  let first: Candidate = 'file' in prebuild ? { source: 'prebuild', file: prebuild.file } : { source: 'prebuild', unusable: prebuild.reason };
  // A developer who rebuilt after `npm run prebuild` means the rebuilt kernels.
  if (first.file && modified(local) > modified(first.file)) {
    first = { source: 'prebuild', unusable: `${first.file} is older than the local build ${local}` };
  }
  return [first, { source: 'local build', file: local }];
}

function modified(file: string): number {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return -Infinity;
  }
}

function tryLoad(file: string): NativeAddon {
  if (!fs.existsSync(file)) throw new Error('no such file (run `npm install` or `npm run build`)');
  const module = { exports: {} as NativeAddon };
  process.dlopen(module, file);
  if (typeof module.exports.bindKernel !== 'function') throw new Error('the file is not the tensorgrad addon');
  // A build older than the TypeScript (a stale prebuild) lacks kernels: let the next one serve.
  const entries = new Set(module.exports.kernelEntries());
  const missing = KERNEL_NAMES.filter((name) => !entries.has(`${name}:float32`));
  if (missing.length > 0) throw new Error(`the build is older than this library: it lacks ${missing.join(', ')}`);
  return module.exports;
}

export function loadAddon(): AddonLoad {
  if (cached) return cached;
  const failures: string[] = [];
  for (const candidate of candidates()) {
    if (!candidate.file) {
      failures.push(`${candidate.source}: ${candidate.unusable}`);
      continue;
    }
    try {
      cached = { addon: tryLoad(candidate.file), path: candidate.file, source: candidate.source, skipped: failures };
      return cached;
    } catch (e) {
      failures.push(`${candidate.source}: ${candidate.file}: ${(e as Error).message.trim()}`);
    }
  }
  const libc = runtimeLibc();
  cached = {
    skipped: failures,
    error: `the native addon did not load (platform ${process.platform}-${process.arch}` +
      `${libc ? `, ${libc}` : ''}, N-API ${process.versions.napi}, Node ${process.versions.node}); ` +
      `tried ${failures.join('; ')}`,
  };
  return cached;
}

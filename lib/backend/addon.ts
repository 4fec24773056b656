/**
 * Finds and loads the native addon, once. TENSORGRAD_ADDON=path picks a build (the cmake-js one,
 * a sanitizer build); otherwise the node-gyp build that `npm install` made.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Backend } from './backend';

/** What the addon exports: the kernels of the contract plus a few facts about the build. */
export type NativeAddon = Omit<Backend, 'name'> & {
  /** The SIMD level in use ("avx512", "avx2" or "portable"); with an argument, switches to it. */
  simdLevel(level?: SimdLevel): SimdLevel;
  /** The best SIMD level this CPU supports. */
  readonly detectedSimd: SimdLevel;
  /** The N-API version the addon was built for. */
  readonly napiVersion: number;
};
/**
 * The native kernels' SIMD levels, best first; a CPU that runs one runs every level after it. On
 * avx512, GEMM takes its AVX-512 micro-kernel and the other kernels their AVX2 code.
 */
export const SIMD_LEVELS = ['avx512', 'avx2', 'portable'] as const;
export type SimdLevel = (typeof SIMD_LEVELS)[number];

export interface AddonLoad {
  addon?: NativeAddon;
  /** The file that loaded. */
  path?: string;
  /** Why no addon loaded: each path tried and what went wrong with it. */
  error?: string;
}

/** The package root: lib/backend (sources) and dist/backend (built) both sit two levels below. */
export const PACKAGE_ROOT = path.resolve(__dirname, '..', '..');

let cached: AddonLoad | undefined;

function candidates(): string[] {
  const forced = process.env['TENSORGRAD_ADDON'];
  if (forced) return [path.resolve(forced)];
  return [path.join(PACKAGE_ROOT, 'build', 'Release', 'tensorgrad.node')];
}

function tryLoad(file: string): NativeAddon {
  if (!fs.existsSync(file)) throw new Error('no such file (run `npm install` or `npm run build`)');
  const module = { exports: {} as NativeAddon };
  process.dlopen(module, file);
  if (typeof module.exports.gemm !== 'function') throw new Error('the file is not the tensorgrad addon');
  return module.exports;
}

export function loadAddon(): AddonLoad {
  if (cached) return cached;
  const failures: string[] = [];
  for (const file of candidates()) {
    try {
      cached = { addon: tryLoad(file), path: file };
      return cached;
    } catch (e) {
      failures.push(`${file}: ${(e as Error).message}`);
    }
  }
  cached = {
    error: `the native addon did not load (platform ${process.platform}-${process.arch}, ` +
      `N-API ${process.versions.napi}); tried ${failures.join('; ')}`,
  };
  return cached;
}

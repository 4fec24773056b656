/**
 * The native backend: the addon's kernels, called directly (the addon checks every argument).
 */
import type { Backend, KernelName } from './backend';
import { KERNEL_NAMES } from './contract';
import { loadAddon, SIMD_LEVELS, type AddonSource, type NativeAddon, type SimdLevel } from './addon';

let cached: Backend | undefined;

/**
 * The native backend: every kernel of the contract taken from the addon, or an Error saying why
 * the addon is unavailable or lacks a kernel (a build older than the TypeScript).
 */
export function nativeBackend(): Backend {
  if (cached) return cached;
  const addon = requireAddon() as unknown as Record<string, unknown>;
  const missing = KERNEL_NAMES.filter((name) => typeof addon[name] !== 'function');
  if (missing.length > 0) {
    throw new Error(`tensorgrad: the native addon at ${loadAddon().path} lacks ${missing.join(', ')}; rebuild it (npm run build)`);
  }
  const backend: Partial<Record<KernelName, unknown>> & { name: 'native' } = { name: 'native' };
  for (const name of KERNEL_NAMES) backend[name] = addon[name];
  cached = backend as Backend;
  return cached;
}

function requireAddon(): NativeAddon {
  const load = loadAddon();
  if (!load.addon) throw new Error(`tensorgrad: ${load.error}`);
  return load.addon;
}

export interface NativeInfo {
  /** Whether the addon loaded. */
  available: boolean;
  /** The addon file, when it loaded, and where it came from (TENSORGRAD_ADDON, prebuild, local build). */
  path?: string;
  source?: AddonSource;
  /** Candidates passed over before the one that loaded, each with the reason. */
  skipped?: string[];
  /** Why it did not load. */
  error?: string;
  /** The SIMD level the kernels take now, and the best this CPU supports. */
  simd?: SimdLevel;
  detectedSimd?: SimdLevel;
  /** Every level this CPU can run, best first (what setSimdLevel accepts). */
  simdLevels?: SimdLevel[];
  napiVersion?: number;
}

export function nativeInfo(): NativeInfo {
  const load = loadAddon();
  if (!load.addon) return { available: false, error: load.error! };
  return {
    available: true,
    path: load.path!,
    source: load.source!,
    skipped: load.skipped ?? [],
    simd: load.addon.simdLevel(),
    detectedSimd: load.addon.detectedSimd,
    simdLevels: SIMD_LEVELS.slice(SIMD_LEVELS.indexOf(load.addon.detectedSimd)),
    napiVersion: load.addon.napiVersion,
  };
}

/**
 * Switches the native kernels to a SIMD level this CPU can run (`nativeInfo().simdLevels`): every
 * level gives the contract's results, and the tests run them all. Returns the level now in use.
 */
export function setSimdLevel(level: SimdLevel): SimdLevel {
  return requireAddon().simdLevel(level);
}

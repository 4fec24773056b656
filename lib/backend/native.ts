/**
 * The native backend: the addon's C++ kernels, each bound to the plan compiled from its
 * declaration (plan.ts), so the addon checks every argument as the reference does before the
 * kernel runs. Calls go straight to C++: there is no JavaScript between a caller and a kernel.
 */
import type { Backend, KernelName, KernelsOf } from './backend';
import type { DType } from './declare';
import { loadAddon, SIMD_LEVELS, type AddonSource, type NativeAddon, type SimdLevel } from './addon';
import { declares, DECLARATIONS, KERNEL_NAMES, planOf, undeclared } from './registry';
import { describe } from './validate';

const tables = new Map<NativeDType, unknown>();
let cached: Backend | undefined;

/** The dtypes with C++ kernels; float64 is the reference loops' (gradient checks). */
export type NativeDType = Exclude<DType, 'float64'>;

/**
 * The native kernels of a dtype: each declared kernel bound to its C++ entry, or an Error when
 * the addon is unavailable or lacks an entry (a build older than the TypeScript). A kernel that
 * does not declare the dtype throws a TypeError saying which it declares.
 */
export function nativeKernels<D extends NativeDType>(dtype: D): KernelsOf<D> {
  let kernels = tables.get(dtype);
  if (kernels) return kernels as KernelsOf<D>;
  const addon = requireAddon();
  const entries = new Set(addon.kernelEntries());
  const missing = KERNEL_NAMES.filter((name) => DECLARATIONS[name].dtypes.includes(dtype) && !entries.has(entryOf(name, dtype)));
  if (missing.length > 0) {
    throw new Error(`tensorgrad: the native addon at ${loadAddon().path} lacks ${missing.join(', ')} for ${dtype}; rebuild it (npm run build)`);
  }
  const table: Partial<Record<KernelName, unknown>> = {};
  for (const name of KERNEL_NAMES) {
    const entry = entryOf(name, dtype);
    table[name] = declares(name, dtype) && entries.has(entry) ? addon.bindKernel(entry, planOf(name, dtype)) : undeclared(name, dtype);
  }
  tables.set(dtype, (kernels = table));
  return kernels as KernelsOf<D>;
}

/** A kernel without arrays of the dtype serves every dtype with its float32 entry. */
function entryOf(name: KernelName, dtype: DType): string {
  return `${name}:${DECLARATIONS[name].dtypes.includes(dtype) ? dtype : 'float32'}`;
}

/** The native backend: every kernel of the contract in float32. */
export function nativeBackend(): Backend {
  cached ??= { ...nativeKernels('float32'), name: 'native' };
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
  /**
   * Whether this CPU has the AVX-512 BF16 instructions (vdpbf16ps), and whether the bfloat16
   * GEMM uses them now: only on the avx512 level, unless setBf16Instructions(false) or
   * TENSORGRAD_BF16=emulate turned them off. Without them it runs an emulation that gives the
   * same bits, slower.
   */
  detectedBf16?: boolean;
  bf16?: boolean;
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
    detectedBf16: load.addon.detectedBf16,
    bf16: load.addon.bf16Instructions() && load.addon.simdLevel() === 'avx512',
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

/**
 * Turns the bfloat16 GEMM's AVX-512 BF16 instructions on or off (off: its emulation, the same
 * bits; the tests run both). Turning them on where nativeInfo().detectedBf16 is false is a
 * RangeError. Returns the setting.
 */
export function setBf16Instructions(on: boolean): boolean {
  if (arguments.length !== 1 || typeof on !== 'boolean') {
    throw new TypeError(`setBf16Instructions: Expected true or false for on but received ${arguments.length === 1 ? describe(on) : `${arguments.length} arguments`}`);
  }
  return requireAddon().bf16Instructions(on);
}

/**
 * The native backend: the addon's kernels, called directly (the addon checks every argument).
 */
import type { Backend } from './backend';
import { loadAddon, type NativeAddon, type SimdLevel } from './addon';

let cached: Backend | undefined;

/** The native backend, or an Error saying why the addon is unavailable. */
export function nativeBackend(): Backend {
  if (cached) return cached;
  const addon = requireAddon();
  cached = {
    name: 'native',
    gemm: addon.gemm,
    add: addon.add,
    mul: addon.mul,
    relu: addon.relu,
    reluBackward: addon.reluBackward,
    rowSum: addon.rowSum,
    colSum: addon.colSum,
    randomBits: addon.randomBits,
    fillUniform: addon.fillUniform,
    fillNormal: addon.fillNormal,
    sgdStep: addon.sgdStep,
    adagradStep: addon.adagradStep,
    rmspropStep: addon.rmspropStep,
    adadeltaStep: addon.adadeltaStep,
    adamStep: addon.adamStep,
    adamwStep: addon.adamwStep,
    adamaxStep: addon.adamaxStep,
    nadamStep: addon.nadamStep,
    gradNorm: addon.gradNorm,
    clipGradNorm: addon.clipGradNorm,
    clipGradValue: addon.clipGradValue,
    firstNonFinite: addon.firstNonFinite,
  };
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
  /** The addon file, when it loaded. */
  path?: string;
  /** Why it did not load. */
  error?: string;
  /** The SIMD path the kernels take now, and the best this CPU supports. */
  simd?: SimdLevel;
  detectedSimd?: SimdLevel;
  napiVersion?: number;
}

export function nativeInfo(): NativeInfo {
  const load = loadAddon();
  if (!load.addon) return { available: false, error: load.error! };
  return {
    available: true,
    path: load.path!,
    simd: load.addon.simdLevel(),
    detectedSimd: load.addon.detectedSimd,
    napiVersion: load.addon.napiVersion,
  };
}

/**
 * Switches the native kernels between the AVX2/FMA path and the portable one (both give the
 * contract's results; tests run both). Returns the level now in use.
 */
export function setSimdLevel(level: SimdLevel): SimdLevel {
  return requireAddon().simdLevel(level);
}

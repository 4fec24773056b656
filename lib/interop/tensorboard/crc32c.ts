/**
 * CRC-32C (Castagnoli), as TFRecord framing checks it. The checksum comes from @node-rs/crc32
 * (SSE4.2 / ARMv8 CRC instructions, prebuilt for every platform npm serves); TFRecord stores it
 * masked (rotated right by 15 and offset) because a CRC of data that itself holds CRCs is weak.
 */
import { crc32c as nativeCrc32c } from '@node-rs/crc32';

/** The CRC-32C of `data`, an unsigned 32-bit integer. */
export function crc32c(data: Uint8Array): number {
  return nativeCrc32c(data) >>> 0;
}

const MASK_DELTA = 0xa282ead8;

/** TFRecord's masked CRC (tensorflow/core/lib/hash/crc32c.h: Mask). */
export function maskCrc(crc: number): number {
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + MASK_DELTA) >>> 0;
}

/** The inverse of maskCrc. */
export function unmaskCrc(masked: number): number {
  const rotated = (masked - MASK_DELTA) >>> 0;
  return ((rotated >>> 17) | (rotated << 15)) >>> 0;
}

export function maskedCrc32c(data: Uint8Array): number {
  return maskCrc(crc32c(data));
}

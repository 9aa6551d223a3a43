// Pixel buffer sizes from header attributes, computed before anything is allocated: every factor is
// range-checked and the product is checked against a cap, so hostile headers (65535 x 65535 x 4 x 64
// bits x 2^31 frames) end in DICOM_LIMIT_EXCEEDED instead of a giant allocation or a wrapped size.
import { AppError } from '../errors';
import type { InstanceMeta } from './types';

export type PixelGeometry = Pick<InstanceMeta, 'rows' | 'columns' | 'samplesPerPixel' | 'bitsAllocated' | 'numberOfFrames'>;

export interface PixelSizeLimits {
  /** Largest whole pixel data accepted (default 4 GiB). */
  maxBytes?: number;
  /** Largest number of frames accepted (default 65,536). */
  maxFrames?: number;
}

export const DEFAULT_MAX_PIXEL_BYTES = 4 * 1024 ** 3;
export const DEFAULT_MAX_FRAMES = 65_536;

const ALLOWED_BITS = new Set([1, 8, 16, 32, 64]);

function checkInt(name: string, v: number, min: number, max: number): void {
  if (!Number.isSafeInteger(v) || v < min || v > max) {
    throw new AppError('DICOM_PARSE', `${name} ${String(v)} is outside ${min}..${max}`);
  }
}

/** Bytes of one frame (bit-packed for BitsAllocated 1, rounded up to whole bytes). */
export function computeFrameByteLength(meta: PixelGeometry, limits: PixelSizeLimits = {}): number {
  checkInt('Rows', meta.rows, 1, 0xffff);
  checkInt('Columns', meta.columns, 1, 0xffff);
  checkInt('SamplesPerPixel', meta.samplesPerPixel, 1, 4);
  if (!ALLOWED_BITS.has(meta.bitsAllocated)) {
    throw new AppError('DICOM_PARSE', `BitsAllocated ${String(meta.bitsAllocated)} is not 1, 8, 16, 32 or 64`);
  }
  // All factors are bounded above, so the product stays below 2^53 and is exact.
  const bits = meta.rows * meta.columns * meta.samplesPerPixel * meta.bitsAllocated;
  const bytes = Math.ceil(bits / 8);
  const max = limits.maxBytes ?? DEFAULT_MAX_PIXEL_BYTES;
  if (bytes > max) throw new AppError('DICOM_LIMIT_EXCEEDED', `one frame would need ${bytes} bytes (limit ${max})`);
  return bytes;
}

/**
 * Bytes of the whole native pixel data: rows x columns x samples x bits x frames, with overflow and
 * limit checks. For BitsAllocated 1 the frames are packed back to back (PS3.5 8.1.1), so the total
 * is computed in bits before rounding up.
 */
export function computePixelByteLength(meta: PixelGeometry, limits: PixelSizeLimits = {}): number {
  const max = limits.maxBytes ?? DEFAULT_MAX_PIXEL_BYTES;
  const frameBytes = computeFrameByteLength(meta, limits);
  checkInt('NumberOfFrames', meta.numberOfFrames, 1, 2 ** 31 - 1);
  const maxFrames = limits.maxFrames ?? DEFAULT_MAX_FRAMES;
  if (meta.numberOfFrames > maxFrames) {
    throw new AppError('DICOM_LIMIT_EXCEEDED', `${meta.numberOfFrames} frames (limit ${maxFrames})`);
  }
  // Check before multiplying: frameBytes * frames could exceed 2^53 and lose exactness.
  if (frameBytes > Math.floor(max / meta.numberOfFrames) + 1) {
    throw new AppError('DICOM_LIMIT_EXCEEDED', `pixel data would exceed ${max} bytes`);
  }
  const bits = meta.rows * meta.columns * meta.samplesPerPixel * meta.bitsAllocated * meta.numberOfFrames;
  const bytes = Math.ceil(bits / 8);
  if (!Number.isSafeInteger(bits) || bytes > max) {
    throw new AppError('DICOM_LIMIT_EXCEEDED', `pixel data would need ${bytes} bytes (limit ${max})`);
  }
  return bytes;
}

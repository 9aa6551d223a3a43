// Default window and value range of a series from its header, so 'series:open' can answer before any
// pixel is decoded. Only when the header cannot say (no window, a Modality LUT, float pixels) does
// the service measure a decoded slice instead.
import type { DataSet } from 'dicom-parser';
import { readModalityTransform } from '../../../src-shared/dicom/pixels/modalityLut';
import type { InstanceMeta } from '../../../src-shared/dicom/types';

export interface WindowAndRange {
  window: { center: number; width: number };
  range: [number, number];
}

const FLOAT_PIXEL_DATA = ['x7fe00008', 'x7fe00009'];
/** The range reported for drag sensitivity spans at most this many window widths around the window. */
const RANGE_IN_WIDTHS = 8;

/** Modality values the stored bits can express (BitsStored, sign, rescale); null when the header cannot say. */
export function nominalRange(dataSet: DataSet, meta: InstanceMeta, bigEndian: boolean): [number, number] | null {
  if (FLOAT_PIXEL_DATA.some((t) => dataSet.elements[t])) return null;
  const bits = meta.bitsStored;
  if (!Number.isInteger(bits) || bits < 1 || bits > 32 || meta.samplesPerPixel !== 1) return null;
  const t = readModalityTransform(dataSet, bigEndian, 0);
  if (t.kind === 'lut') return null;
  const [lo, hi] = meta.pixelRepresentation === 1 ? [-(2 ** (bits - 1)), 2 ** (bits - 1) - 1] : [0, 2 ** bits - 1];
  const a = lo * t.slope + t.intercept;
  const b = hi * t.slope + t.intercept;
  return Number.isFinite(a) && Number.isFinite(b) ? [Math.min(a, b), Math.max(a, b)] : null;
}

/** The header's window with a range around it, or null when the header has no usable window. */
export function headerWindow(meta: InstanceMeta, nominal: [number, number] | null): WindowAndRange | null {
  const c = meta.windowCenter;
  const w = meta.windowWidth;
  if (nominal === null || c === null || w === null || !Number.isFinite(c) || !Number.isFinite(w) || w <= 0) return null;
  // 16-bit stored ranges are far wider than the data: keep drag sensitivity tied to the window.
  const lo = Math.max(nominal[0], c - RANGE_IN_WIDTHS * w);
  const hi = Math.min(nominal[1], c + RANGE_IN_WIDTHS * w);
  return { window: { center: c, width: w }, range: lo < hi ? [lo, hi] : [c - w / 2, c + w / 2] };
}

/** Window and range measured from decoded values (the header's window wins when it has one). */
export function measuredWindow(meta: InstanceMeta, values: ArrayLike<number>): WindowAndRange {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!Number.isFinite(min) || !Number.isFinite(max)) [min, max] = [0, 1];
  const c = meta.windowCenter;
  const w = meta.windowWidth;
  const window = c !== null && w !== null && Number.isFinite(c) && Number.isFinite(w) && w > 0 ? { center: c, width: w } : { center: (min + max) / 2, width: Math.max(1, max - min) };
  return { window, range: [min, max] };
}

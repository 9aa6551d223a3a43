// Modality values -> 8-bit display grey: window centre/width with the VOI LUT Functions of
// PS3.3 C.11.2.1.2 (LINEAR, LINEAR_EXACT, SIGMOID) or a VOI LUT Sequence; MONOCHROME1 inverts.
import type { DataSet } from 'dicom-parser';
import { readNumbers, readString, readUs, sequenceItems } from './elementValues';
import { lookUp, readDescribedLut, type DescribedLut } from './lookupTable';

export type VoiFunction = 'LINEAR' | 'LINEAR_EXACT' | 'SIGMOID';

export interface VoiWindow {
  center: number;
  width: number;
  fn?: VoiFunction;
}

/**
 * One window's ramp, prepared once per window: voiLevel(ramp, x) is the standard's output for one
 * modality value. Kept apart from the loops so the viewer's transfer functions use the same math.
 */
export interface VoiRamp {
  fn: VoiFunction;
  center: number;
  /** SIGMOID's width (>0). */
  width: number;
  /** Linear functions: at or below lo the output is 0, above hi it is 255. */
  lo: number;
  hi: number;
  /** Linear functions: y = ((x - x0) / span + 0.5) * 255 (LINEAR evaluated as x * scale + offset). */
  x0: number;
  span: number;
  scale: number;
  offset: number;
}

export function voiRamp(window: VoiWindow): VoiRamp {
  const c = window.center;
  const fn = window.fn ?? 'LINEAR';
  if (fn === 'SIGMOID') {
    const w = window.width > 0 ? window.width : 1;
    return { fn, center: c, width: w, lo: Number.NEGATIVE_INFINITY, hi: Number.POSITIVE_INFINITY, x0: c, span: w, scale: 0, offset: 0 };
  }
  if (fn === 'LINEAR_EXACT') {
    const w = window.width > 0 ? window.width : 1e-6;
    return { fn, center: c, width: w, lo: c - w / 2, hi: c + w / 2, x0: c, span: w, scale: 0, offset: 0 };
  }
  // LINEAR requires width >= 1; the standard's (w - 1) makes a width of 1 a threshold at c - 0.5.
  // x * scale + offset is the form whose rounding matches dcmtk's renderer exactly.
  const w = window.width >= 1 ? window.width : 1;
  const x0 = c - 0.5;
  const span = w - 1 > 0 ? w - 1 : 1e-6;
  return { fn, center: c, width: w, lo: x0 - (w - 1) / 2, hi: x0 + (w - 1) / 2, x0, span, scale: 255 / span, offset: (0.5 - x0 / span) * 255 };
}

/** The standard's output y in [0, 255] (PS3.3 C.11.2.1.2) for modality value x, before truncation and inversion. */
export function voiLevel(r: VoiRamp, x: number): number {
  if (r.fn === 'SIGMOID') return 255 / (1 + Math.exp((-4 * (x - r.center)) / r.width));
  if (x <= r.lo) return 0;
  if (x > r.hi) return 255;
  const y = r.fn === 'LINEAR_EXACT' ? ((x - r.x0) / r.span + 0.5) * 255 : x * r.scale + r.offset;
  return y < 0 ? 0 : y > 255 ? 255 : y;
}

export function applyVoi(values: Float32Array, window: VoiWindow, invert: boolean): Uint8Array {
  const n = values.length;
  const out = new Uint8Array(n);
  const r = voiRamp(window);
  // Truncation after the standard's formula (computed on the inverted range for MONOCHROME1)
  // gives the same grey levels as dcmtk's renderer.
  for (let i = 0; i < n; i++) {
    const y = voiLevel(r, values[i]!);
    out[i] = Math.floor(invert ? 255 - y : y);
  }
  return out;
}

/** Largest output of a VOI LUT as written: some writers declare 16 bits but use fewer, so the largest entry's bit length counts. */
export function voiLutTop(lut: { bits: number; entries: ArrayLike<number> }): number {
  let maxEntry = 0;
  for (let i = 0; i < lut.entries.length; i++) if (lut.entries[i]! > maxEntry) maxEntry = lut.entries[i]!;
  return Math.max(2 ** Math.min(lut.bits, Math.max(1, Math.ceil(Math.log2(maxEntry + 1)))) - 1, 1);
}

/** VOI LUT Sequence item applied to modality values; output scaled from the LUT's bit depth to 8 bits. */
export function applyVoiLut(values: Float32Array, lut: DescribedLut, invert: boolean): Uint8Array {
  const top = voiLutTop(lut);
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = Math.round((lookUp(lut, values[i]!) * 255) / top);
    const c = v > 255 ? 255 : v;
    out[i] = invert ? 255 - c : c;
  }
  return out;
}

export interface VoiPresets {
  windows: Array<VoiWindow & { explanation: string }>;
  luts: DescribedLut[];
}

/** Window presets and VOI LUTs stated in the file (top level, or shared/per-frame functional groups). */
export function readVoiPresets(dataSet: DataSet, bigEndian = false, frameIndex = 0): VoiPresets {
  const sources: DataSet[] = [dataSet];
  const perFrame = sequenceItems(dataSet, 'x52009230')[frameIndex];
  const shared = sequenceItems(dataSet, 'x52009229')[0];
  for (const g of [perFrame, shared]) {
    const item = g ? sequenceItems(g, 'x00289132')[0] : undefined;
    if (item) sources.unshift(item);
  }
  const windows: VoiPresets['windows'] = [];
  for (const src of sources) {
    const centers = readNumbers(src, 'x00281050');
    const widths = readNumbers(src, 'x00281051');
    const explanations = (readString(src, 'x00281055') ?? '').split('\\');
    const fnText = (readString(src, 'x00281056') ?? 'LINEAR').toUpperCase();
    const fn: VoiFunction = fnText === 'SIGMOID' ? 'SIGMOID' : fnText === 'LINEAR_EXACT' ? 'LINEAR_EXACT' : 'LINEAR';
    for (let i = 0; i < Math.min(centers.length, widths.length); i++) {
      const center = centers[i]!;
      const width = widths[i]!;
      if (Number.isFinite(center) && Number.isFinite(width) && width > 0) windows.push({ center, width, fn, explanation: explanations[i] ?? '' });
    }
    if (windows.length) break;
  }
  const luts: DescribedLut[] = [];
  for (const item of sequenceItems(dataSet, 'x00283010')) {
    try {
      luts.push(readDescribedLut(item, bigEndian, readUs(dataSet, 'x00280103', 0, bigEndian) === 1));
    } catch {
      // An unreadable VOI LUT is skipped; windows or an automatic window still show the image.
    }
  }
  return { windows, luts };
}

/** A window covering the value range, for files that state none. */
export function autoWindow(values: Float32Array): VoiWindow {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!Number.isFinite(lo)) return { center: 0, width: 1 };
  return { center: (lo + hi) / 2 + 0.5, width: Math.max(hi - lo + 1, 1) };
}

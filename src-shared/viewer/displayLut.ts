// The greyscale display pipeline (PS3.3 C.11: modality LUT -> VOI -> presentation) as numbers the
// renderer hands to vtk.js (a sampled ramp for a colour transfer function, or ColorWindow/ColorLevel
// when the whole chain is linear). The per-value math is voi.ts's, the one main renders with.
import { lookUp } from '../dicom/pixels/lookupTable';
import { voiLevel, voiLutTop, voiRamp } from '../dicom/pixels/voi';
import type { DisplayInfo, ModalityLutInfo, VoiLutInfo, VoiWindowInfo } from '../ipc/contract';

export type VoiChoice = { window: VoiWindowInfo } | { lut: VoiLutInfo };

/** Modality value -> grey in [0, 1], prepared once for a window or a VOI LUT (a LUT's scale needs a pass over it). */
export function greyFunction(voi: VoiChoice, inverted: boolean): (modalityValue: number) => number {
  let grey: (x: number) => number;
  if ('window' in voi) {
    const r = voiRamp({ center: voi.window.center, width: voi.window.width, fn: voi.window.function });
    grey = (x) => voiLevel(r, x) / 255;
  } else {
    const table = { firstMapped: voi.lut.firstMapped, entries: voi.lut.values };
    const top = voiLutTop({ bits: voi.lut.bits, entries: voi.lut.values });
    grey = table.entries.length === 0 ? () => 0 : (x) => Math.min(1, lookUp(table, x) / top);
  }
  return inverted ? (x) => 1 - grey(x) : grey;
}

/** Grey level in [0,1] for one modality value under a window (LINEAR, LINEAR_EXACT, SIGMOID) or a VOI LUT, then inversion. */
export function greyOf(modalityValue: number, voi: VoiChoice, inverted: boolean): number {
  return greyFunction(voi, inverted)(modalityValue);
}

/** Stored value -> modality value under DisplayInfo.modalityLut (a table clamps to its ends, as lookUp does). */
export function modalityOf(stored: number, lut: ModalityLutInfo): number {
  if (lut.kind === 'linear') return stored * lut.slope + lut.intercept;
  return lut.values.length ? lookUp({ firstMapped: lut.firstMapped, entries: lut.values }, stored) : stored;
}

/**
 * n samples (n >= 2) of stored value -> grey, evenly over [lo, hi] stored values, for a transfer function.
 * `inverted` defaults to the series' own (MONOCHROME1 / INVERSE); pass display.inverted !== viewport.invert for the user's toggle.
 */
export function displayRamp(
  display: DisplayInfo,
  voi: VoiChoice,
  storedRange: [number, number],
  n: number,
  inverted: boolean = display.inverted,
): { stored: Float64Array; grey: Float64Array } {
  const count = Math.max(2, Math.floor(Number.isFinite(n) ? n : 2));
  const [lo, hi] = storedRange;
  const grey = greyFunction(voi, inverted);
  const out = { stored: new Float64Array(count), grey: new Float64Array(count) };
  for (let i = 0; i < count; i++) {
    const s = i === count - 1 ? hi : lo + ((hi - lo) * i) / (count - 1);
    out.stored[i] = s;
    out.grey[i] = grey(modalityOf(s, display.modalityLut));
  }
  return out;
}

/**
 * Linear windows only (LINEAR, LINEAR_EXACT) under a linear modality LUT with a positive slope: the
 * vtk.js ColorWindow/ColorLevel in STORED units, i.e. grey = (stored - level) / window + 0.5, clamped.
 * null when not expressible that way: a table modality LUT, SIGMOID, a non-positive slope, colour data.
 * Inversion is not included (vtk's window cannot carry it; use a ramp or invert in the mapper).
 */
export function storedWindowLevel(display: DisplayInfo, window: VoiWindowInfo): { colorWindow: number; colorLevel: number } | null {
  const m = display.modalityLut;
  if (display.components !== 1 || m.kind !== 'linear' || window.function === 'SIGMOID') return null;
  if (!(m.slope > 0) || !Number.isFinite(m.slope) || !Number.isFinite(m.intercept)) return null;
  // The standard's linear functions are y = (x - x0) / span + 0.5 in modality units (voiRamp's x0, span).
  const r = voiRamp({ center: window.center, width: window.width, fn: window.function });
  return { colorWindow: r.span / m.slope, colorLevel: (r.x0 - m.intercept) / m.slope };
}

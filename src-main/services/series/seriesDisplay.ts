// How a series' pixels travel (the wire type) and what the renderer needs to turn them into grey or
// colour (DisplayInfo): decided at open from one instance's header (DisplayHeader) and the store's
// metadata of every instance, so no other file is read.
import { robustWindow } from '../../../src-shared/dicom/pixels/defaultWindow';
import type { DisplayHeader } from '../../../src-shared/dicom/pixels/displayHeader';
import type { InstanceMeta } from '../../../src-shared/dicom/types';
import type { DisplayInfo, ModalityLutInfo, PixelType, VoiWindowInfo } from '../../../src-shared/ipc/contract';
import type { FrameOutput, WireArray } from './decodeProtocol';

export interface PixelPlan {
  output: FrameOutput;
  pixelType: PixelType;
  components: 1 | 3;
}

export const IDENTITY_LUT: ModalityLutInfo = { kind: 'linear', slope: 1, intercept: 0 };
const FLOAT32: PixelPlan = { output: 'modality', pixelType: 'float32', components: 1 };
/** The range reported for drag sensitivity spans at most this many window widths around the window. */
const RANGE_IN_WIDTHS = 8;

export function isColour(photometric: string, samplesPerPixel: number): boolean {
  return samplesPerPixel === 3 || photometric === 'PALETTE COLOR';
}

/**
 * Stored values in their native type when every frame shares one layout and one modality transform;
 * modality values as float32 otherwise (float pixel data, 32-bit integers, per-slice rescale, mixed
 * bit depths): correct, just bigger. Colour of any model is 'rgb8'.
 */
export function planPixels(header: DisplayHeader, metas: InstanceMeta[], oneTransform: boolean): PixelPlan {
  if (isColour(header.photometric, header.samplesPerPixel)) return { output: 'rgb8', pixelType: 'rgb8', components: 3 };
  const m0 = metas[0]!;
  const uniform = metas.every((m) => m.bitsAllocated === m0.bitsAllocated && m.pixelRepresentation === m0.pixelRepresentation && m.samplesPerPixel === 1);
  if (header.floatPixels || !oneTransform || !uniform) return FLOAT32;
  const signed = m0.pixelRepresentation === 1;
  const stored = (pixelType: PixelType): PixelPlan => ({ output: 'stored', pixelType, components: 1 });
  if (m0.bitsAllocated === 1) return stored('uint8');
  if (m0.bitsAllocated === 8) return stored(signed ? 'int8' : 'uint8');
  if (m0.bitsAllocated === 16) return stored(signed ? 'int16' : 'uint16');
  return FLOAT32;
}

export interface WireConstructor {
  new (length: number): WireArray;
  new (buffer: ArrayBuffer): WireArray;
  readonly BYTES_PER_ELEMENT: number;
}

export function wireConstructor(pixelType: PixelType): WireConstructor {
  switch (pixelType) {
    case 'int8': return Int8Array;
    case 'uint16': return Uint16Array;
    case 'int16': return Int16Array;
    case 'float32': return Float32Array;
    default: return Uint8Array;
  }
}

/** Stored value -> modality value through the LUT the renderer will apply. */
export function modalityValue(lut: ModalityLutInfo, v: number): number {
  if (lut.kind === 'linear') return v * lut.slope + lut.intercept;
  const n = lut.values.length;
  if (n === 0) return v;
  const k = Math.round(v) - lut.firstMapped;
  return lut.values[k < 0 ? 0 : k >= n ? n - 1 : k]!;
}

export function modalityValues(values: ArrayLike<number>, lut: ModalityLutInfo): Float32Array {
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = modalityValue(lut, values[i]!);
  return out;
}

/** Modality values the stored bits can express; null when the header cannot say (float data). */
export function nominalRange(bitsStored: number, signed: boolean, lut: ModalityLutInfo): [number, number] | null {
  if (!Number.isInteger(bitsStored) || bitsStored < 1 || bitsStored > 16) return null;
  if (lut.kind === 'table') {
    if (lut.values.length === 0) return null;
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of lut.values) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
    return [lo, hi];
  }
  const [s0, s1] = signed ? [-(2 ** (bitsStored - 1)), 2 ** (bitsStored - 1) - 1] : [0, 2 ** bitsStored - 1];
  const a = modalityValue(lut, s0);
  const b = modalityValue(lut, s1);
  return Number.isFinite(a) && Number.isFinite(b) ? [Math.min(a, b), Math.max(a, b)] : null;
}

/** 16-bit stored ranges are far wider than the data: keep drag sensitivity tied to the window. */
export function rangeAroundWindow(nominal: [number, number], w: { center: number; width: number }): [number, number] {
  const lo = Math.max(nominal[0], w.center - RANGE_IN_WIDTHS * w.width);
  const hi = Math.min(nominal[1], w.center + RANGE_IN_WIDTHS * w.width);
  return lo < hi ? [lo, hi] : [w.center - w.width / 2, w.center + w.width / 2];
}

export interface Measured {
  window: VoiWindowInfo;
  range: [number, number];
}

/** The robust default window and the value range of one slice's modality values (see defaultWindow.ts). */
export function measure(values: ArrayLike<number>, exclude: [number, number] | null): Measured {
  const r = robustWindow(values, { exclude });
  if (!r) return { window: { center: 0.5, width: 1, function: 'LINEAR', explanation: 'Default' }, range: [0, 1] };
  // LINEAR needs a width of at least 1 (PS3.3 C.11.2.1.2.1); narrower float data takes LINEAR_EXACT.
  return { window: { center: r.center, width: r.width, function: r.width >= 1 ? 'LINEAR' : 'LINEAR_EXACT', explanation: 'Default' }, range: [r.min, r.max] };
}

/** Padding in modality units, for the measured window to leave out. */
export function paddingInModality(header: DisplayHeader, lut: ModalityLutInfo): [number, number] | null {
  if (!header.padding) return null;
  const a = modalityValue(lut, header.padding[0]);
  const b = modalityValue(lut, header.padding[1]);
  return [Math.min(a, b), Math.max(a, b)];
}

export const RGB8_WINDOW: VoiWindowInfo = { center: 127.5, width: 255, function: 'LINEAR', explanation: 'Default' };

/** DisplayInfo of a colour series: identity everywhere, the whole 8-bit range. */
export function rgbDisplay(header: DisplayHeader): DisplayInfo {
  return {
    pixelType: 'rgb8', components: 3, photometric: header.photometric, modalityLut: IDENTITY_LUT,
    windows: [], voiLuts: [], inverted: false, defaultWindow: RGB8_WINDOW, valueRange: [0, 255],
  };
}

/** DisplayInfo of a greyscale series; `measured` is needed when the file states no window or its values have no nominal range. */
export function greyDisplay(header: DisplayHeader, pixelType: PixelType, lut: ModalityLutInfo, nominal: [number, number] | null, measured: Measured | null): DisplayInfo {
  const stated = header.windows[0];
  const defaultWindow = stated ?? measured?.window ?? { center: 0.5, width: 1, function: 'LINEAR' as const, explanation: 'Default' };
  const valueRange = stated && nominal ? rangeAroundWindow(nominal, stated) : (measured?.range ?? nominal ?? [0, 1]);
  return {
    pixelType, components: 1, photometric: header.photometric, modalityLut: lut,
    windows: header.windows, voiLuts: header.voiLuts, inverted: header.inverted, defaultWindow, valueRange,
  };
}

// Stored values -> modality values (HU for CT): Modality LUT Sequence when present, else rescale
// slope/intercept (top level, or the Pixel Value Transformation functional group of enhanced files).
import type { DataSet } from 'dicom-parser';
import type { DecodedFrame } from '../types';
import { readNumber, readUs, sequenceItems } from './elementValues';
import { lookUp, readDescribedLut, type DescribedLut } from './lookupTable';

export interface ModalityTransform {
  kind: 'identity' | 'rescale' | 'lut';
  slope: number;
  intercept: number;
  lut?: DescribedLut;
}

/** The data set holding frame `frameIndex`'s pixel value transformation (functional groups first). */
function transformSource(dataSet: DataSet, frameIndex: number): DataSet {
  const perFrame = sequenceItems(dataSet, 'x52009230')[frameIndex];
  const fromPerFrame = perFrame ? sequenceItems(perFrame, 'x00289145')[0] : undefined;
  if (fromPerFrame) return fromPerFrame;
  const shared = sequenceItems(dataSet, 'x52009229')[0];
  const fromShared = shared ? sequenceItems(shared, 'x00289145')[0] : undefined;
  return fromShared ?? dataSet;
}

export function readModalityTransform(dataSet: DataSet, bigEndian = false, frameIndex = 0): ModalityTransform {
  const lutItem = sequenceItems(dataSet, 'x00283000')[0];
  if (lutItem) {
    const signed = readUs(dataSet, 'x00280103', 0, bigEndian) === 1;
    try {
      return { kind: 'lut', slope: 1, intercept: 0, lut: readDescribedLut(lutItem, bigEndian, signed) };
    } catch {
      // A broken Modality LUT falls back to rescale values: showing the image beats refusing it.
    }
  }
  const src = transformSource(dataSet, frameIndex);
  const slope = readNumber(src, 'x00281053');
  const intercept = readNumber(src, 'x00281052');
  if (slope === undefined && intercept === undefined) return { kind: 'identity', slope: 1, intercept: 0 };
  return { kind: 'rescale', slope: slope === undefined || slope === 0 ? 1 : slope, intercept: intercept ?? 0 };
}

export function applyModalityTransform(pixels: ArrayLike<number>, t: ModalityTransform): Float32Array {
  const n = pixels.length;
  const out = new Float32Array(n);
  if (t.kind === 'lut' && t.lut) {
    for (let i = 0; i < n; i++) out[i] = lookUp(t.lut, pixels[i]!);
  } else if (t.kind === 'rescale') {
    const { slope, intercept } = t;
    for (let i = 0; i < n; i++) out[i] = pixels[i]! * slope + intercept;
  } else {
    for (let i = 0; i < n; i++) out[i] = pixels[i]!;
  }
  return out;
}

/**
 * Modality values of a decoded frame. Colour frames are returned unchanged (as float): the modality
 * LUT applies to greyscale only. Pass `frameIndex` for enhanced multi-frame files with per-frame rescale.
 */
export function toModalityValues(frame: DecodedFrame, file: { dataSet: DataSet; transferSyntaxUid: string }, frameIndex = 0): Float32Array {
  if (frame.samplesPerPixel !== 1) return Float32Array.from(frame.pixels);
  const t = readModalityTransform(file.dataSet, file.transferSyntaxUid === '1.2.840.10008.1.2.2', frameIndex);
  return applyModalityTransform(frame.pixels, t);
}

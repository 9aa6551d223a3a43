// The pixel module's header values, validated and with every size computed under overflow checks
// before anything is allocated (the bug class behind CVE-2025-5943 / CVE-2025-11266).
import type { DataSet } from 'dicom-parser';
import { AppError } from '../../errors';
import { isBigEndian, readNumber, readString, readUs } from './elementValues';

/** Allocation caps: one frame and one whole image; generous for CR/MG/whole-slide tiles, small enough to not exhaust memory. */
export const MAX_FRAME_BYTES = 1024 * 1024 * 1024;
export const MAX_DIMENSION = 65535;
export const MAX_FRAMES = 100_000;

export type PixelDataKind = 'integer' | 'float' | 'double';

export interface PixelDescription {
  rows: number;
  columns: number;
  samplesPerPixel: number;
  bitsAllocated: number;
  bitsStored: number;
  highBit: number;
  pixelRepresentation: number;
  planarConfiguration: number;
  photometricInterpretation: string;
  numberOfFrames: number;
  kind: PixelDataKind;
  /** Tag of the pixel data element in use: x7fe00010, x7fe00008 (float) or x7fe00009 (double). */
  pixelTag: string;
  bigEndian: boolean;
  /** rows * columns * samplesPerPixel. */
  samplesPerFrame: number;
  /** Bytes of one native frame; for BitsAllocated 1 the bits of one frame rounded up (frames are not byte-aligned). */
  frameBytes: number;
}

function safeProduct(parts: number[], cap: number, what: string): number {
  let p = 1;
  for (const v of parts) {
    p *= v;
    if (!Number.isSafeInteger(p) || p > cap) throw new AppError('DICOM_LIMIT_EXCEEDED', `${what} exceeds the limit of ${cap}`);
  }
  return p;
}

export function readPixelDescription(dataSet: DataSet, transferSyntaxUid: string): PixelDescription {
  const bigEndian = isBigEndian(transferSyntaxUid);
  const el = dataSet.elements;
  const pixelTag = el.x7fe00010 ? 'x7fe00010' : el.x7fe00008 ? 'x7fe00008' : el.x7fe00009 ? 'x7fe00009' : '';
  if (!pixelTag) throw new AppError('DICOM_PARSE', 'no pixel data in this file');
  const kind: PixelDataKind = pixelTag === 'x7fe00008' ? 'float' : pixelTag === 'x7fe00009' ? 'double' : 'integer';

  const rows = readUs(dataSet, 'x00280010', 0, bigEndian);
  const columns = readUs(dataSet, 'x00280011', 0, bigEndian);
  if (!rows || !columns) throw new AppError('DICOM_PARSE', 'Rows or Columns is missing or zero');
  const samplesPerPixel = readUs(dataSet, 'x00280002', 0, bigEndian) ?? 1;
  if (samplesPerPixel !== 1 && samplesPerPixel !== 3) {
    throw new AppError('DICOM_PARSE', `SamplesPerPixel ${samplesPerPixel} is not 1 or 3`);
  }
  const defaultBits = kind === 'float' ? 32 : kind === 'double' ? 64 : undefined;
  const bitsAllocated = readUs(dataSet, 'x00280100', 0, bigEndian) ?? defaultBits;
  if (bitsAllocated === undefined) throw new AppError('DICOM_PARSE', 'BitsAllocated is missing');
  const allowed = kind === 'float' ? [32] : kind === 'double' ? [64] : [1, 8, 16, 32];
  if (!allowed.includes(bitsAllocated)) {
    throw new AppError('DICOM_PARSE', `BitsAllocated ${bitsAllocated} is not supported for this pixel data`);
  }
  let bitsStored = readUs(dataSet, 'x00280101', 0, bigEndian) ?? bitsAllocated;
  if (bitsStored < 1 || bitsStored > bitsAllocated) bitsStored = bitsAllocated;
  let highBit = readUs(dataSet, 'x00280102', 0, bigEndian) ?? bitsStored - 1;
  // A HighBit that puts the stored bits outside the allocated ones is a broken header: use the common layout.
  if (highBit < bitsStored - 1 || highBit >= bitsAllocated) highBit = bitsStored - 1;
  const pixelRepresentation = (readUs(dataSet, 'x00280103', 0, bigEndian) ?? 0) === 1 ? 1 : 0;
  const planarConfiguration = samplesPerPixel > 1 && readUs(dataSet, 'x00280006', 0, bigEndian) === 1 ? 1 : 0;
  const photometricInterpretation = (readString(dataSet, 'x00280004') ?? (samplesPerPixel === 3 ? 'RGB' : 'MONOCHROME2')).toUpperCase();
  const framesValue = readNumber(dataSet, 'x00280008');
  const numberOfFrames = framesValue === undefined || framesValue < 1 ? 1 : Math.floor(framesValue);
  if (numberOfFrames > MAX_FRAMES) throw new AppError('DICOM_LIMIT_EXCEEDED', `NumberOfFrames ${numberOfFrames} exceeds ${MAX_FRAMES}`);
  if (rows > MAX_DIMENSION || columns > MAX_DIMENSION) throw new AppError('DICOM_LIMIT_EXCEEDED', 'image dimensions too large');

  const samplesPerFrame = safeProduct([rows, columns, samplesPerPixel], MAX_FRAME_BYTES, 'samples per frame');
  const frameBytes =
    bitsAllocated === 1
      ? Math.ceil(samplesPerFrame / 8)
      : safeProduct([samplesPerFrame, bitsAllocated / 8], MAX_FRAME_BYTES, 'frame size');
  return {
    rows, columns, samplesPerPixel, bitsAllocated, bitsStored, highBit, pixelRepresentation, planarConfiguration,
    photometricInterpretation, numberOfFrames, kind, pixelTag, bigEndian, samplesPerFrame, frameBytes,
  };
}

// Burned-in text: which files may carry identifying text in their pixels, and redaction of rectangles
// drawn by an operator (PS3.15 E.3.1 Clean Pixel Data). Only native (uncompressed) pixel data is
// redacted here; compressed files need decoding first and are refused with a clear error.
import { AppError } from '../errors';
import type { DicomItem, DicomTree } from '../dicom/write/elementTree';
import { findElement, PIXEL_DATA, putElement, TS } from '../dicom/write/elementTree';
import { asciiValue, asciiValues, stringElement } from '../dicom/write/stringValues';

export interface BurnedInAssessment {
  flagged: boolean;
  reasons: string[];
}

// Secondary capture (7, 7.1-7.4), ultrasound (6.1, 3.1 retired, multi-frame 6.2/3.2), video endoscopy / photo classes.
const SOP_CLASSES_WITH_TEXT = new Set([
  '1.2.840.10008.5.1.4.1.1.7', '1.2.840.10008.5.1.4.1.1.7.1', '1.2.840.10008.5.1.4.1.1.7.2', '1.2.840.10008.5.1.4.1.1.7.3', '1.2.840.10008.5.1.4.1.1.7.4',
  '1.2.840.10008.5.1.4.1.1.6.1', '1.2.840.10008.5.1.4.1.1.6.2', '1.2.840.10008.5.1.4.1.1.3.1', '1.2.840.10008.5.1.4.1.1.6',
  '1.2.840.10008.5.1.4.1.1.77.1.1.1', '1.2.840.10008.5.1.4.1.1.77.1.4',
]);
const MODALITIES_WITH_TEXT = new Set(['US', 'OT', 'SC', 'XC', 'ES', 'GM', 'SM', 'DOC']);

function text(ds: DicomItem, tag: number): string {
  const el = findElement(ds, tag);
  return el ? asciiValue(el).trim().toUpperCase() : '';
}

export function assessBurnedIn(tree: DicomTree): BurnedInAssessment {
  const ds = tree.dataSet;
  if (!findElement(ds, PIXEL_DATA)) return { flagged: false, reasons: [] };
  const reasons: string[] = [];
  const burned = text(ds, 0x00280301);
  if (burned === 'YES') reasons.push('Burned In Annotation is YES');
  if (burned !== 'NO') {
    const sopClass = text(ds, 0x00080016);
    const modality = text(ds, 0x00080060);
    if (SOP_CLASSES_WITH_TEXT.has(sopClass)) reasons.push('SOP class usually carries burned-in text');
    if (MODALITIES_WITH_TEXT.has(modality)) reasons.push(`modality ${modality} usually carries burned-in text`);
    const imageType = findElement(ds, 0x00080008);
    if (imageType && asciiValues(imageType).some((v) => /SCREEN|SECONDARY CAPTURE|CAPTURE/.test(v.toUpperCase()))) reasons.push('Image Type marks a screen capture');
  }
  return { flagged: reasons.length > 0, reasons };
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

function u16(ds: DicomItem, tag: number, little: boolean): number {
  const el = findElement(ds, tag);
  if (!el?.value || el.value.length < 2) throw new AppError('DICOM_PARSE', `missing ${tag.toString(16)}`);
  return new DataView(el.value.buffer, el.value.byteOffset, 2).getUint16(0, little);
}

/**
 * Fills the rectangles with zero in every frame of native pixel data, then sets Burned In Annotation to NO.
 * Rectangles are in pixel coordinates (column x, row y), clipped to the image.
 */
export function redactRectangles(tree: DicomTree, rects: readonly Rect[]): void {
  const ds = tree.dataSet;
  const px = findElement(ds, PIXEL_DATA);
  if (!px) throw new AppError('DICOM_PARSE', 'no pixel data to redact');
  if (px.fragments || !px.value) throw new AppError('DEID_BURNED_IN', 'compressed pixel data: decompress before redacting');
  const little = tree.transferSyntaxUid !== TS.explicitBE;
  const rows = u16(ds, 0x00280010, little);
  const cols = u16(ds, 0x00280011, little);
  const bitsAllocated = u16(ds, 0x00280100, little);
  const samples = u16(ds, 0x00280002, little);
  const planar = findElement(ds, 0x00280006) ? u16(ds, 0x00280006, little) : 0;
  const framesText = text(ds, 0x00280008);
  const frames = Math.max(1, Number.parseInt(framesText || '1', 10) || 1);
  if (bitsAllocated % 8 !== 0) throw new AppError('DEID_BURNED_IN', 'packed 1-bit pixel data cannot be redacted');
  const bpp = bitsAllocated / 8;
  const frameBytes = rows * cols * samples * bpp;
  if (frameBytes * frames > px.value.length) throw new AppError('DICOM_PIXEL_MISMATCH', 'pixel data shorter than its description');
  const data = px.value.slice();
  for (let f = 0; f < frames; f++) {
    const base = f * frameBytes;
    for (const r of rects) {
      const x0 = Math.max(0, Math.floor(r.x));
      const y0 = Math.max(0, Math.floor(r.y));
      const x1 = Math.min(cols, Math.ceil(r.x + r.width));
      const y1 = Math.min(rows, Math.ceil(r.y + r.height));
      for (let y = y0; y < y1; y++) {
        if (samples > 1 && planar === 1) {
          for (let s = 0; s < samples; s++) data.fill(0, base + (s * rows * cols + y * cols + x0) * bpp, base + (s * rows * cols + y * cols + x1) * bpp);
        } else if (x1 > x0) data.fill(0, base + (y * cols + x0) * samples * bpp, base + (y * cols + x1) * samples * bpp);
      }
    }
  }
  px.value = data;
  putElement(ds, stringElement(0x00280301, 'CS', 'NO'));
}

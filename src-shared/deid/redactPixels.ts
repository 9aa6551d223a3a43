// Clean Pixel Data (PS3.15 E.3.1) on any pixel encoding the viewer decodes: every frame is decoded with the
// same pipeline the viewer uses (native, RLE, JPEG baseline/extended/lossless, JPEG-LS, JPEG 2000, HTJ2K),
// the operator's rectangles are blanked, and the frames are written back uncompressed. Compressed input is
// written as Explicit VR Little Endian; native input keeps its byte order. Nothing is re-compressed, so the
// result is exactly the decoded original outside the rectangles; a lossy original stays marked lossy.
import { AppError } from '../errors';
import type { CodecRegistry } from '../dicom/codecs/codecTypes';
import { parseDicom } from '../dicom/parse';
import { decodeStoredFrame, type StoredFrame } from '../dicom/pixels/decodeFrame';
import { rctToRgb, ybrFullToRgb, ybrPartialToRgb } from '../dicom/pixels/colour';
import { readPalette } from '../dicom/pixels/palette';
import { isLossySyntax, pixelEncodingOf } from '../dicom/pixels/transferSyntaxes';
import type { DicomElement, DicomTree } from '../dicom/write/elementTree';
import { findElement, PIXEL_DATA, putElement, removeElement, TS } from '../dicom/write/elementTree';
import { asciiValue, stringElement } from '../dicom/write/stringValues';
import { writeTree } from '../dicom/write/writeTree';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface RedactionOutcome {
  frames: number;
  rows: number;
  columns: number;
  /** Photometric Interpretation written (a codec may have turned YBR into RGB; 4:2:2 data comes out full). */
  photometric: string;
  /** The stored value(s) written inside the rectangles: black in the image's own colour model. */
  blank: number[];
  /** Set when the pixel data was compressed and is now written uncompressed. */
  reencodedFrom?: { transferSyntaxUid: string; lossy: boolean };
  /** One sentence for Derivation Description and the export summary (ASCII, no identifying data). */
  note: string;
}

const MAX_OUTPUT_BYTES = 2 ** 31 - 1;

const LOSSY_METHOD: Record<string, string> = {
  '1.2.840.10008.1.2.4.50': 'ISO_10918_1',
  '1.2.840.10008.1.2.4.51': 'ISO_10918_1',
  '1.2.840.10008.1.2.4.81': 'ISO_14495_1',
  '1.2.840.10008.1.2.4.91': 'ISO_15444_1',
  '1.2.840.10008.1.2.4.203': 'ISO_15444_15',
};

const SYNTAX_NAMES: Record<string, string> = {
  '1.2.840.10008.1.2.5': 'RLE Lossless',
  '1.2.840.10008.1.2.8.1': 'Deflated Image Frame',
  '1.2.840.10008.1.2.4.50': 'JPEG Baseline (lossy)',
  '1.2.840.10008.1.2.4.51': 'JPEG Extended (lossy)',
  '1.2.840.10008.1.2.4.57': 'JPEG Lossless',
  '1.2.840.10008.1.2.4.70': 'JPEG Lossless SV1',
  '1.2.840.10008.1.2.4.80': 'JPEG-LS Lossless',
  '1.2.840.10008.1.2.4.81': 'JPEG-LS Near-Lossless (lossy)',
  '1.2.840.10008.1.2.4.90': 'JPEG 2000 Lossless',
  '1.2.840.10008.1.2.4.91': 'JPEG 2000 (lossy)',
  '1.2.840.10008.1.2.4.201': 'HTJ2K Lossless',
  '1.2.840.10008.1.2.4.202': 'HTJ2K Lossless RPCL',
  '1.2.840.10008.1.2.4.203': 'HTJ2K (lossy)',
};

function usElement(tag: number, value: number, little: boolean): DicomElement {
  const v = new Uint8Array(2);
  new DataView(v.buffer).setUint16(0, value, little);
  return { tag, vr: 'US', value: v };
}

interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** Validates and clips the rectangles; one wholly outside the image is an error, never a silent no-op. */
function boxes(rects: readonly Rect[], rows: number, columns: number): Box[] {
  if (rects.length === 0) throw new AppError('INVALID_REQUEST', 'no redaction rectangle given');
  return rects.map((r) => {
    if (![r.x, r.y, r.width, r.height].every(Number.isFinite) || r.width <= 0 || r.height <= 0) {
      throw new AppError('INVALID_REQUEST', 'a redaction rectangle needs finite x, y and a positive width and height');
    }
    const b = { x0: Math.max(0, Math.floor(r.x)), y0: Math.max(0, Math.floor(r.y)), x1: Math.min(columns, Math.ceil(r.x + r.width)), y1: Math.min(rows, Math.ceil(r.y + r.height)) };
    if (b.x1 <= b.x0 || b.y1 <= b.y0) throw new AppError('DEID_BURNED_IN', `a redaction rectangle lies outside the ${columns}x${rows} image`);
    return b;
  });
}

/** Colour frames the codec left in a model we do not write uncompressed are turned into RGB. */
function outputColour(frame: StoredFrame): string {
  const p = frame.photometric;
  const bits = frame.desc.bitsStored;
  if (frame.desc.samplesPerPixel !== 3 || p === 'RGB' || p === 'YBR_FULL') return p;
  if (p === 'YBR_FULL_422') return 'YBR_FULL'; // decoded to one Y Cb Cr triple per pixel
  if (p === 'YBR_PARTIAL_422' || p === 'YBR_PARTIAL_420') ybrPartialToRgb(frame.pixels, bits);
  else if (p === 'YBR_ICT') ybrFullToRgb(frame.pixels, bits);
  else if (p === 'YBR_RCT') rctToRgb(frame.pixels, bits);
  else throw new AppError('DEID_BURNED_IN', `cannot redact ${p} pixel data`);
  return 'RGB';
}

function blankFor(photometric: string, frame: StoredFrame, darkestPaletteIndex: () => number): number[] {
  const { bitsStored, pixelRepresentation } = frame.desc;
  const signed = pixelRepresentation === 1;
  const half = 2 ** (bitsStored - 1);
  switch (photometric) {
    case 'MONOCHROME1':
      return [signed ? half - 1 : 2 ** bitsStored - 1];
    case 'MONOCHROME2':
      return [signed ? -half : 0];
    case 'PALETTE COLOR':
      return [darkestPaletteIndex()];
    case 'YBR_FULL':
      return [0, half, half];
    default:
      return [0, 0, 0];
  }
}

function allocate(bitsAllocated: number, signed: boolean, n: number): Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array {
  if (bitsAllocated === 8) return signed ? new Int8Array(n) : new Uint8Array(n);
  if (bitsAllocated === 16) return signed ? new Int16Array(n) : new Uint16Array(n);
  if (bitsAllocated === 32) return signed ? new Int32Array(n) : new Uint32Array(n);
  throw new AppError('DEID_BURNED_IN', `pixel data with ${bitsAllocated} bits allocated cannot be redacted`);
}

function littleEndianHost(): boolean {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
}

/**
 * Blanks `rects` (pixel coordinates: column x, row y, clipped to the image) in every frame, writes the pixel
 * data uncompressed and sets Burned In Annotation to NO. The caller records Clean Pixel Data (113101) when it
 * de-identifies the tree, and may add `note` as Derivation Description.
 */
export async function redactPixelData(tree: DicomTree, rects: readonly Rect[], codecs: CodecRegistry): Promise<RedactionOutcome> {
  const ds = tree.dataSet;
  const px = findElement(ds, PIXEL_DATA);
  if (!px || (!px.value && !px.fragments)) throw new AppError('DICOM_PARSE', 'no pixel data to redact');
  const sourceTs = tree.transferSyntaxUid;
  const encoding = pixelEncodingOf(sourceTs);
  if (encoding.kind === 'unsupported') throw new AppError('DEID_BURNED_IN', `cannot decode ${encoding.name} to redact it`);
  const file = parseDicom(writeTree(tree));
  const first = await decodeStoredFrame(file, 0, codecs);
  const { rows, columns, samplesPerPixel: spp, numberOfFrames: frames, bitsAllocated, bitsStored, highBit, pixelRepresentation } = first.desc;
  if (first.desc.kind !== 'integer' || bitsAllocated === 1) throw new AppError('DEID_BURNED_IN', 'only integer pixel data of 8, 16 or 32 bits can be redacted');
  const box = boxes(rects, rows, columns);
  const frameSamples = rows * columns * spp;
  // The whole uncompressed result is held at once: refuse what could not be (a hostile frame count).
  if (frameSamples * frames * (bitsAllocated / 8) > MAX_OUTPUT_BYTES) throw new AppError('DICOM_LIMIT_EXCEEDED', 'the uncompressed image would exceed 2 GiB');
  const out = allocate(bitsAllocated, pixelRepresentation === 1, frameSamples * frames);
  let photometric = '';
  let blank: number[] = [];
  const darkestPaletteIndex = () => {
    const luts = readPalette(file.dataSet, first.desc.bigEndian, pixelRepresentation === 1);
    const count = Math.max(...luts.map((l) => l.entries.length));
    let best = 0;
    let bestSum = Infinity;
    for (let k = 0; k < count; k++) {
      const sum = luts.reduce((s, l) => s + (l.entries[Math.min(k, l.entries.length - 1)] ?? 0) / (l.bits === 16 ? 256 : 1), 0);
      if (sum < bestSum) [best, bestSum] = [k, sum];
    }
    return (luts[0]?.firstMapped ?? 0) + best;
  };
  for (let f = 0; f < frames; f++) {
    const frame = f === 0 ? first : await decodeStoredFrame(file, f, codecs);
    const p = outputColour(frame);
    if (f === 0) {
      photometric = p;
      blank = blankFor(p, frame, darkestPaletteIndex);
    } else if (p !== photometric) throw new AppError('DEID_BURNED_IN', 'frames decode to different colour models');
    const base = f * frameSamples;
    out.set(frame.pixels as ArrayLike<number>, base);
    for (const b of box) {
      for (let y = b.y0; y < b.y1; y++) {
        for (let x = b.x0; x < b.x1; x++) {
          const at = base + (y * columns + x) * spp;
          for (let s = 0; s < spp; s++) out[at + s] = blank[s] ?? 0;
        }
      }
    }
  }
  const encapsulated = !!px.fragments;
  if (encapsulated) tree.transferSyntaxUid = TS.explicitLE;
  const little = tree.transferSyntaxUid !== TS.explicitBE;
  const bytes = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  const width = bitsAllocated / 8;
  if (width > 1 && little !== littleEndianHost()) {
    for (let i = 0; i < bytes.length; i += width) bytes.subarray(i, i + width).reverse();
  }
  px.value = bytes;
  px.vr = bitsAllocated > 8 ? 'OW' : 'OB';
  delete px.fragments;
  // Offset tables and summary statistics describe the old pixel data.
  for (const t of [0x7fe00001, 0x7fe00002, 0x7fe00003, 0x00280106, 0x00280107, 0x00280108, 0x00280109]) removeElement(ds, t);
  putElement(ds, stringElement(0x00280004, 'CS', photometric));
  if (spp > 1) putElement(ds, usElement(0x00280006, 0, little));
  if (highBit !== bitsStored - 1) putElement(ds, usElement(0x00280102, bitsStored - 1, little));
  putElement(ds, stringElement(0x00280301, 'CS', 'NO'));
  const lossyEl = findElement(ds, 0x00282110);
  const lossy = isLossySyntax(sourceTs) || (lossyEl !== undefined && asciiValue(lossyEl).trim() === '01');
  if (lossy) {
    // PS3.3 C.7.6.1.1.5: once lossy, always marked lossy, whatever the new encoding.
    putElement(ds, stringElement(0x00282110, 'CS', '01'));
    const method = LOSSY_METHOD[sourceTs];
    if (method && !findElement(ds, 0x00282114)) putElement(ds, stringElement(0x00282114, 'CS', method));
  }
  const from = encapsulated ? (SYNTAX_NAMES[sourceTs] ?? sourceTs) : '';
  const note = `Burned-in text redacted: ${box.length} rectangle(s) blanked in ${frames} frame(s)${
    encapsulated ? `; pixel data decoded from ${from} and re-encoded uncompressed${lossy ? ' (the original was lossy compressed)' : ''}` : lossy ? '; pixel data was lossy compressed before' : ''
  }`;
  return {
    frames, rows, columns, photometric, blank, note,
    ...(encapsulated ? { reencodedFrom: { transferSyntaxUid: sourceTs, lossy } } : {}),
  };
}

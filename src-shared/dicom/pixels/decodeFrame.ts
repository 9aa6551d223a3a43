// One frame -> stored values. Native, RLE, Deflated Image Frame and 12-bit JPEG are decoded here;
// the other compressed syntaxes go to the codec registry. Colour comes out as interleaved RGB.
import type { DataSet } from 'dicom-parser';
import { inflateSync } from 'fflate';
import { AppError } from '../../errors';
import type { CodecOutput, CodecRegistry, ExpectedFrame } from '../codecs/codecTypes';
import type { DecodedFrame } from '../types';
import { checkCodestream } from './codestreamStructure';
import { expand422, planarToInterleaved, rctToRgb, ybrFullToRgb, ybrPartialToRgb } from './colour';
import { encapsulatedFrame } from './encapsulatedFrames';
import { decodeJpegDct } from './jpegDct';
import { decodeJpegLossless } from './jpegLossless';
import { nativeFrame, samplesFromBytes, unpackBits, type RawSamples } from './nativeFrame';
import { applyPalette, readPalette } from './palette';
import { readPixelDescription, type PixelDescription } from './pixelDescription';
import { decodeRle } from './rle';
import { toStoredValues } from './storedValues';
import { pixelEncodingOf } from './transferSyntaxes';

/** What the pixel pipeline needs of a parsed file (DicomFile from ../parse satisfies it). */
export interface PixelSource {
  dataSet: DataSet;
  transferSyntaxUid: string;
}

/** Stored values in the colour model the data arrived in (after any codec-internal colour transform). */
export interface StoredFrame {
  desc: PixelDescription;
  pixels: DecodedFrame['pixels'];
  /** Photometric interpretation of `pixels`: the DICOM one, or RGB when the codec already converted. */
  photometric: string;
}

function expectedOf(d: PixelDescription): ExpectedFrame {
  return {
    rows: d.rows, columns: d.columns, samplesPerPixel: d.samplesPerPixel, bitsStored: d.bitsStored,
    bitsAllocated: d.bitsAllocated, signed: d.pixelRepresentation === 1,
  };
}

function is422(photometric: string): boolean {
  return photometric === 'YBR_FULL_422' || photometric === 'YBR_PARTIAL_422';
}

/** Bytes of one native-layout frame (422 data is two samples per pixel). */
function nativeFrameBytes(d: PixelDescription): number {
  if (d.bitsAllocated === 1) return Math.ceil(d.samplesPerFrame / 8);
  if (d.samplesPerPixel === 3 && is422(d.photometricInterpretation)) return d.rows * Math.ceil(d.columns / 2) * 4 * (d.bitsAllocated / 8);
  return d.frameBytes;
}

/** Native-layout samples (planar or 422 as stored) -> interleaved, full resolution. */
function normaliseLayout(raw: RawSamples, d: PixelDescription): RawSamples {
  if (d.samplesPerPixel !== 3) return raw;
  if (is422(d.photometricInterpretation) && raw.length < d.samplesPerFrame) return expand422(raw, d.rows, d.columns);
  if (d.planarConfiguration === 1) return planarToInterleaved(raw, 3);
  return raw;
}

async function decodeWithCodec(codecs: CodecRegistry, name: keyof CodecRegistry, encoded: Uint8Array, d: PixelDescription): Promise<CodecOutput> {
  const codec = codecs[name];
  if (!codec) throw new AppError('DICOM_UNSUPPORTED_SYNTAX', `no ${name} decoder is loaded in this process`);
  return codec.decode(encoded, expectedOf(d));
}

export async function decodeStoredFrame(file: PixelSource, frameIndex: number, codecs: CodecRegistry): Promise<StoredFrame> {
  const { dataSet, transferSyntaxUid } = file;
  const desc = readPixelDescription(dataSet, transferSyntaxUid);
  const encoding = pixelEncodingOf(transferSyntaxUid);
  const element = dataSet.elements[desc.pixelTag];
  let photometric = desc.photometricInterpretation;
  let raw: ArrayLike<number>;

  if (encoding.kind === 'unsupported') {
    throw new AppError('DICOM_UNSUPPORTED_SYNTAX', `transfer syntax not supported: ${encoding.name}`);
  }
  if (encoding.kind === 'native') {
    const native = nativeFrame(dataSet, { ...desc, frameBytes: nativeFrameBytes(desc) }, frameIndex);
    raw = normaliseLayout(native, desc);
  } else {
    if (!element?.encapsulatedPixelData) throw new AppError('DICOM_PARSE', 'compressed transfer syntax but pixel data is not encapsulated');
    if (desc.kind !== 'integer') throw new AppError('DICOM_PARSE', 'float pixel data cannot be encapsulated');
    const markers = encoding.kind === 'jpegDct' || encoding.kind === 'codec';
    const encoded = encapsulatedFrame(dataSet, element, frameIndex, desc.numberOfFrames, markers);
    if (encoding.kind === 'rle') {
      const bytes = decodeRle(encoded, desc);
      // RLE segments are per sample, so the result is interleaved whatever PlanarConfiguration says.
      raw = desc.bitsAllocated === 1 ? unpackBits(bytes, 0, desc.samplesPerFrame) : samplesFromBytes(bytes, desc.bitsAllocated, 'integer', false, true);
    } else if (encoding.kind === 'deflatedFrame') {
      const want = nativeFrameBytes(desc);
      let bytes: Uint8Array;
      try {
        bytes = inflateSync(encoded, { out: new Uint8Array(want) });
      } catch (e) {
        throw new AppError('DICOM_DECODE', 'deflated image frame is corrupt', { cause: e });
      }
      if (bytes.length < want) throw new AppError('DICOM_DECODE', 'deflated image frame is shorter than the frame');
      const samples = desc.bitsAllocated === 1 ? unpackBits(bytes, 0, desc.samplesPerFrame) : samplesFromBytes(bytes, desc.bitsAllocated, 'integer', false, true);
      raw = normaliseLayout(samples, desc);
    } else if (encoding.kind === 'jpegDct' || (encoding.kind === 'codec' && encoding.codec === 'jpegLossless')) {
      // Route by the codestream's own SOF marker: writers mislabel lossless and DCT JPEG often enough.
      const header = checkCodestream(encoded, expectedOf(desc));
      let out: CodecOutput;
      if (header.marker === 0xffc3) out = decodeJpegLossless(encoded, expectedOf(desc));
      else if (header.marker === 0xfff7) out = await decodeWithCodec(codecs, 'jpegLs', encoded, desc);
      else if (header.bitsPerSample <= 8 && codecs.jpegBaseline8) out = await decodeWithCodec(codecs, 'jpegBaseline8', encoded, desc);
      else out = decodeJpegDct(encoded, expectedOf(desc));
      raw = out.samples;
      if (out.info.colourConvertedToRgb) photometric = 'RGB';
    } else {
      checkCodestream(encoded, expectedOf(desc));
      const out = await decodeWithCodec(codecs, encoding.codec, encoded, desc);
      raw = out.samples;
      if (encoding.codec === 'jpeg2000' || encoding.codec === 'htj2k') {
        // The codestream's MCT already produced RGB; DICOM labels such data YBR_ICT / YBR_RCT.
        if (photometric === 'YBR_ICT' || photometric === 'YBR_RCT') photometric = 'RGB';
      }
    }
  }
  if (raw.length !== desc.samplesPerFrame) {
    throw new AppError('DICOM_PIXEL_MISMATCH', `decoded ${raw.length} samples, the header implies ${desc.samplesPerFrame}`);
  }
  const pixels = toStoredValues(raw, desc);
  return { desc, pixels, photometric };
}

/** Stored values -> the frame others consume: MONOCHROME as is, every colour model as interleaved RGB. */
export function toDisplayColour(stored: StoredFrame, dataSet: DataSet): DecodedFrame {
  const { desc } = stored;
  let { pixels, photometric } = stored;
  let samplesPerPixel = desc.samplesPerPixel;
  let bitsPerSample = desc.kind === 'float' ? 32 : desc.kind === 'double' ? 64 : desc.bitsStored;
  if (photometric === 'PALETTE COLOR' && samplesPerPixel === 1) {
    const luts = readPalette(dataSet, desc.bigEndian, desc.pixelRepresentation === 1);
    pixels = applyPalette(pixels, luts);
    bitsPerSample = luts.every((l) => l.bits === 8) ? 8 : 16;
    samplesPerPixel = 3;
    photometric = 'RGB';
  } else if (samplesPerPixel === 3) {
    const bits = desc.bitsStored;
    if (photometric === 'YBR_FULL' || photometric === 'YBR_FULL_422' || photometric === 'YBR_ICT') ybrFullToRgb(pixels, bits);
    else if (photometric === 'YBR_PARTIAL_422' || photometric === 'YBR_PARTIAL_420') ybrPartialToRgb(pixels, bits);
    else if (photometric === 'YBR_RCT') rctToRgb(pixels, bits);
    photometric = 'RGB';
  }
  return { rows: desc.rows, columns: desc.columns, samplesPerPixel, pixels, photometricInterpretation: photometric, bitsPerSample };
}

/** Stored values of one frame (masked, sign-extended), colour as interleaved RGB. */
export async function decodeFrame(file: PixelSource, frameIndex: number, codecs: CodecRegistry): Promise<DecodedFrame> {
  try {
    return toDisplayColour(await decodeStoredFrame(file, frameIndex, codecs), file.dataSet);
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw new AppError('DICOM_DECODE', e instanceof Error ? e.message : 'frame could not be decoded', { cause: e });
  }
}

// Instance bytes + frame index -> the frame in its wire form: the one decode path the worker and the in-process
// fallback share. Multi-frame instances are parsed once and kept (by cache key) for their next frames.
import { parseDicom, type DicomFile } from '../../../src-shared/dicom/parse';
import { decodeFrame } from '../../../src-shared/dicom/pixels/decodeFrame';
import { toModalityValues } from '../../../src-shared/dicom/pixels/modalityLut';
import { toRgb8 } from '../../../src-shared/dicom/pixels/rgb8';
import type { DecodedFrame } from '../../../src-shared/dicom/types';
import { pixelEncodingOf } from '../../../src-shared/dicom/pixels/transferSyntaxes';
import { readPixelDescription } from '../../../src-shared/dicom/pixels/pixelDescription';
import type { CodecRegistry } from '../../../src-shared/dicom/codecs/codecTypes';
import { AppError, toAppError } from '../../../src-shared/errors';
import type { DecodeRequest, FrameDecoder, WireArray } from './decodeProtocol';

/** Parsed multi-frame files, newest last; a couple is enough since frames are asked for instance by instance. */
export class ParsedFiles {
  private readonly files = new Map<string, DicomFile>();

  constructor(private readonly capacity = 2) {}

  get(key: string, bytes: ArrayBuffer | SharedArrayBuffer): DicomFile {
    const hit = this.files.get(key);
    // A key names one instance of one open series, so its bytes never change (SharedArrayBuffers arrive as new objects).
    if (hit && hit.bytes.byteLength === bytes.byteLength) {
      this.files.delete(key);
      this.files.set(key, hit);
      return hit;
    }
    const file = parseDicom(new Uint8Array(bytes));
    this.files.set(key, file);
    while (this.files.size > this.capacity) this.files.delete(this.files.keys().next().value!);
    return file;
  }

  forget(keys: string[]): void {
    for (const k of keys) this.files.delete(k);
  }
}

/** Syntaxes decoded in plain TypeScript: they need no WebAssembly codec, so need not wait for one to load. */
const WITHOUT_CODECS = new Set(['native', 'rle', 'deflatedFrame']);

/** True when frames of this transfer syntax need a WebAssembly codec. */
export function needsCodecs(transferSyntaxUid: string): boolean {
  return !WITHOUT_CODECS.has(pixelEncodingOf(transferSyntaxUid).kind);
}

/** A typed array that owns its whole buffer, so it can be transferred (decoders may return views into bigger buffers). */
function owned<T extends WireArray>(v: T): T {
  return (v.byteOffset === 0 && v.byteLength === v.buffer.byteLength && v.buffer instanceof ArrayBuffer ? v : v.slice()) as T;
}

/** Greyscale stored values in a type the wire carries (the series plan asked for 'stored' only where they fit). */
function storedWire(pixels: DecodedFrame['pixels']): WireArray {
  if (pixels instanceof Uint8Array || pixels instanceof Int8Array || pixels instanceof Uint16Array || pixels instanceof Int16Array) return pixels;
  throw new AppError('DICOM_PIXEL_MISMATCH', 'These stored values do not fit 8 or 16 bits.');
}

/** Samples the frame decodes to (its decode budget is sized from it); 0 when the header cannot say. */
function samplesOf(file: DicomFile): number {
  try {
    const d = readPixelDescription(file.dataSet, file.transferSyntaxUid);
    return d.rows * d.columns * d.samplesPerPixel;
  } catch {
    return 0; // decodeFrame meets the same header and refuses it at once
  }
}

/**
 * One frame in the series' wire form (see FrameOutput), in a typed array that owns its whole buffer.
 * `codecs` may be a loader: uncompressed, RLE and deflated frames never call it. `onDecoding` is told
 * the frame's sample count once parsing and codec loading are done, just before decoding starts.
 */
export async function decodeWireFrame(
  request: DecodeRequest,
  codecs: CodecRegistry | (() => Promise<CodecRegistry>),
  parsed: ParsedFiles | null,
  onDecoding?: (samples: number) => void,
): Promise<WireArray> {
  const { bytes, frameIndex, cacheKey, output } = request;
  if (!Number.isInteger(frameIndex) || frameIndex < 0) throw new AppError('INVALID_REQUEST', 'Invalid frame index.');
  try {
    const file = cacheKey && parsed ? parsed.get(cacheKey, bytes) : parseDicom(new Uint8Array(bytes));
    const registry = !needsCodecs(file.transferSyntaxUid) ? {} : typeof codecs === 'function' ? await codecs() : codecs;
    onDecoding?.(samplesOf(file));
    const frame = await decodeFrame(file, frameIndex, registry);
    if (output === 'rgb8') return owned(toRgb8(frame));
    if (frame.samplesPerPixel !== 1) throw new AppError('DICOM_PIXEL_MISMATCH', 'A colour frame in a greyscale series.');
    if (output === 'stored') return owned(storedWire(frame.pixels));
    return owned(toModalityValues(frame, file, frameIndex));
  } catch (e) {
    throw toAppError(e, 'DICOM_DECODE');
  }
}

/** Decoding on the calling thread: for tests and tools that run without the worker bundle. */
export class InProcessDecoder implements FrameDecoder {
  private readonly parsed = new ParsedFiles();

  constructor(private readonly codecs: CodecRegistry) {}

  decode(request: DecodeRequest): Promise<WireArray> {
    return decodeWireFrame(request, this.codecs, this.parsed);
  }

  promote(): void {}

  forget(keys: string[]): void {
    this.parsed.forget(keys);
  }

  async close(): Promise<void> {}
}

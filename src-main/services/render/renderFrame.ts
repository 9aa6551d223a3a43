// One frame -> an 8-bit picture on the CPU: decode, modality LUT, VOI (the caller's window, else
// the file's first window, else its VOI LUT, else the value range), MONOCHROME1 inverted; colour
// scaled to 8 bits. The CLI's `render`, thumbnails and image exports all go through here.
import { PNG } from 'pngjs';
import { AppError } from '../../../src-shared/errors';
import type { CodecRegistry } from '../../../src-shared/dicom/codecs/codecTypes';
import type { DicomFile } from '../../../src-shared/dicom/parse';
import type { PixelSource } from '../../../src-shared/dicom/pixels/decodeFrame';
import { toModalityValues } from '../../../src-shared/dicom/pixels/modalityLut';
import { readPixelDescription } from '../../../src-shared/dicom/pixels/pixelDescription';
import { applyVoi, applyVoiLut, autoWindow, readVoiPresets, type VoiWindow } from '../../../src-shared/dicom/pixels/voi';
import type { DecodedFrame } from '../../../src-shared/dicom/types';
import { decodeFrameBounded } from '../series/boundedFrameDecode';
import type { FrameDecoder } from '../series/decodeProtocol';

export interface RenderOptions {
  /** Window centre/width in modality units (HU for CT); LINEAR. Default: the file's own. */
  window?: { center: number; width: number };
}

export interface RenderedFrame {
  width: number;
  height: number;
  /** Interleaved RGBA, alpha 255, row-major from the top-left pixel. */
  rgba: Uint8Array;
  /** The window used for a greyscale frame; null for colour or a VOI LUT. */
  window: VoiWindow | null;
}

function toRgba(grey: Uint8Array): Uint8Array {
  const out = new Uint8Array(grey.length * 4);
  for (let i = 0, o = 0; i < grey.length; i++, o += 4) {
    const v = grey[i]!;
    out[o] = v;
    out[o + 1] = v;
    out[o + 2] = v;
    out[o + 3] = 255;
  }
  return out;
}

function colourToRgba(frame: DecodedFrame, bits: number): Uint8Array {
  const px = frame.pixels;
  const n = frame.rows * frame.columns;
  if (px.length !== n * 3) throw new AppError('DICOM_PIXEL_MISMATCH', 'colour frame size does not match its dimensions');
  const out = new Uint8Array(n * 4);
  const shift = Math.max(0, bits - 8);
  const div = 2 ** shift;
  for (let i = 0, s = 0, o = 0; i < n; i++, s += 3, o += 4) {
    for (let c = 0; c < 3; c++) {
      const v = Math.floor(px[s + c]! / div);
      out[o + c] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
    out[o + 3] = 255;
  }
  return out;
}

function validWindow(w: RenderOptions['window']): w is { center: number; width: number } {
  return w !== undefined && Number.isFinite(w.center) && Number.isFinite(w.width) && w.width > 0;
}

/** With `decoder`, a frame that needs a codec decodes there, under its decode budget (series/boundedFrameDecode). */
export async function renderFrameRgba(file: DicomFile, frameIndex: number, options: RenderOptions, codecs?: CodecRegistry, decoder?: FrameDecoder): Promise<RenderedFrame> {
  checkOptions(options);
  return renderDecodedFrame(await decodeFrameBounded(file, frameIndex, decoder, codecs), file, frameIndex, options);
}

function checkOptions(options: RenderOptions): void {
  if (options.window !== undefined && !validWindow(options.window)) {
    throw new AppError('INVALID_REQUEST', 'window needs a finite centre and a width above 0');
  }
}

/** The same for a frame already decoded (thumbnails and exports decode once and render several ways). */
export function renderDecodedFrame(frame: DecodedFrame, file: PixelSource, frameIndex: number, options: RenderOptions): RenderedFrame {
  checkOptions(options);
  const { rows: height, columns: width } = frame;
  if (frame.samplesPerPixel === 3) {
    // Palette output is 8- or 16-bit by its LUTs; true colour carries BitsStored.
    let bits = 8;
    if (!(frame.pixels instanceof Uint8Array || frame.pixels instanceof Int8Array)) {
      const desc = readPixelDescription(file.dataSet, file.transferSyntaxUid);
      bits = desc.photometricInterpretation === 'PALETTE COLOR' ? 16 : desc.bitsStored;
    }
    return { width, height, rgba: colourToRgba(frame, bits), window: null };
  }
  if (frame.samplesPerPixel !== 1) throw new AppError('DICOM_PIXEL_MISMATCH', `cannot render ${frame.samplesPerPixel} samples per pixel`);
  if (frame.pixels.length !== width * height) throw new AppError('DICOM_PIXEL_MISMATCH', 'frame size does not match its dimensions');
  const values = toModalityValues(frame, file, frameIndex);
  const invert = frame.photometricInterpretation === 'MONOCHROME1';
  if (validWindow(options.window)) {
    const w: VoiWindow = { center: options.window.center, width: options.window.width, fn: 'LINEAR' };
    return { width, height, rgba: toRgba(applyVoi(values, w, invert)), window: w };
  }
  const presets = readVoiPresets(file.dataSet, file.transferSyntaxUid === '1.2.840.10008.1.2.2', frameIndex);
  const stated = presets.windows[0];
  if (stated) return { width, height, rgba: toRgba(applyVoi(values, stated, invert)), window: stated };
  const lut = presets.luts[0];
  if (lut) return { width, height, rgba: toRgba(applyVoiLut(values, lut, invert)), window: null };
  const auto = autoWindow(values);
  return { width, height, rgba: toRgba(applyVoi(values, auto, invert)), window: auto };
}

/** PNG bytes of one frame: 8-bit grey for greyscale, 8-bit RGB for colour. */
export async function renderFrameToPng(file: DicomFile, frameIndex: number, options: RenderOptions, codecs?: CodecRegistry, decoder?: FrameDecoder): Promise<Uint8Array> {
  const r = await renderFrameRgba(file, frameIndex, options, codecs, decoder);
  return encodePng(r);
}

export function encodePng(r: RenderedFrame): Uint8Array {
  const png = new PNG({ width: r.width, height: r.height });
  png.data = Buffer.from(r.rgba.buffer, r.rgba.byteOffset, r.rgba.byteLength);
  let grey = true;
  for (let i = 0; i < r.rgba.length && grey; i += 4) grey = r.rgba[i] === r.rgba[i + 1] && r.rgba[i] === r.rgba[i + 2];
  const buf = PNG.sync.write(png, { colorType: grey ? 0 : 2, inputColorType: 6, inputHasAlpha: true });
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

// Baseline 8-bit JPEG for exported pictures, with libjpeg-turbo (WebAssembly, already a dependency for decoding).
import { AppError } from '../../../src-shared/errors';

type Factory = typeof import('@cornerstonejs/codec-libjpeg-turbo-8bit/wasmjs').default;
let loading: ReturnType<Factory> | undefined;

/**
 * Encodes RGBA pixels (alpha dropped) as a baseline JPEG. The bundled build ignores setQuality (measured: the
 * same size at 10 and 100), so quality is the encoder's default.
 */
export async function encodeJpeg(width: number, height: number, rgba: Uint8Array): Promise<Uint8Array> {
  if (rgba.length !== width * height * 4) throw new AppError('INVALID_REQUEST', 'pixel buffer does not match the picture size');
  loading ??= import('@cornerstonejs/codec-libjpeg-turbo-8bit/wasmjs').then((m) => m.default({ print() {}, printErr() {} }));
  const codec = await loading;
  const enc = new codec.JPEGEncoder();
  try {
    const buf = enc.getDecodedBuffer({ width, height, bitsPerSample: 8, componentCount: 3, isSigned: false });
    for (let i = 0, o = 0; i < width * height; i++, o += 3) {
      buf[o] = rgba[i * 4] as number;
      buf[o + 1] = rgba[i * 4 + 1] as number;
      buf[o + 2] = rgba[i * 4 + 2] as number;
    }
    enc.setProgressive(false);
    enc.encode();
    return enc.getEncodedBuffer().slice();
  } catch (e) {
    throw new AppError('EXPORT_FAILED', 'JPEG encoding failed', { cause: e });
  } finally {
    enc.delete();
  }
}

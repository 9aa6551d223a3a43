// Loads the WebAssembly codecs once per process (Node: main's workers, the CLI, tests) and adapts
// each to the pure ImageDecoder interface: header checked against DICOM before decoding, output
// copied into a buffer sized from the DICOM header, every failure an AppError.
import { AppError } from '../../../src-shared/errors';
import type { CodecOutput, CodecRegistry, ExpectedFrame, ImageDecoder } from '../../../src-shared/dicom/codecs/codecTypes';
import { checkAgainstDicom, readCodestreamHeader } from '../../../src-shared/dicom/pixels/codestreamHeader';
import { planarToInterleaved } from '../../../src-shared/dicom/pixels/colour';

type DecoderClass = new () => EmscriptenDecoder;

const quiet = (): { print(s: string): void; printErr(s: string): void } => ({ print() {}, printErr() {} });

function bytesPerSample(bits: number): number {
  return bits <= 8 ? 1 : 2;
}

/** Copies `count` samples out of WASM memory into a fresh array of exactly the expected size. */
function copySamples(src: Uint8Array, e: ExpectedFrame, bits: number, signed: boolean): CodecOutput['samples'] {
  const count = e.rows * e.columns * e.samplesPerPixel;
  const width = bytesPerSample(bits);
  if (src.length < count * width) throw new AppError('DICOM_DECODE', 'codec produced fewer samples than the frame needs');
  const bytes = new Uint8Array(count * width);
  bytes.set(src.subarray(0, count * width));
  if (width === 1) return signed ? new Int8Array(bytes.buffer) : bytes;
  return signed ? new Int16Array(bytes.buffer) : new Uint16Array(bytes.buffer);
}

function wrapFailure(e: unknown, what: string): AppError {
  if (e instanceof AppError) return e;
  // Emscripten aborts throw bare numbers or RuntimeErrors: never let those escape untyped.
  const detail = e instanceof Error ? e.message : typeof e === 'number' ? `code ${e}` : 'unknown failure';
  return new AppError('DICOM_DECODE', `${what} could not decode the frame (${detail})`, { cause: e });
}

function emscriptenDecoder(Cls: DecoderClass, what: string, opts: { planarWhenInterleaveZero?: boolean; colourToRgb?: boolean }): ImageDecoder {
  return {
    decode(encoded: Uint8Array, expected: ExpectedFrame): CodecOutput {
      const header = readCodestreamHeader(encoded);
      checkAgainstDicom(header, expected);
      if (what === 'libjpeg-turbo' && header.bitsPerSample > 8) {
        throw new AppError('DICOM_DECODE', `libjpeg-turbo decodes 8-bit JPEG only, this one has ${header.bitsPerSample} bits`);
      }
      let d: EmscriptenDecoder | undefined;
      try {
        d = new Cls();
        d.getEncodedBuffer(encoded.length).set(encoded);
        d.decode();
        const fi = d.getFrameInfo();
        const info = { width: fi.width, height: fi.height, componentCount: fi.componentCount, bitsPerSample: fi.bitsPerSample, signed: fi.isSigned ?? header.signed };
        checkAgainstDicom(info, expected);
        let samples = copySamples(d.getDecodedBuffer(), expected, info.bitsPerSample, info.signed === true);
        if (opts.planarWhenInterleaveZero && expected.samplesPerPixel > 1 && d.getInterleaveMode?.() === 0) {
          samples = planarToInterleaved(samples, expected.samplesPerPixel);
        }
        return { info: { ...info, colourConvertedToRgb: opts.colourToRgb === true && expected.samplesPerPixel === 3 }, samples };
      } catch (e) {
        throw wrapFailure(e, what);
      } finally {
        d?.delete();
      }
    },
  };
}

function jpegLosslessDecoder(Decoder: new () => { decode(b: ArrayBuffer, o: number, l: number, n?: number): Uint8Array | Uint16Array; frame: { precision: number; dimX: number; dimY: number; numComp: number } }): ImageDecoder {
  return {
    decode(encoded: Uint8Array, expected: ExpectedFrame): CodecOutput {
      const header = readCodestreamHeader(encoded);
      checkAgainstDicom(header, expected);
      if (header.marker !== 0xffc3) throw new AppError('DICOM_PIXEL_MISMATCH', 'not a lossless (SOF3) JPEG codestream');
      try {
        const d = new Decoder();
        const copy = encoded.slice();
        const width = bytesPerSample(header.bitsPerSample);
        const out = d.decode(copy.buffer, 0, copy.length, width);
        const info = { width: d.frame.dimX, height: d.frame.dimY, componentCount: d.frame.numComp, bitsPerSample: d.frame.precision };
        checkAgainstDicom(info, expected);
        const bytes = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
        return { info, samples: copySamples(bytes, expected, info.bitsPerSample, false) };
      } catch (e) {
        throw wrapFailure(e, 'jpeg-lossless-decoder-js');
      }
    },
  };
}

let loading: Promise<CodecRegistry> | undefined;

/** Loads the codecs once; later calls share the same registry. */
export function createNodeCodecs(): Promise<CodecRegistry> {
  loading ??= (async () => {
    const [charls, turbo, openjpeg, openjph, lossless] = await Promise.all([
      import('@cornerstonejs/codec-charls/decodewasmjs').then((m) => m.default(quiet())),
      import('@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs').then((m) => m.default(quiet())),
      import('@cornerstonejs/codec-openjpeg/decodewasmjs').then((m) => m.default(quiet())),
      import('@cornerstonejs/codec-openjph/wasmjs').then((m) => m.default(quiet())),
      import('jpeg-lossless-decoder-js'),
    ]);
    const need = (m: Record<string, DecoderClass>, name: string): DecoderClass => {
      const C = m[name];
      if (!C) throw new AppError('INTERNAL', `codec module lacks ${name}`);
      return C;
    };
    const registry: CodecRegistry = {
      jpegLs: emscriptenDecoder(need(charls, 'JpegLSDecoder'), 'CharLS', { planarWhenInterleaveZero: true }),
      jpegBaseline8: emscriptenDecoder(need(turbo, 'JPEGDecoder'), 'libjpeg-turbo', { colourToRgb: true }),
      jpeg2000: emscriptenDecoder(need(openjpeg, 'J2KDecoder'), 'OpenJPEG', { colourToRgb: true }),
      htj2k: emscriptenDecoder(need(openjph, 'HTJ2KDecoder'), 'OpenJPH', { colourToRgb: true }),
      jpegLossless: jpegLosslessDecoder(lossless.Decoder),
    };
    return registry;
  })();
  loading.catch(() => {
    loading = undefined;
  });
  return loading;
}

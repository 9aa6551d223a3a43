// Loads the WebAssembly codecs once per process (Node: main's workers, the CLI, tests) and adapts
// each to the pure ImageDecoder interface: header checked against DICOM before decoding, output
// copied into a buffer sized from the DICOM header, every failure an AppError, and a module
// instance that trapped or threw replaced by a fresh one before it decodes anything else.
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

type ModuleExports = Record<string, DecoderClass>;
type ModuleFactory = (options: ReturnType<typeof quiet>) => Promise<ModuleExports>;

/** WebAssembly module instances made in this process, by codec (one more after every trap or throw). */
const instancesMade: Record<string, number> = {};

export function codecModuleInstances(): Readonly<Record<string, number>> {
  return { ...instancesMade };
}

/**
 * One live instance of an Emscripten module. After a trap (or any throw out of the module) its
 * memory and internal state are undefined, so it is dropped and the next decode gets a fresh one.
 */
class ModuleHolder {
  private current: Promise<ModuleExports> | undefined;

  constructor(
    private readonly name: string,
    private readonly factory: ModuleFactory,
  ) {}

  /** The live instance; never one discarded while this call waited for it. */
  async ready(): Promise<ModuleExports> {
    for (;;) {
      const p = (this.current ??= this.instantiate());
      const m = await p;
      if (this.current === p) return m;
    }
  }

  discard(): void {
    this.current = undefined;
  }

  private instantiate(): Promise<ModuleExports> {
    instancesMade[this.name] = (instancesMade[this.name] ?? 0) + 1;
    const p = this.factory(quiet());
    p.catch(() => {
      if (this.current === p) this.current = undefined;
    });
    return p;
  }
}

function emscriptenDecoder(holder: ModuleHolder, className: string, what: string, opts: { planarWhenInterleaveZero?: boolean; colourToRgb?: boolean }): ImageDecoder {
  return {
    async decode(encoded: Uint8Array, expected: ExpectedFrame): Promise<CodecOutput> {
      const header = readCodestreamHeader(encoded);
      checkAgainstDicom(header, expected);
      if (what === 'libjpeg-turbo' && header.bitsPerSample > 8) {
        throw new AppError('DICOM_DECODE', `libjpeg-turbo decodes 8-bit JPEG only, this one has ${header.bitsPerSample} bits`);
      }
      const Cls = (await holder.ready())[className];
      if (!Cls) throw new AppError('INTERNAL', `codec module lacks ${className}`);
      // From here to the end nothing awaits: no other decode can reach this instance in between.
      let d: EmscriptenDecoder | undefined;
      let poisoned = false;
      try {
        let fi: ReturnType<EmscriptenDecoder['getFrameInfo']>;
        let decoded: Uint8Array;
        let interleave: number | undefined;
        try {
          d = new Cls();
          d.getEncodedBuffer(encoded.length).set(encoded);
          d.decode();
          fi = d.getFrameInfo();
          decoded = d.getDecodedBuffer();
          interleave = d.getInterleaveMode?.();
        } catch (e) {
          poisoned = true;
          holder.discard();
          throw wrapFailure(e, what);
        }
        const info = { width: fi.width, height: fi.height, componentCount: fi.componentCount, bitsPerSample: fi.bitsPerSample, signed: fi.isSigned ?? header.signed };
        try {
          checkAgainstDicom(info, expected);
        } catch (e) {
          // The header agreed before decoding, so the codec failed inside (OpenJPEG and OpenJPH report a failure
          // as an empty frame rather than throwing): its instance is as suspect as one that threw.
          poisoned = true;
          holder.discard();
          if (info.width === 0 || info.height === 0) throw new AppError('DICOM_DECODE', `${what} could not decode the frame (it reported an empty image)`);
          throw e;
        }
        let samples = copySamples(decoded, expected, info.bitsPerSample, info.signed === true);
        if (opts.planarWhenInterleaveZero && expected.samplesPerPixel > 1 && interleave === 0) {
          samples = planarToInterleaved(samples, expected.samplesPerPixel);
        }
        return { info: { ...info, colourConvertedToRgb: opts.colourToRgb === true && expected.samplesPerPixel === 3 }, samples };
      } finally {
        if (!poisoned) d?.delete();
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

/** The codecs with their own module instances (tests that poison one use this, not the shared registry). */
export async function createCodecRegistry(): Promise<CodecRegistry> {
  const [charls, turbo, openjpeg, openjph, lossless] = await Promise.all([
    import('@cornerstonejs/codec-charls/decodewasmjs'),
    import('@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs'),
    import('@cornerstonejs/codec-openjpeg/decodewasmjs'),
    import('@cornerstonejs/codec-openjph/wasmjs'),
    import('jpeg-lossless-decoder-js'),
  ]);
  const holders = {
    charls: new ModuleHolder('CharLS', charls.default),
    turbo: new ModuleHolder('libjpeg-turbo', turbo.default),
    openjpeg: new ModuleHolder('OpenJPEG', openjpeg.default),
    openjph: new ModuleHolder('OpenJPH', openjph.default),
  };
  // Instantiate now: a module that cannot load, or lacks its decoder, fails here rather than on the first frame.
  const need = async (h: ModuleHolder, name: string): Promise<string> => {
    if (!(await h.ready())[name]) throw new AppError('INTERNAL', `codec module lacks ${name}`);
    return name;
  };
  const [ls, jpeg, j2k, ht] = await Promise.all([
    need(holders.charls, 'JpegLSDecoder'), need(holders.turbo, 'JPEGDecoder'), need(holders.openjpeg, 'J2KDecoder'), need(holders.openjph, 'HTJ2KDecoder'),
  ]);
  return {
    jpegLs: emscriptenDecoder(holders.charls, ls, 'CharLS', { planarWhenInterleaveZero: true }),
    jpegBaseline8: emscriptenDecoder(holders.turbo, jpeg, 'libjpeg-turbo', { colourToRgb: true }),
    jpeg2000: emscriptenDecoder(holders.openjpeg, j2k, 'OpenJPEG', { colourToRgb: true }),
    htj2k: emscriptenDecoder(holders.openjph, ht, 'OpenJPH', { colourToRgb: true }),
    jpegLossless: jpegLosslessDecoder(lossless.Decoder),
  };
}

/** Loads the codecs once; later calls share the same registry. */
export function createNodeCodecs(): Promise<CodecRegistry> {
  loading ??= createCodecRegistry();
  loading.catch(() => {
    loading = undefined;
  });
  return loading;
}

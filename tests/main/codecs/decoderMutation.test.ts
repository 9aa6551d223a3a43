// Mutated real frames through every decoder: each either decodes to exactly the frame size or
// fails with a typed AppError; none throws untyped, hangs, or returns a wrongly sized frame.
import { describe, expect, it, beforeAll } from 'vitest';
import { join } from 'node:path';
import type { CodecRegistry } from '../../../src-shared/dicom/codecs/codecTypes';
import { isAppError } from '../../../src-shared/errors';
import { decodeFrame } from '../../../src-shared/dicom/pixels/decodeFrame';
import { createNodeCodecs } from '../../../src-main/services/codecs/nodeCodecs';
import { CORPUS, loadDicom } from './referenceHarness';

const FILES = [
  'orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.4.51.dcm', // 12-bit DCT (own decoder)
  'orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.4.50.dcm', // libjpeg-turbo
  'orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.4.70.dcm', // own lossless
  'orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.4.80.dcm', // CharLS
  'orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.4.90.dcm', // OpenJPEG
  'pydicom-data/HTJ2KLossless_08_RGB.dcm', // OpenJPH
  'orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.5.dcm', // own RLE
  'pydicom-data/liver_deflate.dcm', // Deflated Image Frame
];

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let codecs: CodecRegistry;
beforeAll(async () => {
  codecs = await createNodeCodecs();
});

describe('mutated frames', () => {
  it.each(FILES)('%s', async (path) => {
    const original = loadDicom(join(CORPUS, path));
    const el = original.dataSet.elements.x7fe00010!;
    const frag = el.fragments![0]!;
    const rand = prng(1234);
    const counts: Record<string, number> = {};
    for (let i = 0; i < 60; i++) {
      const bytes = original.dataSet.byteArray.slice();
      const start = frag.position;
      const len = frag.length;
      const kind = i % 3;
      if (kind === 0) {
        // Flip a few bytes, biased to the codestream header.
        for (let k = 0; k < 4; k++) {
          const at = start + Math.floor(rand() * Math.min(len, k < 2 ? 200 : len));
          bytes[at] = bytes[at]! ^ (1 + Math.floor(rand() * 255));
        }
      } else if (kind === 1) {
        // Truncate the entropy-coded data (zeroes the tail of the fragment in place).
        bytes.fill(0, start + Math.floor(rand() * len), start + len);
      } else {
        // Overwrite a run with random bytes.
        const at = start + Math.floor(rand() * len);
        for (let k = 0; k < 64 && at + k < start + len; k++) bytes[at + k] = Math.floor(rand() * 256);
      }
      const file = { ...original, dataSet: Object.assign(Object.create(Object.getPrototypeOf(original.dataSet)), original.dataSet, { byteArray: bytes }) };
      let outcome: string;
      try {
        const frame = await decodeFrame(file, 0, codecs);
        expect(frame.pixels.length).toBe(frame.rows * frame.columns * frame.samplesPerPixel);
        outcome = 'decoded';
      } catch (e) {
        outcome = isAppError(e) ? e.code : `UNTYPED ${String(e).slice(0, 80)}`;
      }
      counts[outcome] = (counts[outcome] ?? 0) + 1;
    }
    console.log(path, JSON.stringify(counts));
    expect(Object.keys(counts).filter((k) => k.startsWith('UNTYPED'))).toEqual([]);
    // A codec that failed on hostile input must still decode good input afterwards (no poisoned WASM state).
    const good = await decodeFrame(original, 0, codecs);
    expect(good.pixels.length).toBe(good.rows * good.columns * good.samplesPerPixel);
  });
});

describe('unsupported transfer syntaxes', () => {
  it('JPEG XL is refused with DICOM_UNSUPPORTED_SYNTAX naming the syntax', async () => {
    const file = loadDicom(join(CORPUS, 'dcm4che/test-data/will-jxl.dcm'));
    const e = await decodeFrame(file, 0, codecs).then(() => undefined, (err: unknown) => err);
    expect(isAppError(e) && e.code).toBe('DICOM_UNSUPPORTED_SYNTAX');
    expect(String((e as Error).message)).toContain('JPEG XL JPEG Recompression (1.2.840.10008.1.2.4.111)');
  });

  it('video and unknown syntaxes are refused by name too', async () => {
    const file = loadDicom(join(CORPUS, 'orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.4.50.dcm'));
    for (const [uid, name] of [['1.2.840.10008.1.2.4.102', 'H.264'], ['1.2.840.10008.1.2.4.107', 'HEVC'], ['1.2.840.10008.1.2.4.112', 'JPEG XL'], ['1.2.3.4', 'unknown transfer syntax 1.2.3.4']]) {
      const e = await decodeFrame({ ...file, transferSyntaxUid: uid! }, 0, codecs).then(() => undefined, (err: unknown) => err);
      expect(isAppError(e) && e.code).toBe('DICOM_UNSUPPORTED_SYNTAX');
      expect(String((e as Error).message)).toContain(name!);
    }
  });
});

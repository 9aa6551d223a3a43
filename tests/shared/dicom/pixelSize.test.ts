import { describe, expect, it } from 'vitest';
import { computeFrameByteLength, computePixelByteLength, type PixelGeometry } from '../../../src-shared/dicom/pixelSize';
import { codeOf } from '../../tools/errorCode';

const g = (o: Partial<PixelGeometry>): PixelGeometry => ({ rows: 512, columns: 512, samplesPerPixel: 1, bitsAllocated: 16, numberOfFrames: 1, ...o });

describe('pixel size', () => {
  it('computes frame and total bytes', () => {
    expect(computePixelByteLength(g({}))).toBe(512 * 512 * 2);
    expect(computePixelByteLength(g({ samplesPerPixel: 3, bitsAllocated: 8, numberOfFrames: 10 }))).toBe(512 * 512 * 3 * 10);
    expect(computeFrameByteLength(g({ bitsAllocated: 64 }))).toBe(512 * 512 * 8);
    // 1-bit frames are packed back to back: 3 frames of 3x3 bits = 27 bits = 4 bytes.
    expect(computePixelByteLength(g({ rows: 3, columns: 3, bitsAllocated: 1, numberOfFrames: 3 }))).toBe(4);
    expect(computeFrameByteLength(g({ rows: 3, columns: 3, bitsAllocated: 1 }))).toBe(2);
  });

  it('refuses hostile or nonsensical headers before anything is allocated', () => {
    // 65535 x 65535 x 4 samples x 64 bits = 137 GB per frame.
    expect(codeOf(() => computeFrameByteLength(g({ rows: 65535, columns: 65535, samplesPerPixel: 4, bitsAllocated: 64 })))).toBe('DICOM_LIMIT_EXCEEDED');
    expect(codeOf(() => computePixelByteLength(g({ numberOfFrames: 2 ** 31 - 1 })))).toBe('DICOM_LIMIT_EXCEEDED');
    expect(codeOf(() => computePixelByteLength(g({ numberOfFrames: 20_000 })))).toBe('DICOM_LIMIT_EXCEEDED'); // 10 GB
    expect(codeOf(() => computePixelByteLength(g({ numberOfFrames: 4000 }), { maxBytes: 1024 ** 3 }))).toBe('DICOM_LIMIT_EXCEEDED');
    expect(codeOf(() => computePixelByteLength(g({ numberOfFrames: 4000 })))).toBe('no error');
    for (const bad of [{ rows: 0 }, { columns: -1 }, { rows: 70000 }, { samplesPerPixel: 0 }, { samplesPerPixel: 5 }, { bitsAllocated: 12 }, { bitsAllocated: 0 }, { numberOfFrames: 0 }, { rows: 1.5 }, { rows: NaN }]) {
      expect(codeOf(() => computePixelByteLength(g(bad))), JSON.stringify(bad)).toBe('DICOM_PARSE');
    }
  });
});

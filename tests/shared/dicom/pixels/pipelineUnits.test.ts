// The formulas the corpus tests cannot reach: LINEAR_EXACT (dcmtk 3.6.7 lacks it), LINEAR at
// width 1, segmented LUT opcodes, sign extension at odd HighBit, RCT and 4:2:2 expansion.
import { describe, expect, it } from 'vitest';
import { expand422, rctToRgb, planarToInterleaved } from '../../../../src-shared/dicom/pixels/colour';
import { expandSegmentedLut } from '../../../../src-shared/dicom/pixels/palette';
import { toStoredValues } from '../../../../src-shared/dicom/pixels/storedValues';
import { applyVoi } from '../../../../src-shared/dicom/pixels/voi';
import { applyModalityTransform } from '../../../../src-shared/dicom/pixels/modalityLut';

describe('VOI functions (PS3.3 C.11.2.1.2)', () => {
  it('LINEAR_EXACT maps c - w/2 .. c + w/2 onto 0..255', () => {
    const v = applyVoi(Float32Array.from([-100, 0, 50, 100, 150, 200, 300]), { center: 100, width: 200, fn: 'LINEAR_EXACT' }, false);
    // y = ((x - c) / w + 0.5) * 255, truncated; x <= c - w/2 -> 0, x > c + w/2 -> 255
    expect([...v]).toEqual([0, 0, 63, 127, 191, 255, 255]);
  });

  it('LINEAR with width 1 is a threshold at c - 0.5', () => {
    const v = applyVoi(Float32Array.from([9, 9.5, 10, 11]), { center: 10, width: 1 }, false);
    expect([...v]).toEqual([0, 0, 255, 255]);
  });

  it('LINEAR follows the standard formula and inverts for MONOCHROME1', () => {
    const x = Float32Array.from([40, 50, 60]);
    const v = applyVoi(x, { center: 50, width: 21 }, false);
    // window is (39.5, 59.5]: y = ((x - 49.5) / 20 + 0.5) * 255 inside, 60 is above it
    const y = (x0: number): number => ((x0 - 49.5) / 20 + 0.5) * 255;
    expect([...v]).toEqual([Math.floor(y(40)), Math.floor(y(50)), 255]);
    expect([...applyVoi(x, { center: 50, width: 21 }, true)]).toEqual([Math.floor(255 - y(40)), Math.floor(255 - y(50)), 0]);
  });

  it('SIGMOID is 255 / (1 + exp(-4 (x - c) / w))', () => {
    const v = applyVoi(Float32Array.from([50, 100, 150]), { center: 100, width: 100, fn: 'SIGMOID' }, false);
    expect([...v]).toEqual([Math.floor(255 / (1 + Math.exp(2))), 127, Math.floor(255 / (1 + Math.exp(-2)))]);
  });
});

describe('modality transform', () => {
  it('applies slope/intercept and clamps LUT indices to the table', () => {
    expect([...applyModalityTransform([0, 1000], { kind: 'rescale', slope: 2, intercept: -1024 })]).toEqual([-1024, 976]);
    const lut = { firstMapped: -2, bits: 16, entries: Uint16Array.from([10, 20, 30]), explanation: '' };
    expect([...applyModalityTransform([-5, -2, -1, 0, 7], { kind: 'lut', slope: 1, intercept: 0, lut })]).toEqual([10, 10, 20, 30, 30]);
  });
});

describe('segmented palette LUT (PS3.3 C.7.9.2)', () => {
  it('expands discrete, linear and indirect segments', () => {
    // discrete [0, 100], linear 4 steps to 200, indirect: repeat the first segment (word offset 0)
    const data = Uint16Array.from([0, 2, 0, 100, 1, 4, 200, 2, 1, 0, 0]);
    expect([...expandSegmentedLut(data, 8)]).toEqual([0, 100, 125, 150, 175, 200, 0, 100]);
  });

  it('refuses unknown opcodes and truncated segments with typed errors', () => {
    expect(() => expandSegmentedLut(Uint16Array.from([7, 1, 0]), 4)).toThrow(/unknown opcode/);
    expect(() => expandSegmentedLut(Uint16Array.from([0, 10, 1]), 4)).toThrow(/truncated/);
  });
});

describe('stored values', () => {
  it('masks above BitsStored and sign-extends from HighBit, also when HighBit is not BitsStored - 1', () => {
    const layout = { bitsAllocated: 16, bitsStored: 12, highBit: 11, pixelRepresentation: 1, kind: 'integer' as const };
    expect([...toStoredValues(Uint16Array.from([0xf7ff, 0x0800, 0xffff, 0x0fff]), layout)]).toEqual([2047, -2048, -1, -1]);
    const shifted = { ...layout, highBit: 15, pixelRepresentation: 0 };
    expect([...toStoredValues(Uint16Array.from([0xfff0, 0x0010]), shifted)]).toEqual([4095, 1]);
  });
});

describe('colour layouts', () => {
  it('planar to interleaved, 4:2:2 expansion, RCT inverse', () => {
    expect([...planarToInterleaved(Uint8Array.from([1, 2, 3, 4, 5, 6]), 3)]).toEqual([1, 3, 5, 2, 4, 6]);
    expect([...expand422(Uint8Array.from([10, 20, 128, 129]), 1, 2)]).toEqual([10, 128, 129, 20, 128, 129]);
    // RCT forward of (R, G, B) = (200, 100, 50): Y = floor((R + 2G + B) / 4) = 112, U = B - G = -50, V = R - G = 100
    expect([...rctToRgb(Uint8Array.from([112, 128 - 50, 128 + 100]), 8)]).toEqual([200, 100, 50]);
  });
});

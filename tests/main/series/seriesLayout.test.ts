// Volume or images: which frames a series shows, in what order, with which warnings.
import { describe, expect, it } from 'vitest';
import { layoutSeries } from '../../../src-main/services/series/seriesLayout';
import type { FrameRef } from '../../../src-shared/dicom/volume/frameRef';

const AXIAL: FrameRef['orientation'] = [1, 0, 0, 0, 1, 0];

function frame(key: number, z: number | null, size = 64): FrameRef {
  return { key: String(key), frameIndex: 0, rows: size, columns: size, position: z === null ? null : [0, 0, z], orientation: AXIAL, pixelSpacing: [0.5, 0.5], sliceThickness: 1 };
}

describe('layoutSeries', () => {
  it('stacks a positioned CT series by position into a volume', () => {
    const l = layoutSeries('CT', [frame(0, 4), frame(1, 0), frame(2, 2)]);
    expect(l).toMatchObject({ kind: 'volume', order: [1, 2, 0], dimensions: [64, 64, 3], spacing: [0.5, 0.5, 2], origin: [0, 0, 0], warnings: [] });
  });

  it('shows a single CT slice, a CT series without positions and any radiograph series as images, in the order given, without warnings', () => {
    for (const [modality, frames] of [['CT', [frame(0, 3)]], ['CT', [frame(0, null), frame(1, null)]], ['DX', [frame(0, 5), frame(1, 0)]]] as const) {
      const l = layoutSeries(modality, [...frames]);
      expect(l, modality).toMatchObject({ kind: 'images', order: frames.map((_, i) => i), warnings: [], origin: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1], geometry: null });
    }
  });

  it('keeps the images of the most common size and says how many were left out', () => {
    const l = layoutSeries('CR', [frame(0, null, 64), frame(1, null, 32), frame(2, null, 64), frame(3, null, 32), frame(4, null, 64)]);
    expect(l.order).toEqual([0, 2, 4]);
    expect(l.dimensions).toEqual([64, 64, 3]);
    expect(l.warnings).toEqual([{ code: 'MIXED_SIZES', message: '2 image(s) of other sizes are left out: the series shows its 3 image(s) of 64x64.' }]);
  });
});

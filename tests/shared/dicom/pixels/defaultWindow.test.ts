// The automatic window: 0.5th..99.5th percentile of the modality values, padding left out.
import { describe, expect, it } from 'vitest';
import { robustWindow } from '../../../../src-shared/dicom/pixels/defaultWindow';

/** 0..999 once each, plus `extra`. */
function ramp(extra: number[] = []): number[] {
  return [...Array.from({ length: 1000 }, (_, i) => i), ...extra];
}

describe('robustWindow', () => {
  it('spans the 0.5th to the 99.5th percentile of integer data exactly', () => {
    const r = robustWindow(Int16Array.from(ramp()))!;
    // 1000 values: rank 5 is 4, rank 995 is 994.
    expect(r).toEqual({ low: 4, high: 994, center: 499, width: 990, min: 0, max: 999 });
  });

  it('is not dragged by a few extreme pixels, unlike min..max', () => {
    const r = robustWindow(ramp([30000, 30000, -3000]))!;
    expect(r.min).toBe(-3000);
    expect(r.max).toBe(30000);
    // 1003 values: rank 6 (of -3000, 0, 1, ...) is 4, rank 998 is 996.
    expect(r.low).toBe(4);
    expect(r.high).toBe(996);
  });

  it('leaves out padding (a background of -2000 fills half the image)', () => {
    const values = ramp(new Array<number>(1000).fill(-2000));
    expect(robustWindow(values)!.low).toBe(-2000);
    const r = robustWindow(values, { exclude: [-2000, -2000] })!;
    expect([r.low, r.high, r.min]).toEqual([4, 994, 0]);
  });

  it('bins float data between min and max, never cutting inside a bin', () => {
    const values = Float32Array.from({ length: 10000 }, (_, i) => i / 10000);
    const r = robustWindow(values)!;
    expect(r.low).toBeGreaterThanOrEqual(0.004);
    expect(r.low).toBeLessThanOrEqual(0.005);
    expect(r.high).toBeGreaterThanOrEqual(0.995);
    expect(r.high).toBeLessThanOrEqual(0.9955);
    expect(r.width).toBeCloseTo(r.high - r.low, 12);
  });

  it('answers a flat image with width 1 and nothing countable with null', () => {
    expect(robustWindow(new Uint8Array(64).fill(7))).toMatchObject({ center: 7, width: 1 });
    expect(robustWindow([Number.NaN, 5], { exclude: [5, 5] })).toBeNull();
    expect(robustWindow([])).toBeNull();
  });
});

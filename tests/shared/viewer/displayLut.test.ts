// The display chain against values worked by hand from PS3.3 C.11.2.1.2 and against main's applyVoi,
// so the renderer's transfer functions and main's rendered PNGs show the same greys.
import { describe, expect, it } from 'vitest';
import { applyVoi, applyVoiLut } from '../../../src-shared/dicom/pixels/voi';
import type { DisplayInfo, VoiLutInfo, VoiWindowInfo } from '../../../src-shared/ipc/contract';
import { displayRamp, greyOf, modalityOf, storedWindowLevel } from '../../../src-shared/viewer/displayLut';

const win = (center: number, width: number, fn: VoiWindowInfo['function'] = 'LINEAR'): { window: VoiWindowInfo } => ({ window: { center, width, function: fn, explanation: '' } });

function ctDisplay(slope = 1, intercept = -1024): DisplayInfo {
  return {
    pixelType: 'uint16', components: 1, photometric: 'MONOCHROME2', modalityLut: { kind: 'linear', slope, intercept },
    windows: [], voiLuts: [], inverted: false, defaultWindow: win(40, 400).window, valueRange: [-1024, 3071],
  };
}

describe('greyOf: the standard\'s formulas', () => {
  it('LINEAR: y = ((x - (c - 0.5)) / (w - 1) + 0.5), 0 at or below c - 0.5 - (w-1)/2, 1 above c - 0.5 + (w-1)/2', () => {
    const v = win(40, 400);
    expect(greyOf(-160, v, false)).toBe(0);
    expect(greyOf(-159, v, false)).toBeCloseTo(1 / 399, 12);
    expect(greyOf(40, v, false)).toBeCloseTo(0.5 / 399 + 0.5, 12);
    expect(greyOf(239, v, false)).toBeCloseTo(1, 12);
    expect(greyOf(3000, v, false)).toBe(1);
    expect(greyOf(40, v, true)).toBeCloseTo(0.5 - 0.5 / 399, 12);
  });

  it('LINEAR with width 1 is a threshold at c - 0.5', () => {
    expect([9, 9.5, 9.6, 11].map((x) => greyOf(x, win(10, 1), false))).toEqual([0, 0, 1, 1]);
  });

  it('LINEAR_EXACT: y = (x - c) / w + 0.5', () => {
    expect([-100, 0, 50, 100, 150, 200, 300].map((x) => greyOf(x, win(100, 200, 'LINEAR_EXACT'), false))).toEqual([0, 0, 0.25, 0.5, 0.75, 1, 1]);
  });

  it('SIGMOID: y = 1 / (1 + exp(-4 (x - c) / w))', () => {
    const v = win(100, 100, 'SIGMOID');
    expect(greyOf(100, v, false)).toBeCloseTo(0.5, 12);
    expect(greyOf(150, v, false)).toBeCloseTo(1 / (1 + Math.exp(-2)), 12);
    expect(greyOf(50, v, true)).toBeCloseTo(1 - 1 / (1 + Math.exp(2)), 12);
  });

  it('VOI LUT: entry / (2^bits - 1), clamped at the table ends; bits counted from the largest entry when a writer over-declares', () => {
    const lut: VoiLutInfo = { firstMapped: -10, values: [0, 100, 200, 255], bits: 8, explanation: '' };
    expect([-100, -10, -9, -8, -7, 500].map((x) => greyOf(x, { lut }, false))).toEqual([0, 0, 100 / 255, 200 / 255, 1, 1]);
    expect(greyOf(-9, { lut }, true)).toBeCloseTo(1 - 100 / 255, 12);
    const twelveIn16: VoiLutInfo = { firstMapped: 0, values: [0, 1000, 4095], bits: 16, explanation: '' };
    expect(greyOf(1, { lut: twelveIn16 }, false)).toBeCloseTo(1000 / 4095, 12);
  });
});

describe('greyOf agrees with applyVoi / applyVoiLut (main\'s renderer)', () => {
  const xs = new Float32Array(2201);
  for (let i = 0; i < xs.length; i++) xs[i] = -1100 + i + (i % 7) / 8;
  for (const fn of ['LINEAR', 'LINEAR_EXACT', 'SIGMOID'] as const) {
    for (const [c, w] of [[40, 400], [-600, 1500], [0.5, 1], [300, 37]]) {
      for (const invert of [false, true]) {
        it(`${fn} ${c}/${w}${invert ? ' inverted' : ''}`, () => {
          const ref = applyVoi(xs, { center: c!, width: w!, fn }, invert);
          const v = win(c!, w!, fn);
          // applyVoi's level is floor(grey * 255), up to the last bit of the division by 255
          const bad = [...xs].map((x, i) => [x, greyOf(x, v, invert) * 255, ref[i]!]).filter(([, y, level]) => !(level! <= y! + 1e-9 && y! < level! + 1 + 1e-9));
          expect(bad.slice(0, 5)).toEqual([]);
        });
      }
    }
  }
  it('VOI LUT', () => {
    const values = Array.from({ length: 300 }, (_, i) => (i * i) % 4096);
    const ref = applyVoiLut(xs, { firstMapped: -150, bits: 12, entries: Uint16Array.from(values), explanation: '' }, false);
    const lut: VoiLutInfo = { firstMapped: -150, values, bits: 12, explanation: '' };
    expect([...xs].map((x) => Math.round(greyOf(x, { lut }, false) * 255))).toEqual([...ref]);
  });
});

describe('modality LUT and ramps in stored units', () => {
  it('modalityOf: slope/intercept, and a table clamped at its ends', () => {
    expect(modalityOf(1064, { kind: 'linear', slope: 1, intercept: -1024 })).toBe(40);
    expect(modalityOf(100, { kind: 'linear', slope: 2.5, intercept: -10 })).toBe(240);
    const t = { kind: 'table' as const, firstMapped: 10, values: [5, 6, 7] };
    expect([0, 9, 10, 11, 12, 13, 1000].map((s) => modalityOf(s, t))).toEqual([5, 5, 5, 6, 7, 7, 7]);
  });

  it('displayRamp samples stored -> grey through both LUTs, inverted by the series or by the caller', () => {
    const d = ctDisplay();
    const r = displayRamp(d, win(40, 400), [0, 4095], 4096);
    expect(r.stored.length).toBe(4096);
    expect(r.stored[1064]).toBe(1064);
    expect(r.stored[4095]).toBe(4095);
    expect(r.grey[1064]).toBeCloseTo(greyOf(40, win(40, 400), false), 12);
    expect(r.grey[0]).toBe(0);
    expect(r.grey[4095]).toBe(1);
    const mono1 = displayRamp({ ...d, inverted: true }, win(40, 400), [0, 4095], 4096);
    expect(mono1.grey[0]).toBe(1);
    expect(displayRamp({ ...d, inverted: true }, win(40, 400), [0, 4095], 2, false).grey[0]).toBe(0);
    expect(displayRamp(d, win(40, 400), [0, 10], 1).stored).toEqual(Float64Array.from([0, 10]));
  });

  it('storedWindowLevel: the vtk window that gives the same greys as the standard, in stored units', () => {
    expect(storedWindowLevel(ctDisplay(), win(40, 400).window)).toEqual({ colorWindow: 399, colorLevel: 1063.5 });
    expect(storedWindowLevel(ctDisplay(), win(40, 400, 'LINEAR_EXACT').window)).toEqual({ colorWindow: 400, colorLevel: 1064 });
    for (const [slope, intercept] of [[1, -1024], [2, -1024], [0.25, 7]]) {
      const d = ctDisplay(slope, intercept);
      for (const fn of ['LINEAR', 'LINEAR_EXACT'] as const) {
        const v = win(-600, 1500, fn);
        const { colorWindow, colorLevel } = storedWindowLevel(d, v.window)!;
        for (let s = -4000; s <= 8000; s += 37) {
          const vtkGrey = Math.min(1, Math.max(0, (s - colorLevel) / colorWindow + 0.5));
          expect(vtkGrey, `stored ${s}`).toBeCloseTo(greyOf(modalityOf(s, d.modalityLut), v, false), 9);
        }
      }
    }
  });

  it('storedWindowLevel is null where a linear window cannot say it', () => {
    expect(storedWindowLevel(ctDisplay(), win(40, 400, 'SIGMOID').window)).toBeNull();
    expect(storedWindowLevel({ ...ctDisplay(), modalityLut: { kind: 'table', firstMapped: 0, values: [1, 2] } }, win(40, 400).window)).toBeNull();
    expect(storedWindowLevel(ctDisplay(-1, 0), win(40, 400).window)).toBeNull();
    expect(storedWindowLevel({ ...ctDisplay(), components: 3 }, win(40, 400).window)).toBeNull();
  });
});

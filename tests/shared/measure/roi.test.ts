// ROI statistics against an independent brute-force count of pixel centres, and on the phantom's lesion.
import { describe, expect, it } from 'vitest';
import type { Vec3 } from '../../../src-shared/dicom/types';
import { ellipseRoi, rectangleRoi } from '../../../src-shared/measure/roi';
import { pixelToWorld, planeOfSlice, sliceNearest, type ImagePlane } from '../../../src-shared/viewer/viewGeometry';
import { LESION, phantomGrid, phantomVolume } from '../viewer/phantomViews';

// An oblique plane with unequal spacing: the ROI works in pixel space whatever the orientation.
const c = Math.cos(0.3);
const s = Math.sin(0.3);
const plane: ImagePlane = { origin: [-40, 12, 7], rowDir: [c, s, 0], colDir: [0, 0, -1], spacing: [0.5, 0.8], columns: 64, rows: 48 };
const value = (i: number, j: number) => ((i * 37 + j * 91) % 113) - 20.5;

function reference(include: (i: number, j: number) => boolean) {
  const vals: number[] = [];
  for (let j = 0; j < plane.rows; j++) for (let i = 0; i < plane.columns; i++) if (include(i, j)) vals.push(value(i, j));
  const mean = vals.reduce((a, b) => a + b, 0) / vals.length;
  const sd = Math.sqrt(vals.reduce((a, b) => a + (b - mean) ** 2, 0) / vals.length);
  return { count: vals.length, mean, sd, min: Math.min(...vals), max: Math.max(...vals) };
}

function expectStats(got: { count: number; mean: number; sd: number; min: number; max: number }, want: ReturnType<typeof reference>) {
  expect(got.count).toBe(want.count);
  expect(got.mean).toBeCloseTo(want.mean, 10);
  expect(got.sd).toBeCloseTo(want.sd, 10);
  expect(got.min).toBe(want.min);
  expect(got.max).toBe(want.max);
}

const at = (i: number, j: number): Vec3 => pixelToWorld(plane, [i, j]);

describe('ellipseRoi', () => {
  it('a circle of radius 7 pixels about pixel (30, 20): exactly the centres with di^2 + dj^2 <= 49', () => {
    const want = reference((i, j) => (i - 30) ** 2 + (j - 20) ** 2 <= 49);
    expect(want.count).toBe(149); // Gauss circle problem, N(7) = 149: the boundary centres (7,0), (0,7) are in
    const got = ellipseRoi(plane, at(23, 13), at(37, 27), value);
    expectStats(got, want);
    expect(got.areaMm2).toBeCloseTo(Math.PI * 7 * 0.5 * 7 * 0.8, 10);
    expectStats(ellipseRoi(plane, at(37, 13), at(23, 27), value), want); // any two opposite corners
  });

  it('an ellipse with a half-pixel centre, clipped at the image edge', () => {
    const [ci, cj, a, b] = [2.5, 40.5, 9, 4.5];
    const want = reference((i, j) => ((i - ci) / a) ** 2 + ((j - cj) / b) ** 2 <= 1 + 1e-12);
    const got = ellipseRoi(plane, at(ci - a, cj - b), at(ci + a, cj + b), value);
    expectStats(got, want);
    expect(got.areaMm2).toBeCloseTo(Math.PI * 9 * 0.5 * 4.5 * 0.8, 10);
  });

  it('a corner off the plane is projected onto it; a flat box holds nothing', () => {
    const corner = at(37, 27);
    const off: Vec3 = [corner[0] - 3 * s, corner[1] + 3 * c, corner[2]]; // 3 mm along rowDir x colDir
    expect(ellipseRoi(plane, at(23, 13), off, value).count).toBe(149);
    const flat = ellipseRoi(plane, at(23, 13), at(37, 13), value);
    expect(flat.count).toBe(0);
    expect(flat.mean).toBeNaN();
    expect(flat.areaMm2).toBe(0);
  });

  it('phantom lesion (200 HU): a 12 mm circle about its centre on ct-axial is all lesion', () => {
    const grid = phantomGrid('ct-axial');
    const vol = phantomVolume('ct-axial');
    const k = sliceNearest(grid, LESION);
    const p = planeOfSlice(grid, k);
    const sample = (i: number, j: number) => vol.scalars[(k * p.rows + j) * p.columns + i]!;
    const z = p.origin[2];
    const inLesion = ellipseRoi(p, [14, -26, z], [26, -14, z], sample);
    expect(inLesion).toMatchObject({ mean: 200, sd: 0, min: 200, max: 200 });
    expect(inLesion.count).toBeGreaterThan(Math.floor((Math.PI * 36) / 0.75 ** 2) - 16);
    expect(inLesion.areaMm2).toBeCloseTo(Math.PI * 36, 6);
    // a circle straddling the lesion's edge sees the lesion and the lung beside it
    const straddle = ellipseRoi(p, [24, -26, z], [36, -14, z], sample);
    expect(straddle).toMatchObject({ min: -800, max: 200 });
    expect(straddle.sd).toBeGreaterThan(100);
  });
});

describe('rectangleRoi', () => {
  it('counts centres inside the box, edges included, clipped to the image', () => {
    expectStats(rectangleRoi(plane, at(10, 5), at(20.5, 9), value), reference((i, j) => i >= 10 && i <= 20 && j >= 5 && j <= 9));
    expectStats(rectangleRoi(plane, at(60.2, 44.6), at(70, 50), value), reference((i, j) => i >= 61 && j >= 45));
    expect(rectangleRoi(plane, at(10, 5), at(20.5, 9), value).areaMm2).toBeCloseTo(10.5 * 0.5 * 4 * 0.8, 10);
  });
});

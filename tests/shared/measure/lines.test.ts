// Lengths and angles in patient mm, including the phantom's beads measured from the images themselves.
import { describe, expect, it } from 'vitest';
import type { Vec3 } from '../../../src-shared/dicom/types';
import { angleDeg, cobbAngleDeg, distance } from '../../../src-shared/measure/lines';
import { pixelToWorld, planeOfSlice, sliceNearest } from '../../../src-shared/viewer/viewGeometry';
import { BEADS, phantomGrid, phantomVolume } from '../viewer/phantomViews';

const deg = (a: number): Vec3 => [Math.cos((a * Math.PI) / 180), Math.sin((a * Math.PI) / 180), 0];

describe('lines', () => {
  it('distance between the phantom beads\' stated centres is 50 mm', () => {
    expect(distance(BEADS[0], BEADS[1])).toBe(50);
    expect(distance([1, 2, 3], [4, 6, 15])).toBe(13);
  });

  it('angleDeg at the vertex, 0..180', () => {
    expect(angleDeg([10, 0, 0], [0, 0, 0], [0, 5, 0])).toBeCloseTo(90, 12);
    expect(angleDeg([1, 1, 1], [0, 0, 0], [2, 2, 2])).toBeCloseTo(0, 6);
    expect(angleDeg([1, 0, 0], [0, 0, 0], [-3, 0, 0])).toBeCloseTo(180, 12);
    expect(angleDeg([5, 5, 0], [5, 0, 0], [10, 5, 0])).toBeCloseTo(45, 12);
    expect(angleDeg([1, 0, 0], [0, 0, 0], deg(135))).toBeCloseTo(135, 12);
  });

  it('cobbAngleDeg is the acute angle between the lines, whichever way each was drawn', () => {
    const o: Vec3 = [0, 0, 0];
    const l1: [Vec3, Vec3] = [o, deg(10)];
    const l2: [Vec3, Vec3] = [[5, 5, 5], [5 + deg(130)[0], 5 + deg(130)[1], 5]];
    expect(cobbAngleDeg(l1, l2)).toBeCloseTo(60, 12);
    expect(cobbAngleDeg([l1[1], l1[0]], l2)).toBeCloseTo(60, 12);
    expect(cobbAngleDeg(l1, [l2[1], l2[0]])).toBeCloseTo(60, 12);
    expect(cobbAngleDeg(l1, [o, deg(35)])).toBeCloseTo(25, 12);
    expect(cobbAngleDeg(l1, [o, deg(100)])).toBeCloseTo(90, 12);
  });
});

describe('the beads measured on the images', () => {
  for (const folder of ['ct-axial', 'ct-oblique'] as const) {
    it(`${folder}: the bead centroids in the slice that holds both are 50.0 mm apart`, () => {
      const grid = phantomGrid(folder);
      const vol = phantomVolume(folder);
      const k = sliceNearest(grid, BEADS[0]);
      expect(sliceNearest(grid, BEADS[1])).toBe(k);
      const plane = planeOfSlice(grid, k);
      const [cols, rows] = [grid.dimensions[0], grid.dimensions[1]];
      const sums: [number, number, number][] = [[0, 0, 0], [0, 0, 0]];
      for (let j = 0; j < rows; j++) for (let i = 0; i < cols; i++) {
        if (vol.scalars[(k * rows + j) * cols + i] !== 1500) continue;
        const side = pixelToWorld(plane, [i, j])[0] < 0 ? 0 : 1;
        sums[side]![0] += i; sums[side]![1] += j; sums[side]![2]++;
      }
      const centre = (s: [number, number, number]) => pixelToWorld(plane, [s[0] / s[2], s[1] / s[2]]);
      expect(sums[0]![2]).toBeGreaterThan(3);
      // centroids of 2.5 mm spheres sampled at 0.75 mm: within half a pixel of the truth
      expect(Math.abs(distance(centre(sums[0]!), centre(sums[1]!)) - 50)).toBeLessThan(grid.spacing[0] / 2);
    });
  }
});

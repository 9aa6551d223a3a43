// MPR planes against the phantoms' known anatomy (GROUND_TRUTH.md): the planes through a crosshair point
// hold the values the ground truth puts there, read the orientation letters a radiologist expects, and
// tilt as the crosshair is rotated without spinning the view it is rotated in.
import { describe, expect, it } from 'vitest';
import type { Vec3 } from '../../../src-shared/dicom/types';
import { dot, sub } from '../../../src-shared/dicom/volume/vec3';
import {
  angleAbout, crosshairDirection, depthRange, mprAxes, mprNormal, mprPlane, nearestVoxel, obliqueDegrees, PATIENT_FRAME, rotateFrame, stepCentre, volumeCentre,
  type MprViewId,
} from '../../../src-shared/viewer/mprGeometry';
import { edgeLabels } from '../../../src-shared/viewer/orientation';
import { fitCamera, normalOf, pixelToWorld, worldToPixel } from '../../../src-shared/viewer/viewGeometry';
import { BEADS, LEFT_MARKER, LESION, phantomGrid, phantomVolume } from './phantomViews';

const deg = (d: number) => (d * Math.PI) / 180;
function expectVec(a: readonly number[], b: readonly number[], digits = 9) {
  a.forEach((v, i) => expect(v, `component ${i} of [${a.join(', ')}] vs [${b.join(', ')}]`).toBeCloseTo(b[i]!, digits));
}

describe('orthogonal MPR planes', () => {
  const grid = phantomGrid('ct-axial');
  it('axial, coronal and sagittal read the radiological letters on their edges', () => {
    const want: Record<MprViewId, { right: string; left: string; top: string; bottom: string }> = {
      axial: { right: 'L', left: 'R', top: 'A', bottom: 'P' },
      coronal: { right: 'L', left: 'R', top: 'S', bottom: 'I' },
      sagittal: { right: 'P', left: 'A', top: 'S', bottom: 'I' },
    };
    for (const id of ['axial', 'coronal', 'sagittal'] as const) {
      const plane = mprPlane(grid, PATIENT_FRAME, LESION, id);
      expect(edgeLabels(plane, fitCamera(plane, { width: 400, height: 400 })), id).toEqual(want[id]);
      expectVec(normalOf(plane), mprNormal(PATIENT_FRAME, id));
    }
  });

  it('each plane passes through the crosshair point and covers the whole volume', () => {
    for (const id of ['axial', 'coronal', 'sagittal'] as const) {
      const plane = mprPlane(grid, PATIENT_FRAME, LESION, id);
      expect(Math.abs(dot(sub(LESION, plane.origin), normalOf(plane)))).toBeLessThan(1e-9);
      const [i, j] = worldToPixel(plane, LESION);
      expect(i).toBeGreaterThan(0);
      expect(j).toBeGreaterThan(0);
      expect(i).toBeLessThan(plane.columns - 1);
      expect(j).toBeLessThan(plane.rows - 1);
      // Square pixels of the finest spacing (0.75 mm); the axial one covers the 192 mm across.
      expect(plane.spacing).toEqual([0.75, 0.75]);
    }
    expect(mprPlane(grid, PATIENT_FRAME, LESION, 'axial').columns).toBe(256);
    expect(mprPlane(grid, PATIENT_FRAME, LESION, 'coronal').rows).toBe(Math.round(160 / 0.75));
  });

  it('keeps its pixel grid while the crosshair moves within the plane', () => {
    const a = mprPlane(grid, PATIENT_FRAME, LESION, 'coronal');
    const b = mprPlane(grid, PATIENT_FRAME, [LESION[0] + 30, LESION[1], LESION[2] - 12], 'coronal');
    expect(b).toEqual(a);
    const c = mprPlane(grid, PATIENT_FRAME, [LESION[0], LESION[1] + 5, LESION[2]], 'coronal');
    expect(c.origin[1] - a.origin[1]).toBeCloseTo(5, 9);
  });

  it('samples the lesion, the beads and the left marker where the ground truth puts them (coronal and sagittal of ct-axial)', () => {
    const vol = phantomVolume('ct-axial');
    const value = (p: Vec3) => {
      const v = nearestVoxel(grid, p);
      return v ? vol.scalars[(v[2] * grid.dimensions[1] + v[1]) * grid.dimensions[0] + v[0]] : NaN;
    };
    for (const id of ['coronal', 'sagittal'] as const) {
      const plane = mprPlane(grid, PATIENT_FRAME, LESION, id);
      const [i, j] = worldToPixel(plane, LESION);
      expect(value(pixelToWorld(plane, [i, j])), `${id} lesion centre`).toBe(200);
      // 8 mm from the centre in the plane is still lesion; 12 mm is not.
      const inside = pixelToWorld(plane, [i + 8 / 0.75, j]);
      const outside = pixelToWorld(plane, [i + 12 / 0.75, j]);
      expect(value(inside), `${id} inside`).toBe(200);
      expect(value(outside), `${id} outside`).not.toBe(200);
    }
    const coronal = mprPlane(grid, PATIENT_FRAME, BEADS[0], 'coronal');
    for (const b of BEADS) expect(value(pixelToWorld(coronal, worldToPixel(coronal, b)))).toBe(1500);
    expect(Math.hypot(...sub(pixelToWorld(coronal, worldToPixel(coronal, BEADS[1])), pixelToWorld(coronal, worldToPixel(coronal, BEADS[0]))))).toBeCloseTo(50, 9);
    // The left marker sits at the screen right of the coronal view (the side labelled L).
    const mk = mprPlane(grid, PATIENT_FRAME, LEFT_MARKER, 'coronal');
    expect(worldToPixel(mk, LEFT_MARKER)[0]).toBeGreaterThan(mk.columns / 2);
    expect(value(LEFT_MARKER)).toBe(1000);
  });

  it('ct-oblique: the axial MPR plane is a true axial plane (not the tilted acquisition plane)', () => {
    const ob = phantomGrid('ct-oblique');
    const plane = mprPlane(ob, PATIENT_FRAME, LESION, 'axial');
    expectVec(normalOf(plane), [0, 0, 1]);
    const vol = phantomVolume('ct-oblique');
    const v = nearestVoxel(ob, LESION)!;
    expect(vol.scalars[(v[2] * ob.dimensions[1] + v[1]) * ob.dimensions[0] + v[0]]).toBe(200);
  });

  it('steps the crosshair along a view normal, clamped to the volume', () => {
    const c = volumeCentre(grid);
    const up = stepCentre(grid, PATIENT_FRAME, c, 'axial', 10);
    expectVec(sub(up, c), [0, 0, 10]);
    const right = stepCentre(grid, PATIENT_FRAME, c, 'sagittal', 4);
    expectVec(sub(right, c), [-4, 0, 0]);
    const far = stepCentre(grid, PATIENT_FRAME, c, 'axial', 1e6);
    expect(far[2]).toBeCloseTo(depthRange(grid, [0, 0, 1])[1], 9);
  });
});

describe('oblique MPR (rotated crosshair)', () => {
  const grid = phantomGrid('ct-axial');
  it('rotating in the axial view tilts coronal and sagittal about S and leaves the axial picture as it was', () => {
    const f = rotateFrame(PATIENT_FRAME, 'axial', deg(30));
    const [turned, still] = [mprAxes(f, 'axial'), mprAxes(PATIENT_FRAME, 'axial')];
    for (const k of ['rowDir', 'colDir', 'normal'] as const) expectVec(turned[k], still[k], 12);
    expectVec(mprNormal(f, 'coronal'), [-Math.sin(deg(30)), Math.cos(deg(30)), 0]);
    expectVec(crosshairDirection(f, 'axial', 'coronal'), [-Math.cos(deg(30)), -Math.sin(deg(30)), 0]);
    // Still orthonormal and right-handed.
    for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) expect(dot(f[a]!, f[b]!)).toBeCloseTo(a === b ? 1 : 0, 12);
    expect(obliqueDegrees(f)).toBeCloseTo(30, 9);
  });

  it('labels an oblique coronal plane with compound letters and keeps superior up', () => {
    const f = rotateFrame(PATIENT_FRAME, 'axial', deg(40));
    const plane = mprPlane(grid, f, LESION, 'coronal');
    const labels = edgeLabels(plane, fitCamera(plane, { width: 400, height: 400 }));
    expect(labels.top).toBe('S');
    expect(labels.right).toMatch(/^L[AP]$/);
    expect(labels.left).toMatch(/^R[AP]$/);
  });

  it('a tilt of the coronal plane about its own normal moves the axial normal off S', () => {
    const f = rotateFrame(PATIENT_FRAME, 'coronal', deg(20));
    const n = mprNormal(f, 'axial');
    expect(n[2]).toBeCloseTo(Math.cos(deg(20)), 9);
    expect(Math.abs(n[0])).toBeCloseTo(Math.sin(deg(20)), 9);
    // The axial view still shows anterior at the top.
    const plane = mprPlane(grid, f, LESION, 'axial');
    expect(edgeLabels(plane, fitCamera(plane, { width: 400, height: 400 })).top).toBe('A');
  });

  it('angleAbout measures the turn a pointer makes about the crosshair', () => {
    expect(angleAbout([0, 0, 1], [1, 0, 0], [0, 1, 0])).toBeCloseTo(Math.PI / 2, 12);
    expect(angleAbout([0, 0, 1], [1, 0, 5], [1, -1, -3])).toBeCloseTo(-Math.PI / 4, 12);
    // Rotating by that angle carries the crosshair line onto the pointer.
    const f = rotateFrame(PATIENT_FRAME, 'axial', angleAbout([0, 0, 1], [1, 0, 0], [1, 1, 0]));
    expectVec(crosshairDirection(f, 'axial', 'sagittal').map(Math.abs), [Math.SQRT1_2, Math.SQRT1_2, 0]);
  });

  it('nearestVoxel is null outside the volume', () => {
    expect(nearestVoxel(grid, [0, 0, 500])).toBeNull();
    expect(nearestVoxel(grid, volumeCentre(grid))).not.toBeNull();
  });
});

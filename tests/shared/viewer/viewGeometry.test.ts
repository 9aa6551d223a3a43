// Plane and camera maps against the phantoms' known anatomy: a pixel the maps point at holds the value
// GROUND_TRUTH.md puts there, and screen <-> patient maps agree for every rotation and flip.
import { describe, expect, it } from 'vitest';
import type { Vec3 } from '../../../src-shared/dicom/types';
import { dot, sub } from '../../../src-shared/dicom/volume/vec3';
import {
  actualSize, fitCamera, scaleBar, normalOf, panBy, pixelToWorld, planeOfSlice, projectOntoPlane, screenAxes, screenToWorld, sliceNearest,
  worldToPixel, worldToScreen, zoomAt, type Camera2D, type ImagePlane, type Viewport,
} from '../../../src-shared/viewer/viewGeometry';
import { LEFT_MARKER, LESION, phantomGrid, phantomVolume } from './phantomViews';

const ROTATIONS = [0, 1, 2, 3] as const;
function allCameras(base: Camera2D): Camera2D[] {
  const out: Camera2D[] = [];
  for (const rotation of ROTATIONS) for (const flipH of [false, true]) for (const flipV of [false, true]) out.push({ ...base, rotation, flipH, flipV });
  return out;
}
const vp: Viewport = { width: 800, height: 600 };

function expectVec(a: readonly number[], b: readonly number[], digits = 9) {
  expect(a.length).toBe(b.length);
  a.forEach((v, i) => expect(v, `component ${i} of [${a.join(', ')}] vs [${b.join(', ')}]`).toBeCloseTo(b[i]!, digits));
}

describe('image planes of the phantom series', () => {
  it('ct-axial: the voxel worldToPixel finds at the left marker and at the lesion centre holds their HU', () => {
    const vol = phantomVolume('ct-axial');
    const grid = phantomGrid('ct-axial');
    const at = (p: Vec3) => {
      const k = sliceNearest(grid, p);
      const [i, j] = worldToPixel(planeOfSlice(grid, k), p).map(Math.round) as [number, number];
      return vol.scalars[(k * grid.dimensions[1] + j) * grid.dimensions[0] + i];
    };
    expect(at(LEFT_MARKER)).toBe(1000);
    expect(at(LESION)).toBe(200);
    expect(at([-62.5, -27.5, 47.5])).toBe(40); // the mirror image of the marker is plain body
  });

  it('mr-sagittal: slices step toward patient Right and the lesion centre is 1600', () => {
    const grid = phantomGrid('mr-sagittal');
    const p0 = planeOfSlice(grid, 0);
    const p1 = planeOfSlice(grid, 1);
    expect(p1.origin[0] - p0.origin[0]).toBeCloseTo(-3, 6);
    expectVec(p0.rowDir, [0, 1, 0]);
    expectVec(p0.colDir, [0, 0, -1]);
    const vol = phantomVolume('mr-sagittal');
    const k = sliceNearest(grid, LESION);
    const [i, j] = worldToPixel(planeOfSlice(grid, k), LESION).map(Math.round) as [number, number];
    expect(vol.scalars[(k * grid.dimensions[1] + j) * grid.dimensions[0] + i]).toBe(1600);
  });

  it('pixelToWorld inverts worldToPixel, and worldToPixel drops the distance off the plane', () => {
    const plane = planeOfSlice(phantomGrid('ct-oblique'), 40);
    const n = normalOf(plane);
    expect(Math.abs(dot(n, [1, 0, 0]))).toBeLessThan(1e-6);
    expect(Math.abs(dot(n, [0, 0, 1]))).toBeCloseTo(Math.cos((20 * Math.PI) / 180), 6);
    for (const ij of [[0, 0], [10.25, 200.5], [255, 255]] as const) {
      const w = pixelToWorld(plane, [ij[0], ij[1]]);
      expectVec(worldToPixel(plane, w), ij);
      const off: Vec3 = [w[0] + 7 * n[0], w[1] + 7 * n[1], w[2] + 7 * n[2]];
      expectVec(worldToPixel(plane, off), ij);
      expectVec(projectOntoPlane(plane, off), w);
    }
  });

  it('sliceNearest picks the plane within half a step of the point and clamps outside the volume', () => {
    for (const folder of ['ct-axial', 'ct-oblique', 'mr-sagittal'] as const) {
      const grid = phantomGrid(folder);
      for (const p of [LESION, LEFT_MARKER, [-25, 20, -20] as Vec3]) {
        const k = sliceNearest(grid, p);
        const plane = planeOfSlice(grid, k);
        const dist = Math.abs(dot(sub(p, plane.origin), normalOf(plane)));
        expect(dist, `${folder} slice ${k}`).toBeLessThanOrEqual(grid.spacing[2] / 2 + 1e-6);
      }
    }
    const axial = phantomGrid('ct-axial');
    const zOf = (k: number) => planeOfSlice(axial, k).origin[2];
    const [top, bottom] = zOf(0) > zOf(1) ? [0, axial.dimensions[2] - 1] : [axial.dimensions[2] - 1, 0];
    expect(sliceNearest(axial, [0, 0, 5000])).toBe(top);
    expect(sliceNearest(axial, [0, 0, -5000])).toBe(bottom);
  });
});

describe('2D camera', () => {
  const plane: ImagePlane = planeOfSlice(phantomGrid('ct-oblique'), 30);
  const fitted = fitCamera(plane, vp);

  it('screenToWorld inverts worldToScreen for every rotation and flip', () => {
    for (const cam of allCameras({ ...fitted, mmPerPx: 0.37 })) {
      for (const s of [[0, 0], [123.5, 456.25], [800, 600]] as const) {
        const w = screenToWorld(plane, cam, vp, [s[0], s[1]]);
        expectVec(worldToScreen(plane, cam, vp, w), s, 6);
        expect(Math.abs(dot(sub(w, cam.focal), normalOf(plane)))).toBeLessThan(1e-9);
      }
    }
  });

  it('rotation turns the picture clockwise: what was above the centre moves to its right, then below, then left', () => {
    const above = screenToWorld(plane, fitted, vp, [400, 200]);
    const seen = ROTATIONS.map((rotation) => worldToScreen(plane, { ...fitted, rotation }, vp, above).map((v) => Math.round(v)));
    expect(seen).toEqual([[400, 200], [500, 300], [400, 400], [300, 300]]);
  });

  it('flipH mirrors left-right and flipV top-bottom on screen', () => {
    const p = screenToWorld(plane, fitted, vp, [100, 50]);
    expectVec(worldToScreen(plane, { ...fitted, flipH: true }, vp, p), [700, 50], 6);
    expectVec(worldToScreen(plane, { ...fitted, flipV: true }, vp, p), [100, 550], 6);
  });

  it('screen axes are unit, orthogonal and in the plane', () => {
    for (const cam of allCameras(fitted)) {
      const { right, down } = screenAxes(plane, cam);
      expect(dot(right, right)).toBeCloseTo(1, 9);
      expect(dot(down, down)).toBeCloseTo(1, 9);
      expect(dot(right, down)).toBeCloseTo(0, 9);
      expect(dot(right, normalOf(plane))).toBeCloseTo(0, 9);
    }
  });

  it('fitCamera shows the whole image centred, touching the viewport on the limiting axis; odd rotations swap axes', () => {
    const small: ImagePlane = { origin: [10, 20, 30], rowDir: [1, 0, 0], colDir: [0, 1, 0], spacing: [1, 1], columns: 100, rows: 50 };
    const wide: Viewport = { width: 200, height: 100 };
    expect(fitCamera(small, wide, 0).mmPerPx).toBe(0.5);
    expect(fitCamera(small, wide, 1).mmPerPx).toBe(1);
    for (const rotation of ROTATIONS) {
      const cam = fitCamera(small, wide, rotation);
      expect(cam.rotation).toBe(rotation);
      // pixel edges: half a pixel beyond the first and last centres
      const corners = [[-0.5, -0.5], [99.5, -0.5], [-0.5, 49.5], [99.5, 49.5]].map(([i, j]) => worldToScreen(small, cam, wide, pixelToWorld(small, [i!, j!])));
      const xs = corners.map((c) => c[0]);
      const ys = corners.map((c) => c[1]);
      expect(Math.min(...xs)).toBeGreaterThanOrEqual(-1e-9);
      expect(Math.max(...xs)).toBeLessThanOrEqual(200 + 1e-9);
      expect(Math.min(...ys)).toBeGreaterThanOrEqual(-1e-9);
      expect(Math.max(...ys)).toBeLessThanOrEqual(100 + 1e-9);
      expect((Math.min(...xs) + Math.max(...xs)) / 2).toBeCloseTo(100, 9);
      expect((Math.min(...ys) + Math.max(...ys)) / 2).toBeCloseTo(50, 9);
      expect(Math.max(Math.max(...xs) - Math.min(...xs) - 200, Math.max(...ys) - Math.min(...ys) - 100)).toBeCloseTo(0, 9);
    }
  });

  it('zoomAt keeps the point under the cursor and magnifies by the factor', () => {
    for (const cam of allCameras(fitted)) {
      const cursor: [number, number] = [613, 97];
      const under = screenToWorld(plane, cam, vp, cursor);
      const zoomed = zoomAt(plane, cam, vp, cursor, 2.5);
      expect(zoomed.mmPerPx).toBeCloseTo(cam.mmPerPx / 2.5, 12);
      expectVec(worldToScreen(plane, zoomed, vp, under), cursor, 6);
      const elsewhere = screenToWorld(plane, cam, vp, [cursor[0] + 10, cursor[1]]);
      expectVec(worldToScreen(plane, zoomed, vp, elsewhere), [cursor[0] + 25, cursor[1]], 6);
    }
  });

  it('panBy moves the picture with the pointer', () => {
    for (const cam of allCameras(fitted)) {
      const grabbed = screenToWorld(plane, cam, vp, [300, 300]);
      expectVec(worldToScreen(plane, panBy(plane, cam, vp, 15, -40), vp, grabbed), [315, 260], 6);
    }
  });
});

describe('actual size and scale bar', () => {
  it('actualSize shows one image pixel per device pixel, keeping the focal point', () => {
    const plane = planeOfSlice(phantomGrid('ct-axial'), 0);
    const cam = fitCamera(plane, vp);
    expect(actualSize(plane, cam)).toEqual({ ...cam, mmPerPx: 0.75 });
    expect(actualSize(plane, cam, 2).mmPerPx).toBe(1.5);
    const a = worldToScreen(plane, actualSize(plane, cam), vp, pixelToWorld(plane, [10, 10]));
    const b = worldToScreen(plane, actualSize(plane, cam), vp, pixelToWorld(plane, [11, 10]));
    expect(b[0] - a[0]).toBeCloseTo(1, 12);
  });

  it('scaleBar picks the longest 1/2/5 x 10^n length that fits', () => {
    expect(scaleBar(0.5, 100)).toEqual({ mm: 50, px: 100 });
    expect(scaleBar(0.5, 99)).toEqual({ mm: 20, px: 40 });
    expect(scaleBar(0.3, 100)).toEqual({ mm: 20, px: 20 / 0.3 });
    expect(scaleBar(0.01, 150)).toEqual({ mm: 1, px: 100 });
    expect(scaleBar(0, 100)).toBeNull();
  });
});

// Orientation letters: the side labelled L is where the phantom's left marker is drawn, whatever the
// rotation or flip; sagittal and oblique planes read as Horos and RadiAnt show them.
import { describe, expect, it } from 'vitest';
import type { Vec3 } from '../../../src-shared/dicom/types';
import { directionLabel, edgeLabels, projectionEdgeLabels, type EdgeLabels } from '../../../src-shared/viewer/orientation';
import { fitCamera, planeOfSlice, sliceNearest, worldToScreen, type Camera2D, type ImagePlane } from '../../../src-shared/viewer/viewGeometry';
import { BODY_AXIS_AT, LEFT_MARKER, phantomGrid } from './phantomViews';

const vp = { width: 512, height: 512 };
const CAMERAS: Array<Pick<Camera2D, 'rotation' | 'flipH' | 'flipV'>> = [];
for (const rotation of [0, 1, 2, 3] as const) for (const flipH of [false, true]) for (const flipV of [false, true]) CAMERAS.push({ rotation, flipH, flipV });

/** The screen edge a patient-space displacement from `from` to `to` points at most. */
function sideOf(plane: ImagePlane, cam: Camera2D, from: Vec3, to: Vec3): keyof EdgeLabels {
  const a = worldToScreen(plane, cam, vp, from);
  const b = worldToScreen(plane, cam, vp, to);
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  if (Math.abs(dx) > Math.abs(dy)) return dx > 0 ? 'right' : 'left';
  return dy > 0 ? 'bottom' : 'top';
}

describe('directionLabel', () => {
  it('names the six patient directions with LPS signs and S/I for superior/inferior', () => {
    expect([[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1], [0, 0, -1]].map((v) => directionLabel(v as Vec3))).toEqual(['L', 'R', 'P', 'A', 'S', 'I']);
  });
  it('is compound for oblique directions, largest component first, and empty for a zero vector', () => {
    const c = Math.cos((20 * Math.PI) / 180);
    const s = Math.sin((20 * Math.PI) / 180);
    expect(directionLabel([0, c, -s])).toBe('PI');
    expect(directionLabel([0.2, -0.9, 0.3])).toBe('AS');
    expect(directionLabel([0.1, -0.9, 0.1])).toBe('A');
    expect(directionLabel([-0.6, 0.5, 0.62])).toBe('SRP');
    expect(directionLabel([0, 0, 0])).toBe('');
  });
});

describe('edge labels of the phantom series', () => {
  const axialGrid = phantomGrid('ct-axial');
  const axial = planeOfSlice(axialGrid, sliceNearest(axialGrid, LEFT_MARKER));

  it('ct-axial unrotated: L on screen right, A at the top (radiological convention)', () => {
    expect(edgeLabels(axial, fitCamera(axial, vp))).toEqual({ left: 'R', right: 'L', top: 'A', bottom: 'P' });
  });

  it('ct-axial after flipH: L on the left', () => {
    expect(edgeLabels(axial, { ...fitCamera(axial, vp), flipH: true })).toEqual({ left: 'L', right: 'R', top: 'A', bottom: 'P' });
  });

  it('ct-axial rotated a quarter turn clockwise: the top label (A) moves to the right, the right label (L) to the bottom', () => {
    expect(edgeLabels(axial, fitCamera(axial, vp, 1))).toEqual({ left: 'P', right: 'A', top: 'R', bottom: 'L' });
  });

  it('the left marker is drawn on the side labelled L, anterior of the body axis on the side labelled A, for every rotation and flip', () => {
    for (const c of CAMERAS) {
      const cam = { ...fitCamera(axial, vp), ...c };
      const labels = edgeLabels(axial, cam);
      const z = LEFT_MARKER[2];
      expect(labels[sideOf(axial, cam, BODY_AXIS_AT(z), LEFT_MARKER)], JSON.stringify(c)).toBe('L');
      expect(labels[sideOf(axial, cam, [LEFT_MARKER[0], 0, z], LEFT_MARKER)], JSON.stringify(c)).toBe('A');
    }
  });

  it('mr-sagittal: P right, A left, H top, F bottom; anterior of the spine is on the side labelled A in every camera', () => {
    const grid = phantomGrid('mr-sagittal');
    const plane = planeOfSlice(grid, sliceNearest(grid, [0, 0, 0]));
    expect(edgeLabels(plane, fitCamera(plane, vp))).toEqual({ left: 'A', right: 'P', top: 'S', bottom: 'I' });
    for (const c of CAMERAS) {
      const cam = { ...fitCamera(plane, vp), ...c };
      expect(edgeLabels(plane, cam)[sideOf(plane, cam, [0, 45, 0], [0, -20, 0])], JSON.stringify(c)).toBe('A');
      expect(edgeLabels(plane, cam)[sideOf(plane, cam, [0, 0, 0], [0, 0, 40])], JSON.stringify(c)).toBe('S');
    }
  });

  it('ct-oblique: the tilted column direction gives compound labels', () => {
    const grid = phantomGrid('ct-oblique');
    const plane = planeOfSlice(grid, 40);
    expect(edgeLabels(plane, fitCamera(plane, vp))).toEqual({ left: 'R', right: 'L', top: 'AS', bottom: 'PI' });
  });
});

describe('projection images (Patient Orientation)', () => {
  it('rows toward P, columns toward F: P right, F bottom; flips invert letters; rotation turns them like screenAxes', () => {
    const cam = { focal: [0, 0, 0] as Vec3, mmPerPx: 1, rotation: 0 as const, flipH: false, flipV: false };
    expect(projectionEdgeLabels(['P', 'F'], cam)).toEqual({ left: 'A', right: 'P', top: 'S', bottom: 'I' });
    expect(projectionEdgeLabels(['P', 'F'], { ...cam, flipH: true })).toEqual({ left: 'P', right: 'A', top: 'S', bottom: 'I' });
    expect(projectionEdgeLabels(['P', 'F'], { ...cam, flipV: true })).toEqual({ left: 'A', right: 'P', top: 'I', bottom: 'S' });
    expect(projectionEdgeLabels(['AF', 'l'], { ...cam, rotation: 1 })).toEqual({ left: 'L', right: 'R', top: 'PS', bottom: 'AI' });
  });

  it('agrees with edgeLabels of the equivalent plane for every camera', () => {
    const plane: ImagePlane = { origin: [0, 0, 0], rowDir: [0, 1, 0], colDir: [0, 0, -1], spacing: [1, 1], columns: 10, rows: 10 };
    for (const c of CAMERAS) {
      const cam = { ...fitCamera(plane, vp), ...c };
      expect(projectionEdgeLabels(['P', 'F'], cam), JSON.stringify(c)).toEqual(edgeLabels(plane, cam));
    }
  });
});

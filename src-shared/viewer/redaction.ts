// Redaction rectangles: drawn in the viewer, kept with the series' annotations, applied at export.
// They live in image pixel EDGES (column, row): pixel (i, j) covers [i, i+1) x [j, j+1), so a saved
// rectangle names exactly the pixels that will be blanked, and the preview draws exactly those.
import type { Vec3 } from '../dicom/types';
import type { Rect } from '../deid/burnedIn';
import type { AnnotationRecord } from '../ipc/contract';
import { pixelToWorld, worldToPixel, type ImagePlane } from './viewGeometry';

export function isRedaction(a: Pick<AnnotationRecord, 'kind'>): boolean {
  return a.kind === 'redaction';
}

const clamp = (v: number, hi: number) => Math.min(hi, Math.max(0, v));

/**
 * The pixel-edge corners (top-left, bottom-right) of the rectangle dragged from a to b (patient points on
 * `plane`), snapped to whole pixels that the drag touches and clipped to the image; null when it covers none.
 */
export function redactionPoints(plane: ImagePlane, a: Vec3, b: Vec3): [Vec3, Vec3] | null {
  const [ai, aj] = worldToPixel(plane, a);
  const [bi, bj] = worldToPixel(plane, b);
  // Pixel centres are integers: edge coordinates are centre + 0.5; any pixel the drag enters is taken.
  const x0 = clamp(Math.floor(Math.min(ai, bi) + 0.5), plane.columns);
  const y0 = clamp(Math.floor(Math.min(aj, bj) + 0.5), plane.rows);
  const x1 = clamp(Math.ceil(Math.max(ai, bi) + 0.5), plane.columns);
  const y1 = clamp(Math.ceil(Math.max(aj, bj) + 0.5), plane.rows);
  if (x1 <= x0 || y1 <= y0) return null;
  return [[x0, y0, 0], [x1, y1, 0]];
}

/** The rectangle a redaction blanks, in pixel coordinates (as the export services take them). */
export function redactionRect(points: readonly Vec3[]): Rect | null {
  const [a, b] = points;
  if (!a || !b) return null;
  const x = Math.min(a[0], b[0]);
  const y = Math.min(a[1], b[1]);
  const width = Math.abs(b[0] - a[0]);
  const height = Math.abs(b[1] - a[1]);
  return width > 0 && height > 0 ? { x, y, width, height } : null;
}

/** The four corners of a redaction as patient points on `plane` (drawn through the camera, so rotation and flips follow). */
export function redactionCorners(plane: ImagePlane, r: Rect): Vec3[] {
  const at = (x: number, y: number) => pixelToWorld(plane, [x - 0.5, y - 0.5]);
  return [at(r.x, r.y), at(r.x + r.width, r.y), at(r.x + r.width, r.y + r.height), at(r.x, r.y + r.height)];
}

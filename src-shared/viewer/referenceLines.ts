// Reference lines: where another viewport's image plane cuts this viewport's image, as a segment in
// patient coordinates (the habit of every PACS viewer: the axial's position drawn on the sagittal).
import type { Vec3 } from '../dicom/types';
import { normalOf, pixelToWorld, type ImagePlane } from './viewGeometry';

const dot = (a: Vec3, b: Vec3) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];

/** The part of `other`'s plane inside `target`'s image rectangle, or null when they do not cross (parallel or apart). */
export function referenceSegment(target: ImagePlane, other: ImagePlane): [Vec3, Vec3] | null {
  const n = normalOf(other);
  const nt = normalOf(target);
  if (Math.abs(dot(n, nt)) > 0.999) return null;
  const w = target.columns - 0.5;
  const h = target.rows - 0.5;
  const corners = ([[-0.5, -0.5], [w, -0.5], [w, h], [-0.5, h]] as const).map(([i, j]) => pixelToWorld(target, [i, j]));
  const side = (p: Vec3) => dot([p[0] - other.origin[0], p[1] - other.origin[1], p[2] - other.origin[2]], n);
  const hits: Vec3[] = [];
  for (let e = 0; e < 4; e++) {
    const a = corners[e]!;
    const b = corners[(e + 1) % 4]!;
    const da = side(a);
    const db = side(b);
    if ((da < 0) === (db < 0) || da === db) continue;
    const t = da / (da - db);
    hits.push([a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]), a[2] + t * (b[2] - a[2])]);
  }
  return hits.length >= 2 ? [hits[0]!, hits[1]!] : null;
}

// Region statistics on one image plane. A pixel counts when its centre is inside the shape (boundary
// included); values are what `sample` returns (modality units); the area is the shape's own, analytic.
import type { Vec3 } from '../dicom/types';
import { worldToPixel, type ImagePlane } from '../viewer/viewGeometry';

export interface RoiStats {
  mean: number;
  /** Population standard deviation. */
  sd: number;
  min: number;
  max: number;
  /** Pixels whose centre is inside; 0 leaves mean, sd, min and max NaN. */
  count: number;
  /** Analytic area (pi*a*b or w*h) in the plane's unit squared (mm^2 for patient mm). */
  areaMm2: number;
}

/** The box, in continuous pixel coordinates, spanned by two patient points projected on the plane. */
interface PixelBox {
  i0: number;
  i1: number;
  j0: number;
  j1: number;
}

function boxOf(plane: ImagePlane, corner1: Vec3, corner2: Vec3): PixelBox {
  const [a, b] = [worldToPixel(plane, corner1), worldToPixel(plane, corner2)];
  return { i0: Math.min(a[0], b[0]), i1: Math.max(a[0], b[0]), j0: Math.min(a[1], b[1]), j1: Math.max(a[1], b[1]) };
}

/** Welford's running mean and variance over the pixel centres in the box (clipped to the image) that `inside` accepts. */
function statsOver(plane: ImagePlane, box: PixelBox, inside: (i: number, j: number) => boolean, sample: (i: number, j: number) => number, areaMm2: number): RoiStats {
  let count = 0;
  let mean = 0;
  let m2 = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  const iEnd = Math.min(plane.columns - 1, Math.floor(box.i1));
  const jEnd = Math.min(plane.rows - 1, Math.floor(box.j1));
  for (let j = Math.max(0, Math.ceil(box.j0)); j <= jEnd; j++) {
    for (let i = Math.max(0, Math.ceil(box.i0)); i <= iEnd; i++) {
      if (!inside(i, j)) continue;
      const v = sample(i, j);
      count++;
      const d = v - mean;
      mean += d / count;
      m2 += d * (v - mean);
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  if (count === 0) return { mean: NaN, sd: NaN, min: NaN, max: NaN, count, areaMm2 };
  return { mean, sd: Math.sqrt(m2 / count), min, max, count, areaMm2 };
}

/** The ellipse inscribed in the image-axis-aligned box spanned by the two corners. */
export function ellipseRoi(plane: ImagePlane, corner1: Vec3, corner2: Vec3, sample: (i: number, j: number) => number): RoiStats {
  const box = boxOf(plane, corner1, corner2);
  const a = (box.i1 - box.i0) / 2;
  const b = (box.j1 - box.j0) / 2;
  const ci = (box.i0 + box.i1) / 2;
  const cj = (box.j0 + box.j1) / 2;
  // (di/a)^2 + (dj/b)^2 <= 1 multiplied out, so a centre exactly on the outline is not lost to rounding.
  const ab2 = a * a * b * b;
  const inside = a > 0 && b > 0 ? (i: number, j: number) => (i - ci) ** 2 * b * b + (j - cj) ** 2 * a * a <= ab2 : () => false;
  return statsOver(plane, box, inside, sample, Math.PI * a * plane.spacing[0] * b * plane.spacing[1]);
}

export function rectangleRoi(plane: ImagePlane, corner1: Vec3, corner2: Vec3, sample: (i: number, j: number) => number): RoiStats {
  const box = boxOf(plane, corner1, corner2);
  return statsOver(plane, box, () => true, sample, (box.i1 - box.i0) * plane.spacing[0] * (box.j1 - box.j0) * plane.spacing[1]);
}

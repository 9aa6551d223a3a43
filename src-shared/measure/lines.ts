// Line measurements in patient millimetres (or the calibration's unit for projection images).
import type { Vec3 } from '../dicom/types';
import { cross, dot, norm, sub } from '../dicom/volume/vec3';

export function distance(a: Vec3, b: Vec3): number {
  return norm(sub(a, b));
}

/** Angle between two non-zero vectors in degrees, 0..180; atan2 of |a x b| and a.b stays exact near 0 and 180 where acos does not. */
function angleBetween(u: Vec3, v: Vec3): number {
  return (Math.atan2(norm(cross(u, v)), dot(u, v)) * 180) / Math.PI;
}

/** The angle at `vertex` between the rays to a and to b, 0..180 (0 when a ray has no length). */
export function angleDeg(a: Vec3, vertex: Vec3, b: Vec3): number {
  return angleBetween(sub(a, vertex), sub(b, vertex));
}

/** Cobb angle: the acute angle between two lines (each given by two points), 0..90, whatever way each was drawn. */
export function cobbAngleDeg(l1: [Vec3, Vec3], l2: [Vec3, Vec3]): number {
  const a = angleBetween(sub(l1[1], l1[0]), sub(l2[1], l2[0]));
  return a > 90 ? 180 - a : a;
}

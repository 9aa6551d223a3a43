// Voxel index <-> patient (LPS mm) for a Volume: position = origin + direction * (spacing .* ijk).
import type { Vec3, Volume } from '../types';

type Grid = Pick<Volume, 'origin' | 'spacing' | 'direction'>;

export function indexToPatient(v: Grid, ijk: Vec3): Vec3 {
  const [si, sj, sk] = [ijk[0] * v.spacing[0], ijk[1] * v.spacing[1], ijk[2] * v.spacing[2]];
  const d = v.direction;
  return [
    v.origin[0] + d[0] * si + d[1] * sj + d[2] * sk,
    v.origin[1] + d[3] * si + d[4] * sj + d[5] * sk,
    v.origin[2] + d[6] * si + d[7] * sj + d[8] * sk,
  ];
}

/** Continuous voxel index of a patient point (the direction matrix is a rotation, so its inverse is its transpose). */
export function patientToIndex(v: Grid, p: Vec3): Vec3 {
  const r: Vec3 = [p[0] - v.origin[0], p[1] - v.origin[1], p[2] - v.origin[2]];
  const d = v.direction;
  return [
    (d[0] * r[0] + d[3] * r[1] + d[6] * r[2]) / v.spacing[0],
    (d[1] * r[0] + d[4] * r[1] + d[7] * r[2]) / v.spacing[1],
    (d[2] * r[0] + d[5] * r[1] + d[8] * r[2]) / v.spacing[2],
  ];
}

/**
 * Volume.direction reordered for vtk.js's vtkImageData.setDirection, which reads its 9 numbers
 * as the i axis, then the j axis, then the k axis (the transpose of Volume's row-major layout).
 */
export function vtkJsDirection(direction: Volume['direction']): Volume['direction'] {
  const d = direction;
  return [d[0], d[3], d[6], d[1], d[4], d[7], d[2], d[5], d[8]];
}

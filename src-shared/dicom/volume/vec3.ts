// Small 3-vector helpers for patient-space geometry (LPS millimetres).
import type { Vec3 } from '../types';

export function dot(a: Vec3, b: Vec3): number {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

export function cross(a: Vec3, b: Vec3): Vec3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

export function sub(a: Vec3, b: Vec3): Vec3 {
  return [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
}

export function add(a: Vec3, b: Vec3): Vec3 {
  return [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
}

export function scale(a: Vec3, s: number): Vec3 {
  return [a[0] * s, a[1] * s, a[2] * s];
}

export function norm(a: Vec3): number {
  return Math.sqrt(dot(a, a));
}

/** Unit vector, or null for a zero / non-finite vector (a broken ImageOrientationPatient). */
export function normalize(a: Vec3): Vec3 | null {
  const n = norm(a);
  if (!Number.isFinite(n) || n < 1e-6) return null;
  return [a[0] / n, a[1] / n, a[2] / n];
}

export function isFiniteVec(a: readonly number[]): boolean {
  return a.every((v) => Number.isFinite(v));
}

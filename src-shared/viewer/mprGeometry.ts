// Multiplanar reformats in patient space (DICOM LPS mm): three mutually orthogonal planes through one
// crosshair point. Each MPR view is an ordinary ImagePlane (viewGeometry), so the 2D camera maths, the
// orientation labels and the measurement layer work on it unchanged.
//
// The three planes' normals come from one orthonormal frame (the patient axes L, P, S, rotated as the
// user tilts a crosshair line). A plane's in-plane axes are then chosen as close to the radiological
// habit as its normal allows: axial shows anterior up and patient Left at screen right, coronal and
// sagittal show superior up. So tilting the sagittal plane about the axial normal does not spin the
// axial picture, and an oblique plane keeps its "up" near the patient's head.
import type { Vec3 } from '../dicom/types';
import { add, cross, dot, normalize, scale, sub } from '../dicom/volume/vec3';
import { indexToPatient, patientToIndex } from '../dicom/volume/volumeSpace';
import type { SeriesView } from '../ipc/contract';
import type { ImagePlane } from './viewGeometry';

export type MprViewId = 'axial' | 'coronal' | 'sagittal';
export const MPR_VIEWS: readonly MprViewId[] = ['axial', 'coronal', 'sagittal'];

/** The rotated patient axes: x (toward patient Left), y (Posterior), z (Superior); orthonormal, right-handed. */
export type MprFrame = [Vec3, Vec3, Vec3];
export const PATIENT_FRAME: MprFrame = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];

type Grid = Pick<SeriesView, 'dimensions' | 'spacing' | 'origin' | 'direction'>;

/** Unit normal of a view's plane (rowDir x colDir): axial +z (S), coronal +y (P), sagittal -x (R). */
export function mprNormal(frame: MprFrame, id: MprViewId): Vec3 {
  return id === 'axial' ? frame[2] : id === 'coronal' ? frame[1] : scale(frame[0], -1);
}

/** The patient direction each view wants pointing down the screen (a plane's column direction). */
const PREFERRED_DOWN: Record<MprViewId, Vec3> = { axial: [0, 1, 0], coronal: [0, 0, -1], sagittal: [0, 0, -1] };
/** Fallback down direction when the preferred one is (nearly) along the normal: from the frame itself. */
const frameDown = (frame: MprFrame, id: MprViewId): Vec3 => (id === 'axial' ? frame[1] : scale(frame[2], -1));

/** In-plane unit axes of a view: column direction = the preferred "down" projected onto the plane; row = col x normal. */
export function mprAxes(frame: MprFrame, id: MprViewId): { rowDir: Vec3; colDir: Vec3; normal: Vec3 } {
  const normal = mprNormal(frame, id);
  const project = (v: Vec3) => normalize(sub(v, scale(normal, dot(v, normal))));
  const preferred = PREFERRED_DOWN[id];
  // Past ~60 degrees of tilt toward the preferred axis the projection gets unstable: use the frame's own axis.
  const colDir = (Math.abs(dot(preferred, normal)) < 0.87 ? project(preferred) : null) ?? project(frameDown(frame, id)) ?? frameDown(frame, id);
  const rowDir = normalize(cross(colDir, normal)) ?? frame[0];
  return { rowDir, colDir, normal };
}

/** The eight outer corners of the volume (voxel edges, not centres). */
export function volumeCorners(view: Grid): Vec3[] {
  const [ni, nj, nk] = view.dimensions;
  const out: Vec3[] = [];
  for (const i of [-0.5, ni - 0.5]) for (const j of [-0.5, nj - 0.5]) for (const k of [-0.5, nk - 0.5]) out.push(indexToPatient(view, [i, j, k]));
  return out;
}

export function volumeCentre(view: Grid): Vec3 {
  const [ni, nj, nk] = view.dimensions;
  return indexToPatient(view, [(ni - 1) / 2, (nj - 1) / 2, (nk - 1) / 2]);
}

/** The MPR pixel: the volume's finest spacing, square. */
export function mprPixelMm(view: Grid): number {
  return Math.min(view.spacing[0], view.spacing[1], view.spacing[2]);
}

/**
 * The view's image plane through `centre`: square pixels of the volume's finest spacing, covering the whole
 * volume as seen along the normal. Its pixel grid depends on the plane alone (not on where the crosshair
 * sits within it), so annotations and cameras stay put while the crosshair moves in the plane.
 */
export function mprPlane(view: Grid, frame: MprFrame, centre: Vec3, id: MprViewId): ImagePlane {
  const { rowDir, colDir, normal } = mprAxes(frame, id);
  const s = mprPixelMm(view);
  const c = volumeCentre(view);
  // The volume centre moved onto the plane along the normal: the grid's anchor.
  const anchor = sub(c, scale(normal, dot(sub(c, centre), normal)));
  let [u0, u1, v0, v1] = [Infinity, -Infinity, Infinity, -Infinity];
  for (const p of volumeCorners(view)) {
    const d = sub(p, anchor);
    const u = dot(d, rowDir);
    const v = dot(d, colDir);
    [u0, u1, v0, v1] = [Math.min(u0, u), Math.max(u1, u), Math.min(v0, v), Math.max(v1, v)];
  }
  const columns = Math.max(1, Math.round((u1 - u0) / s));
  const rows = Math.max(1, Math.round((v1 - v0) / s));
  // Pixel centres half a pixel inside the covered rectangle, symmetric about the anchor.
  const uStart = -((columns - 1) * s) / 2 + (u0 + u1) / 2;
  const vStart = -((rows - 1) * s) / 2 + (v0 + v1) / 2;
  return { origin: add(anchor, add(scale(rowDir, uStart), scale(colDir, vStart))), rowDir, colDir, spacing: [s, s], columns, rows };
}

/** Signed distance of the crosshair centre along a view's normal, in the volume's depth along it: [min, max] of the corners. */
export function depthRange(view: Grid, normal: Vec3): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const p of volumeCorners(view)) {
    const d = dot(p, normal);
    lo = Math.min(lo, d);
    hi = Math.max(hi, d);
  }
  return [lo, hi];
}

/** Moves the centre along a view's normal by `mm`, kept inside the volume's depth along that normal. */
export function stepCentre(view: Grid, frame: MprFrame, centre: Vec3, id: MprViewId, mm: number): Vec3 {
  const n = mprNormal(frame, id);
  const [lo, hi] = depthRange(view, n);
  const d = dot(centre, n);
  const target = Math.min(hi, Math.max(lo, d + mm));
  return add(centre, scale(n, target - d));
}

/** Rodrigues' rotation of v about the unit axis by `angle` radians (right-hand rule). */
export function rotateAbout(v: Vec3, axis: Vec3, angle: number): Vec3 {
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  const k = dot(axis, v) * (1 - c);
  const x = cross(axis, v);
  return [v[0] * c + x[0] * s + axis[0] * k, v[1] * c + x[1] * s + axis[1] * k, v[2] * c + x[2] * s + axis[2] * k];
}

/** Tilts the other two planes about this view's normal (this view's plane is unchanged); re-orthonormalised. */
export function rotateFrame(frame: MprFrame, id: MprViewId, angle: number): MprFrame {
  const axis = mprNormal(frame, id);
  const turned = frame.map((v) => rotateAbout(v, axis, angle)) as MprFrame;
  return orthonormalise(turned);
}

/** Gram-Schmidt on x, y; z = x cross y: keeps rounding from accumulating over many small rotations. */
export function orthonormalise(f: MprFrame): MprFrame {
  const x = normalize(f[0]) ?? [1, 0, 0];
  const y = normalize(sub(f[1], scale(x, dot(f[1], x)))) ?? [0, 1, 0];
  return [x, y, cross(x, y)];
}

/** Angle (radians, right-hand about `axis`) that turns a onto b, both projected onto the plane normal to axis. */
export function angleAbout(axis: Vec3, a: Vec3, b: Vec3): number {
  return Math.atan2(dot(axis, cross(a, b)), dot(a, b) - dot(a, axis) * dot(b, axis));
}

/** The direction, within view `id`'s plane, of the line where view `other`'s plane cuts it (a crosshair line). */
export function crosshairDirection(frame: MprFrame, id: MprViewId, other: MprViewId): Vec3 {
  return normalize(cross(mprNormal(frame, id), mprNormal(frame, other))) ?? [1, 0, 0];
}

/** How far from orthogonal to the patient axes the frame is (degrees): 0 for the standard planes. */
export function obliqueDegrees(frame: MprFrame): number {
  const c = Math.min(1, Math.abs(frame[0][0]), Math.abs(frame[1][1]), Math.abs(frame[2][2]));
  return (Math.acos(c) * 180) / Math.PI;
}

/** The voxel (i, j, k) nearest a patient point, or null outside the volume: what a probe or ROI in an MPR view reads. */
export function nearestVoxel(view: Grid, p: Vec3): [number, number, number] | null {
  const ijk = patientToIndex(view, p).map(Math.round) as [number, number, number];
  return ijk.every((v, a) => v >= 0 && v < view.dimensions[a]!) ? ijk : null;
}

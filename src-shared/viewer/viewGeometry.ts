// Image planes and the 2D viewport camera in patient space (DICOM LPS mm), and the maps between
// patient points, image pixels and screen pixels. The renderer and the measurement tools both go
// through these, so what is drawn and what is measured cannot disagree.
import type { Vec3 } from '../dicom/types';
import type { SeriesView } from '../ipc/contract';
import { add, cross, dot, normalize, scale, sub } from '../dicom/volume/vec3';
import { indexToPatient } from '../dicom/volume/volumeSpace';

export type Vec2 = [number, number];

/** One image plane: pixel (i=column, j=row) centre is at origin + i*spacing[0]*rowDir + j*spacing[1]*colDir. */
export interface ImagePlane {
  origin: Vec3;
  /** Unit direction of increasing column index i (along a row). */
  rowDir: Vec3;
  /** Unit direction of increasing row index j (down a column). */
  colDir: Vec3;
  /** [along i, along j]: column spacing then row spacing, as SeriesView.spacing. */
  spacing: [number, number];
  columns: number;
  rows: number;
}

type Grid = Pick<SeriesView, 'dimensions' | 'spacing' | 'origin' | 'direction'>;

/** Column `c` (0 = i, 1 = j, 2 = k) of the row-major direction matrix. */
function axis(direction: Grid['direction'], c: 0 | 1 | 2): Vec3 {
  return [direction[c], direction[3 + c]!, direction[6 + c]!];
}

export function planeOfSlice(view: Grid, k: number): ImagePlane {
  return {
    origin: indexToPatient(view, [0, 0, k]),
    rowDir: axis(view.direction, 0),
    colDir: axis(view.direction, 1),
    spacing: [view.spacing[0], view.spacing[1]],
    columns: view.dimensions[0],
    rows: view.dimensions[1],
  };
}

/** rowDir x colDir, unit. */
export function normalOf(plane: ImagePlane): Vec3 {
  return normalize(cross(plane.rowDir, plane.colDir)) ?? [0, 0, 1];
}

/** Continuous (i, j) of p projected onto the plane; integers are pixel centres. */
export function worldToPixel(plane: ImagePlane, p: Vec3): Vec2 {
  const d = sub(p, plane.origin);
  return [dot(d, plane.rowDir) / plane.spacing[0], dot(d, plane.colDir) / plane.spacing[1]];
}

export function pixelToWorld(plane: ImagePlane, ij: Vec2): Vec3 {
  return add(plane.origin, add(scale(plane.rowDir, ij[0] * plane.spacing[0]), scale(plane.colDir, ij[1] * plane.spacing[1])));
}

/** The foot of the perpendicular from p to the plane (a point picked in the camera's plane, put on the slice shown). */
export function projectOntoPlane(plane: ImagePlane, p: Vec3): Vec3 {
  const n = normalOf(plane);
  return sub(p, scale(n, dot(sub(p, plane.origin), n)));
}

/** The viewport camera, kept in the viewer state. rotation: quarter turns clockwise on screen. */
export interface Camera2D {
  /** Patient point shown at the viewport centre. */
  focal: Vec3;
  /** Millimetres (the plane's unit) per CSS pixel. */
  mmPerPx: number;
  rotation: 0 | 1 | 2 | 3;
  flipH: boolean;
  flipV: boolean;
}

/**
 * The one screen-orientation convention, for vectors (screenAxes) and for orientation letters
 * (projectionEdgeLabels). Unrotated, the image's row direction points to screen right and its column
 * direction down. The flips are applied first, in the image (flipH negates right, flipV negates down),
 * then the picture is turned `rotation` quarter turns clockwise: each turn moves what was at the top
 * to the right and what was at the right to the bottom, i.e. (right, down) -> (-down, right).
 * So the state (rotation r, flips F) shows the picture as R^r . F; the reducer keeps 'flip' meaning a
 * mirror of what is on screen (see viewerReducer).
 */
export function orientOnScreen<T>(right: T, down: T, negate: (t: T) => T, cam: Pick<Camera2D, 'rotation' | 'flipH' | 'flipV'>): { right: T; down: T } {
  let r = cam.flipH ? negate(right) : right;
  let d = cam.flipV ? negate(down) : down;
  for (let q = 0; q < cam.rotation; q++) [r, d] = [negate(d), r];
  return { right: r, down: d };
}

/** Unit patient-space vectors pointing to screen right and screen down (convention: orientOnScreen). */
export function screenAxes(plane: ImagePlane, cam: Camera2D): { right: Vec3; down: Vec3 } {
  return orientOnScreen<Vec3>(plane.rowDir, plane.colDir, (v) => scale(v, -1), cam);
}

/** CSS pixels. */
export interface Viewport {
  width: number;
  height: number;
}

/** Screen px, origin top-left, y down; the focal point is at the viewport centre. Points off the plane are projected onto it. */
export function worldToScreen(plane: ImagePlane, cam: Camera2D, vp: Viewport, p: Vec3): Vec2 {
  const { right, down } = screenAxes(plane, cam);
  const d = sub(p, cam.focal);
  return [vp.width / 2 + dot(d, right) / cam.mmPerPx, vp.height / 2 + dot(d, down) / cam.mmPerPx];
}

/** The patient point under a screen pixel, in the plane through cam.focal parallel to the image plane (projectOntoPlane puts it on the slice). */
export function screenToWorld(plane: ImagePlane, cam: Camera2D, vp: Viewport, s: Vec2): Vec3 {
  const { right, down } = screenAxes(plane, cam);
  const x = (s[0] - vp.width / 2) * cam.mmPerPx;
  const y = (s[1] - vp.height / 2) * cam.mmPerPx;
  return add(cam.focal, add(scale(right, x), scale(down, y)));
}

/** The whole image visible (pixel edges included), centred, unflipped; odd rotations swap which image axis is across. */
export function fitCamera(plane: ImagePlane, vp: Viewport, rotation: 0 | 1 | 2 | 3 = 0): Camera2D {
  const across = plane.columns * plane.spacing[0];
  const upDown = plane.rows * plane.spacing[1];
  const [w, h] = rotation % 2 === 0 ? [across, upDown] : [upDown, across];
  const mmPerPx = Math.max(w / Math.max(1, vp.width), h / Math.max(1, vp.height)) || 1;
  return { focal: pixelToWorld(plane, [(plane.columns - 1) / 2, (plane.rows - 1) / 2]), mmPerPx, rotation, flipH: false, flipV: false };
}

/** Magnifies by `factor` (>1 = closer) about a screen point: the patient point under it stays under it. */
export function zoomAt(plane: ImagePlane, cam: Camera2D, vp: Viewport, screenPoint: Vec2, factor: number): Camera2D {
  if (!(factor > 0) || !Number.isFinite(factor)) return cam;
  const anchor = screenToWorld(plane, cam, vp, screenPoint);
  const mmPerPx = cam.mmPerPx / factor;
  const { right, down } = screenAxes(plane, cam);
  const x = (screenPoint[0] - vp.width / 2) * mmPerPx;
  const y = (screenPoint[1] - vp.height / 2) * mmPerPx;
  return { ...cam, mmPerPx, focal: sub(anchor, add(scale(right, x), scale(down, y))) };
}

/** The picture follows the pointer: a drag of (dx, dy) screen px moves what was under it by the same amount. */
export function panBy(plane: ImagePlane, cam: Camera2D, _vp: Viewport, dxPx: number, dyPx: number): Camera2D {
  const { right, down } = screenAxes(plane, cam);
  return { ...cam, focal: sub(cam.focal, scale(add(scale(right, dxPx), scale(down, dyPx)), cam.mmPerPx)) };
}

/**
 * The slice whose plane is nearest to p (perpendicular distance), clamped to the volume: for
 * scrolling another view of the same Frame of Reference to the same position.
 */
export function sliceNearest(view: Grid, p: Vec3): number {
  const last = Math.max(0, view.dimensions[2] - 1);
  const n = normalOf(planeOfSlice(view, 0));
  const step = view.spacing[2] * dot(axis(view.direction, 2), n);
  if (!Number.isFinite(step) || Math.abs(step) < 1e-9) return 0;
  const k = Math.round(dot(sub(p, view.origin), n) / step);
  return Number.isFinite(k) ? Math.min(last, Math.max(0, k)) : 0;
}

/** One image pixel per device pixel (RadiAnt's 1:1), about the same focal point; a CSS pixel covers devicePixelRatio device pixels. */
export function actualSize(plane: ImagePlane, cam: Camera2D, devicePixelRatio = 1): Camera2D {
  return { ...cam, mmPerPx: Math.min(plane.spacing[0], plane.spacing[1]) * (devicePixelRatio > 0 ? devicePixelRatio : 1) };
}

/** The longest 1, 2 or 5 x 10^n length (in the plane's unit) whose bar fits in maxPx CSS pixels, and its length in px. */
export function scaleBar(mmPerPx: number, maxPx: number): { mm: number; px: number } | null {
  const maxMm = mmPerPx * maxPx;
  if (!(maxMm > 0) || !Number.isFinite(maxMm)) return null;
  const decade = 10 ** Math.floor(Math.log10(maxMm));
  const mm = [5, 2, 1].map((m) => m * decade).find((m) => m <= maxMm * (1 + 1e-12)) ?? decade;
  return { mm, px: mm / mmPerPx };
}

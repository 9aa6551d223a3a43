// Where each frame of an instance lies in patient space. Classic images have one frame described
// by top-level attributes; enhanced multi-frame objects describe each frame in its per-frame
// functional groups (shared groups as fallback); RT Dose places frames by GridFrameOffsetVector;
// reconstructed NM tomography stacks frames SpacingBetweenSlices apart along the normal.
import type { DataSet } from 'dicom-parser';
import type { DicomFile } from '../parse';
import type { InstanceMeta, Vec3 } from '../types';
import type { FrameRef, Orientation } from './frameRef';
import { planeOf } from './seriesGeometry';

export type { FrameRef, Orientation } from './frameRef';

const SHARED_GROUPS = 'x52009229';
const PER_FRAME_GROUPS = 'x52009230';
const PLANE_POSITION_SEQ = 'x00209113';
const PLANE_ORIENTATION_SEQ = 'x00209116';
const PIXEL_MEASURES_SEQ = 'x00289110';
const DETECTOR_INFO_SEQ = 'x00540022';
const IPP = 'x00200032';
const IOP = 'x00200037';
const PIXEL_SPACING = 'x00280030';
const SLICE_THICKNESS = 'x00180050';
const SPACING_BETWEEN_SLICES = 'x00180088';
const GRID_FRAME_OFFSET_VECTOR = 'x3004000c';
const IMAGE_TYPE = 'x00080008';
/** The pixel layer's own frame cap (pixelDescription.ts MAX_FRAMES): more is not an image stack we describe. */
const MAX_FRAMES = 100_000;

/** A decimal-string value with at least `count` finite numbers; null otherwise. */
function readNumbers(ds: DataSet | undefined, tag: string, count: number): number[] | null {
  if (!ds || !ds.elements[tag]) return null;
  const s = ds.string(tag);
  if (s === undefined) return null;
  const parts = s.split('\\');
  if (parts.length < count) return null;
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const p = parts[i]!.trim();
    const v = p === '' ? NaN : Number(p);
    if (!Number.isFinite(v)) return null;
    out.push(v);
  }
  return out;
}

/** All numbers of a multi-valued decimal string (GridFrameOffsetVector); null if any is not a number. */
function readAllNumbers(ds: DataSet, tag: string, max: number): number[] | null {
  const s = ds.elements[tag] ? ds.string(tag) : undefined;
  if (s === undefined || s === '') return null;
  const parts = s.split('\\');
  if (parts.length > max) return null;
  const out = parts.map((p) => (p.trim() === '' ? NaN : Number(p)));
  return out.every(Number.isFinite) ? out : null;
}

/** The data set of item `index` of a sequence, if there is one. */
function item(ds: DataSet | undefined, tag: string, index = 0): DataSet | undefined {
  return ds?.elements[tag]?.items?.[index]?.dataSet;
}

function positive(v: number | null | undefined): number | null {
  return v !== null && v !== undefined && Number.isFinite(v) && v > 0 ? v : null;
}

interface GroupGeometry {
  position: Vec3 | null;
  orientation: Orientation | null;
  pixelSpacing: [number, number] | null;
  sliceThickness: number | null;
  spacingBetweenSlices: number | null;
}

/** Geometry carried by one functional-groups item (per-frame or shared). */
function fromGroups(group: DataSet | undefined): GroupGeometry {
  const pos = readNumbers(item(group, PLANE_POSITION_SEQ), IPP, 3);
  const ori = readNumbers(item(group, PLANE_ORIENTATION_SEQ), IOP, 6);
  const measures = item(group, PIXEL_MEASURES_SEQ);
  const ps = readNumbers(measures, PIXEL_SPACING, 2);
  return {
    position: pos ? [pos[0]!, pos[1]!, pos[2]!] : null,
    orientation: ori ? (ori as Orientation) : null,
    pixelSpacing: ps ? [ps[0]!, ps[1]!] : null,
    sliceThickness: positive(readNumbers(measures, SLICE_THICKNESS, 1)?.[0]),
    spacingBetweenSlices: positive(readNumbers(measures, SPACING_BETWEEN_SLICES, 1)?.[0]),
  };
}

/** Legacy multi-frame: frame positions derived from one position, if the object says how. */
function legacyPositions(ds: DataSet, meta: InstanceMeta, frames: number, orientation: Orientation | null, base: Vec3 | null): Array<Vec3 | null> {
  const none = new Array<Vec3 | null>(frames).fill(null);
  const plane = orientation ? planeOf(orientation) : null;
  if (!plane || !base) return none;
  const along = (mm: number): Vec3 => [base[0] + mm * plane.normal[0], base[1] + mm * plane.normal[1], base[2] + mm * plane.normal[2]];
  const offsets = readAllNumbers(ds, GRID_FRAME_OFFSET_VECTOR, MAX_FRAMES);
  if (offsets && offsets.length === frames) {
    // PS3.3 C.8.8.3.2: relative to IPP when the first offset is 0, else absolute along the normal.
    const o0 = offsets[0]!;
    return offsets.map((o) => along(o0 === 0 ? o : o - o0));
  }
  const imageType = ds.elements[IMAGE_TYPE] ? (ds.string(IMAGE_TYPE) ?? '') : '';
  const step = positive(readNumbers(ds, SPACING_BETWEEN_SLICES, 1)?.[0]);
  if (meta.modality === 'NM' && /RECON TOMO|RECON GATED TOMO/.test(imageType) && step !== null) {
    return none.map((_, k) => along(k * step));
  }
  // A cine or a multi-frame without a per-frame position: frames are not known to be slices.
  return none;
}

/**
 * A single-frame instance's geometry from the store's InstanceMeta alone (no bytes read): position,
 * orientation, pixel spacing and thickness are all there. Not for multi-frame instances (their frames
 * live in functional groups) nor for NM's Detector Information Sequence: use frameRefsOf for those.
 */
export function frameRefFromMeta(key: string, meta: InstanceMeta): FrameRef {
  return {
    key,
    frameIndex: 0,
    rows: meta.rows,
    columns: meta.columns,
    position: meta.imagePositionPatient,
    orientation: meta.imageOrientationPatient,
    pixelSpacing: meta.pixelSpacing,
    sliceThickness: positive(meta.sliceThickness),
    spacingBetweenSlices: null,
  };
}

export function frameRefsOf(key: string, file: DicomFile, meta: InstanceMeta): FrameRef[] {
  const ds: DataSet = file.dataSet;
  const frames = Math.min(Math.max(1, Number.isInteger(meta.numberOfFrames) ? meta.numberOfFrames : 1), MAX_FRAMES);
  const shared = fromGroups(item(ds, SHARED_GROUPS));
  const perFrameItems = ds.elements[PER_FRAME_GROUPS]?.items;
  const detector = item(ds, DETECTOR_INFO_SEQ);
  const topPosition = meta.imagePositionPatient ?? toVec3(readNumbers(detector, IPP, 3));
  const topOrientation = meta.imageOrientationPatient ?? (readNumbers(detector, IOP, 6) as Orientation | null);
  const topThickness = positive(meta.sliceThickness);
  const topStep = positive(readNumbers(ds, SPACING_BETWEEN_SLICES, 1)?.[0]);

  const refs: FrameRef[] = [];
  const legacy = perFrameItems === undefined && frames > 1 && shared.position === null;
  const legacyPos = legacy ? legacyPositions(ds, meta, frames, shared.orientation ?? topOrientation, topPosition) : null;
  for (let f = 0; f < frames; f++) {
    const own = perFrameItems ? fromGroups(perFrameItems[f]?.dataSet) : null;
    const position = legacyPos ? legacyPos[f]! : (own?.position ?? shared.position ?? (frames === 1 || !perFrameItems ? topPosition : null));
    refs.push({
      key,
      frameIndex: f,
      rows: meta.rows,
      columns: meta.columns,
      position,
      orientation: own?.orientation ?? shared.orientation ?? topOrientation,
      pixelSpacing: own?.pixelSpacing ?? shared.pixelSpacing ?? meta.pixelSpacing,
      sliceThickness: own?.sliceThickness ?? shared.sliceThickness ?? topThickness,
      spacingBetweenSlices: own?.spacingBetweenSlices ?? shared.spacingBetweenSlices ?? topStep,
    });
  }
  return refs;
}

function toVec3(v: number[] | null): Vec3 | null {
  return v ? [v[0]!, v[1]!, v[2]!] : null;
}

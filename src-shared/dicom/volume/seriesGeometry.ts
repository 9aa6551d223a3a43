// Series -> volume geometry: which frames make the volume, in what order, on what grid.
// Order comes only from ImagePositionPatient projected on the slice normal (row x column);
// file names and InstanceNumber are never trusted. Everything odd about the stack becomes a
// VolumeWarning the UI can show, and a stack that cannot be copied slice by slice onto a
// regular grid is flagged (regular = false) so assembleVolume resamples it.
import { AppError } from '../../errors';
import type { Vec3, Volume, VolumeWarning } from '../types';
import type { FrameRef, Orientation } from './frameRef';
import { cross, dot, isFiniteVec, normalize, sub } from './vec3';

export interface SeriesGeometry {
  /** Indices into the frames given, sorted along the slice normal; frames left out are absent. */
  order: number[];
  /** Output grid: [columns, rows, slices]. */
  dimensions: Vec3;
  /** Output grid spacing along i, j, k (mm). */
  spacing: Vec3;
  /** LPS centre of output voxel (0,0,0). */
  origin: Vec3;
  direction: Volume['direction'];
  warnings: VolumeWarning[];
  /** True when order[k] is exactly output slice k (no resampling needed). */
  regular: boolean;
  /** Per entry of order: distance (mm) of that frame's plane from the origin along k. */
  sliceOffsets: number[];
  /** Per entry of order: the frame's first-pixel position relative to the grid, along i and j (mm); non-zero only for sheared stacks. */
  inPlaneOffsets: Array<[number, number]>;
}

/** Per direction-cosine component: orientations closer than this are the same (IOP carries float noise). */
const ORIENTATION_TOLERANCE = 1e-3;
/** Pixel spacings closer than this (relative) are the same. */
const PIXEL_SPACING_TOLERANCE = 1e-3;
/** Frames closer than this along the normal share one position (echoes, phases, copies). */
const DUPLICATE_TOLERANCE_MM = 0.01;
/** A slice gap within max(this, relative x typical gap) of the typical gap is uniform (IPP is often written with 2 decimals). */
const SPACING_TOLERANCE_MM = 0.02;
const SPACING_TOLERANCE_REL = 0.01;
/** In-plane drift of the stack beyond this fraction of a pixel means the stack is sheared. */
const SHEAR_TOLERANCE_PIXELS = 0.05;
/** A resampled grid never has more than this many times the source slices (a guard against absurd gaps). */
const MAX_RESAMPLE_FACTOR = 4;
const MAX_DIMENSION = 65535;

interface Plane {
  row: Vec3;
  col: Vec3;
  normal: Vec3;
}

/** Orthonormal basis from an IOP; null when it is degenerate (zero or parallel vectors). */
export function planeOf(o: Orientation): Plane | null {
  if (!isFiniteVec(o)) return null;
  const row = normalize([o[0], o[1], o[2]]);
  const c = normalize([o[3], o[4], o[5]]);
  if (!row || !c) return null;
  // IOP is rounded in the file: re-orthogonalise so the direction matrix is a rotation.
  const along = dot(c, row);
  if (Math.abs(along) > 0.1) return null;
  const col = normalize([c[0] - along * row[0], c[1] - along * row[1], c[2] - along * row[2]]);
  if (!col) return null;
  return { row, col, normal: cross(row, col) };
}

function sameOrientation(a: Orientation, b: Orientation): boolean {
  for (let i = 0; i < 6; i++) if (Math.abs(a[i]! - b[i]!) > ORIENTATION_TOLERANCE) return false;
  return true;
}

function sameSpacing(a: [number, number], b: [number, number]): boolean {
  return (
    Math.abs(a[0] - b[0]) <= PIXEL_SPACING_TOLERANCE * Math.max(a[0], b[0]) &&
    Math.abs(a[1] - b[1]) <= PIXEL_SPACING_TOLERANCE * Math.max(a[1], b[1])
  );
}

function validSize(f: FrameRef): boolean {
  const ok = (n: number) => Number.isInteger(n) && n > 0 && n <= MAX_DIMENSION;
  return ok(f.rows) && ok(f.columns);
}

function validSpacing(ps: [number, number] | null): ps is [number, number] {
  return ps !== null && ps.every((v) => Number.isFinite(v) && v > 0 && v < 1e5);
}

function hasGeometry(f: FrameRef): boolean {
  return (
    f.position !== null &&
    isFiniteVec(f.position) &&
    f.position.every((v) => Math.abs(v) < 1e7) &&
    f.orientation !== null &&
    planeOf(f.orientation) !== null
  );
}

/** At most this many groups are formed; later items matching none are left out (keeps hostile input linear). */
const MAX_GROUPS = 64;

/** Group items by an equivalence, keeping first-seen order of groups and members. */
function cluster<T>(items: T[], same: (a: T, b: T) => boolean): T[][] {
  const groups: T[][] = [];
  for (const it of items) {
    const g = groups.find((grp) => same(grp[0]!, it));
    if (g) g.push(it);
    else if (groups.length < MAX_GROUPS) groups.push([it]);
  }
  return groups;
}

/** Min and max without spreading (a series can have more values than a call has arguments). */
function minOf(values: number[]): number {
  let m = Infinity;
  for (const v of values) if (v < m) m = v;
  return m;
}
function maxOf(values: number[]): number {
  let m = -Infinity;
  for (const v of values) if (v > m) m = v;
  return m;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function positiveOr(v: number | null | undefined, fallback: number): number {
  return v !== null && v !== undefined && Number.isFinite(v) && v > 0 && v < 1e5 ? v : fallback;
}

function fmt(mm: number): string {
  return Number(mm.toFixed(3)).toString();
}

function directionOf(p: Plane): Volume['direction'] {
  // Columns of the matrix are i (row direction), j (column direction), k (normal).
  return [p.row[0], p.col[0], p.normal[0], p.row[1], p.col[1], p.normal[1], p.row[2], p.col[2], p.normal[2]];
}

interface Sorted {
  /** Frame indices kept, one per distinct position, sorted along the normal. */
  kept: number[];
  /** Their distances along the normal. */
  d: number[];
  duplicates: number;
}

/** Sort along the normal (stable), then keep the first frame (lowest index) at each position. */
function sortAlongNormal(frames: FrameRef[], idx: number[], normal: Vec3): Sorted {
  const proj = idx.map((i) => ({ i, d: dot(frames[i]!.position!, normal) }));
  proj.sort((a, b) => a.d - b.d || a.i - b.i);
  const kept: number[] = [];
  const d: number[] = [];
  let duplicates = 0;
  let runStart = -1;
  for (const p of proj) {
    const last = d.length - 1;
    if (last >= 0 && p.d - d[runStart]! < DUPLICATE_TOLERANCE_MM) {
      duplicates++;
      if (p.i < kept[last]!) kept[last] = p.i;
      continue;
    }
    kept.push(p.i);
    d.push(p.d);
    runStart = d.length - 1;
  }
  return { kept, d, duplicates };
}

/** The stack when positions or orientations are missing: kept in the given order, spacing assumed. */
function stackWithoutGeometry(frames: FrameRef[], idx: number[], warnings: VolumeWarning[]): SeriesGeometry {
  const first = frames[idx[0]!]!;
  const ps = validSpacing(first.pixelSpacing) ? first.pixelSpacing : null;
  const step = positiveOr(first.spacingBetweenSlices, positiveOr(first.sliceThickness, 1));
  const plane = first.orientation ? planeOf(first.orientation) : null;
  const origin: Vec3 = first.position && isFiniteVec(first.position) ? [...first.position] : [0, 0, 0];
  warnings.push({
    code: 'NO_GEOMETRY',
    message:
      `No usable ImagePositionPatient/ImageOrientationPatient: ${idx.length} frame(s) stacked in the order given, ` +
      `${ps ? '' : 'pixel spacing 1 mm assumed, '}slice step ${fmt(step)} mm assumed; distances across slices are not reliable.`,
  });
  if (idx.length === 1) warnings.push({ code: 'SINGLE_SLICE', message: 'The series has a single slice: no volume to reformat.' });
  return {
    order: idx,
    dimensions: [first.columns, first.rows, idx.length],
    spacing: [ps ? ps[1] : 1, ps ? ps[0] : 1, step],
    origin,
    direction: plane ? directionOf(plane) : [1, 0, 0, 0, 1, 0, 0, 0, 1],
    warnings,
    regular: true,
    sliceOffsets: idx.map((_, k) => k * step),
    inPlaneOffsets: idx.map(() => [0, 0]),
  };
}

interface GapReport {
  typical: number;
  minGap: number;
  missing: number;
  nonUniform: boolean;
}

function analyseGaps(d: number[]): GapReport {
  const gaps: number[] = [];
  for (let k = 1; k < d.length; k++) gaps.push(d[k]! - d[k - 1]!);
  const typical = median(gaps);
  const tol = Math.max(SPACING_TOLERANCE_MM, SPACING_TOLERANCE_REL * typical);
  let missing = 0;
  let nonUniform = false;
  for (const g of gaps) {
    if (Math.abs(g - typical) <= tol) continue;
    const k = Math.round(g / typical);
    if (k >= 2 && Math.abs(g - k * typical) <= tol * k) missing += k - 1;
    else nonUniform = true;
  }
  return { typical, minGap: minOf(gaps), missing, nonUniform };
}

/** The longest stretch of consecutive slices whose gaps all equal the typical gap. */
function longestUniformRun(d: number[], typical: number): { start: number; end: number } {
  const tol = Math.max(SPACING_TOLERANCE_MM, SPACING_TOLERANCE_REL * typical);
  let best = { start: 0, end: 0 };
  let start = 0;
  for (let k = 1; k < d.length; k++) {
    if (Math.abs(d[k]! - d[k - 1]! - typical) > tol) start = k;
    else if (k - start > best.end - best.start) best = { start, end: k };
  }
  return best;
}

export function computeSeriesGeometry(frames: FrameRef[]): SeriesGeometry {
  if (frames.length === 0) throw new AppError('VOLUME_ASSEMBLY', 'The series has no frames to assemble.');
  const warnings: VolumeWarning[] = [];

  // 1. One frame size: the most common one wins.
  const sized = frames.map((_, i) => i).filter((i) => validSize(frames[i]!));
  if (sized.length === 0) throw new AppError('VOLUME_ASSEMBLY', 'No frame of the series has a valid size.');
  const bySize = cluster(sized, (a, b) => frames[a]!.rows === frames[b]!.rows && frames[a]!.columns === frames[b]!.columns);
  const sizeGroup = bySize.reduce((best, g) => (g.length > best.length ? g : best));
  const leftOutBySize = frames.length - sizeGroup.length;
  if (leftOutBySize > 0) {
    const sizes = bySize.map((g) => `${frames[g[0]!]!.columns}x${frames[g[0]!]!.rows} (${g.length})`).join(', ');
    warnings.push({
      code: 'MIXED_SIZES',
      message: `Frames of different sizes: ${sizes}${sized.length < frames.length ? `, ${frames.length - sized.length} invalid` : ''}; the volume uses the ${sizeGroup.length} frame(s) of the most common size.`,
    });
  }

  // 2. Frames without geometry: a stack in the given order if none has any.
  const located = sizeGroup.filter((i) => hasGeometry(frames[i]!));
  if (located.length === 0) return stackWithoutGeometry(frames, sizeGroup, warnings);
  if (located.length < sizeGroup.length) {
    warnings.push({
      code: 'NO_GEOMETRY',
      message: `${sizeGroup.length - located.length} frame(s) have no usable position or orientation and are left out.`,
    });
  }

  // 3. One orientation: the group that spans most distinct positions wins (then most frames, then first seen).
  const byOrientation = cluster(located, (a, b) => sameOrientation(frames[a]!.orientation!, frames[b]!.orientation!));
  const scored = byOrientation.map((g) => {
    const plane = planeOf(frames[g[0]!]!.orientation!)!;
    return { g, plane, distinct: sortAlongNormal(frames, g, plane.normal).kept.length };
  });
  const best = scored.reduce((b, s) => (s.distinct > b.distinct || (s.distinct === b.distinct && s.g.length > b.g.length) ? s : b));
  if (byOrientation.length > 1) {
    warnings.push({
      code: 'MIXED_ORIENTATION',
      message: `The series holds ${byOrientation.length}${byOrientation.length === MAX_GROUPS ? ' or more' : ''} slice orientations; the volume uses the ${best.g.length} frame(s) of one of them, the other ${located.length - best.g.length} are left out.`,
    });
  }

  // 4. One pixel spacing (frames without one count as their own group, assumed 1 mm).
  const bySpacing = cluster(best.g, (a, b) => {
    const pa = frames[a]!.pixelSpacing;
    const pb = frames[b]!.pixelSpacing;
    if (!validSpacing(pa) || !validSpacing(pb)) return !validSpacing(pa) && !validSpacing(pb);
    return sameSpacing(pa, pb);
  });
  const group = bySpacing.reduce((b, g) => (g.length > b.length ? g : b));
  if (bySpacing.length > 1) {
    warnings.push({
      code: 'MIXED_SIZES',
      message: `Frames with ${bySpacing.length} different pixel spacings; the volume uses the ${group.length} frame(s) with the most common one.`,
    });
  }
  const ps0 = frames[group[0]!]!.pixelSpacing;
  const pixelSpacing: [number, number] = validSpacing(ps0) ? ps0 : [1, 1];
  if (!validSpacing(ps0)) {
    warnings.push({ code: 'NO_GEOMETRY', message: 'No usable PixelSpacing: 1 mm pixels assumed; in-plane distances are not reliable.' });
  }

  // 5. Sort along the normal; one frame per position.
  const { plane } = best;
  const sorted = sortAlongNormal(frames, group, plane.normal);
  let { kept, d } = sorted;
  const { duplicates } = sorted;
  if (duplicates > 0) {
    warnings.push({
      code: 'DUPLICATE_POSITIONS',
      message: `${duplicates} frame(s) repeat a position already in the stack (echoes, phases or copies); the first frame at each of the ${kept.length} position(s) is used.`,
    });
  }
  const direction = directionOf(plane);
  let first = frames[kept[0]!]!;
  let p0 = first.position!;
  const spacingIJ: [number, number] = [pixelSpacing[1], pixelSpacing[0]];

  if (kept.length === 1) {
    warnings.push({ code: 'SINGLE_SLICE', message: 'The series has a single slice position: no volume to reformat.' });
    return {
      order: kept,
      dimensions: [first.columns, first.rows, 1],
      spacing: [spacingIJ[0], spacingIJ[1], positiveOr(first.sliceThickness, positiveOr(first.spacingBetweenSlices, 1))],
      origin: [...p0],
      direction,
      warnings,
      regular: true,
      sliceOffsets: [0],
      inPlaneOffsets: [[0, 0]],
    };
  }

  // 6. Gaps: uniform, missing slices (a gap of k typical steps), or irregular.
  let gaps = analyseGaps(d);
  if (gaps.missing >= kept.length) {
    // Most of a resampled grid would be invented: keep the longest evenly spaced run instead.
    const run = longestUniformRun(d, gaps.typical);
    if (run.end > run.start) {
      warnings.push({
        code: 'MISSING_SLICES',
        message:
          `About ${gaps.missing} slice(s) are missing, more than the ${kept.length} present; the volume uses the longest evenly spaced run ` +
          `of ${run.end - run.start + 1} slices (${fmt(gaps.typical)} mm apart) and leaves the other ${kept.length - (run.end - run.start + 1)} out.`,
      });
      kept = kept.slice(run.start, run.end + 1);
      d = d.slice(run.start, run.end + 1);
      first = frames[kept[0]!]!;
      p0 = first.position!;
      gaps = analyseGaps(d);
    }
  }
  if (gaps.missing > 0) {
    warnings.push({
      code: 'MISSING_SLICES',
      message: `About ${gaps.missing} slice(s) are missing (gaps of whole multiples of the ${fmt(gaps.typical)} mm step); the gaps are filled by linear interpolation between the neighbouring slices.`,
    });
  }
  if (gaps.nonUniform) {
    const maxGap = maxOf(d.slice(1).map((v, k) => v - d[k]!));
    warnings.push({
      code: 'NON_UNIFORM_SPACING',
      message: `Slice spacing varies from ${fmt(gaps.minGap)} to ${fmt(maxGap)} mm (typical ${fmt(gaps.typical)} mm).`,
    });
  }

  // 7. Shear: positions that drift in-plane as they move along the normal (gantry tilt).
  const offsets = kept.map((i, k): [number, number] => {
    const o = sub(frames[i]!.position!, p0);
    const along = d[k]! - d[0]!;
    const inPlane: Vec3 = [o[0] - along * plane.normal[0], o[1] - along * plane.normal[1], o[2] - along * plane.normal[2]];
    return [dot(inPlane, plane.row), dot(inPlane, plane.col)];
  });
  const shearTol = Math.max(1e-3, SHEAR_TOLERANCE_PIXELS * Math.min(...pixelSpacing));
  const maxDrift = maxOf(offsets.map(([u, v]) => Math.hypot(u, v)));
  const sheared = maxDrift > shearTol;
  if (sheared) {
    const last = offsets[offsets.length - 1]!;
    const extent = d[d.length - 1]! - d[0]!;
    const angle = (Math.atan2(Math.hypot(last[0], last[1]), extent) * 180) / Math.PI;
    warnings.push({
      code: 'GANTRY_TILT',
      message:
        `Sheared stack (gantry tilt): slice positions move about ${angle.toFixed(1)} degrees off the slice normal ` +
        `(up to ${fmt(maxDrift)} mm in-plane); each slice is shifted back onto a grid perpendicular to the slices.`,
    });
  }

  const extent = d[d.length - 1]! - d[0]!;
  if (!sheared && gaps.missing === 0 && !gaps.nonUniform) {
    return {
      order: kept,
      dimensions: [first.columns, first.rows, kept.length],
      spacing: [spacingIJ[0], spacingIJ[1], extent / (kept.length - 1)],
      origin: [...p0],
      direction,
      warnings,
      regular: true,
      sliceOffsets: d.map((v) => v - d[0]!),
      inPlaneOffsets: offsets.map(() => [0, 0]),
    };
  }

  // 8. Resampled grid: perpendicular to the slices, the typical step (the smallest when spacing
  // is irregular, so no slice is skipped), spanning exactly the first to the last slice.
  let step = gaps.nonUniform ? gaps.minGap : gaps.typical;
  step = Math.max(step, extent / (MAX_RESAMPLE_FACTOR * kept.length - 1));
  const count = Math.min(Math.round(extent / step) + 1, MAX_DIMENSION);
  const kStep = extent / (count - 1);
  // Centre the in-plane window on the drifting stack so padding is shared by both ends.
  const us = offsets.map((o) => o[0]);
  const vs = offsets.map((o) => o[1]);
  const uc = sheared ? (minOf(us) + maxOf(us)) / 2 : 0;
  const vc = sheared ? (minOf(vs) + maxOf(vs)) / 2 : 0;
  const origin: Vec3 = [
    p0[0] + uc * plane.row[0] + vc * plane.col[0],
    p0[1] + uc * plane.row[1] + vc * plane.col[1],
    p0[2] + uc * plane.row[2] + vc * plane.col[2],
  ];
  warnings.push({
    code: 'RESAMPLED',
    message: `Resampled onto a regular grid of ${count} slices ${fmt(kStep)} mm apart (trilinear: bilinear in-plane, linear between slices).`,
  });
  return {
    order: kept,
    dimensions: [first.columns, first.rows, count],
    spacing: [spacingIJ[0], spacingIJ[1], kStep],
    origin,
    direction,
    warnings,
    regular: false,
    sliceOffsets: d.map((v) => v - d[0]!),
    inPlaneOffsets: sheared ? offsets.map(([u, v]) => [u - uc, v - vc]) : offsets.map(() => [0, 0]),
  };
}

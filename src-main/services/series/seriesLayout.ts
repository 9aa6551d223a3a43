// Which frames a series shows and how: a 'volume' (slices of one grid in patient space, ordered by
// position) or 'images' (projection radiographs, ultrasound, photos, single images, cine loops:
// listed in instance-number then frame order, no slice-position arithmetic and so no volume warnings).
import { MAX_VOLUME_VOXELS } from '../../../src-shared/dicom/volume/assembleVolume';
import type { FrameRef } from '../../../src-shared/dicom/volume/frameGeometry';
import { computeSeriesGeometry, planeOf, type SeriesGeometry } from '../../../src-shared/dicom/volume/seriesGeometry';
import type { Vec3, Volume, VolumeWarning } from '../../../src-shared/dicom/types';
import { AppError } from '../../../src-shared/errors';

/** Modalities whose images are 2D pictures, never slices of a volume. */
export const IMAGE_MODALITIES: ReadonlySet<string> = new Set(['CR', 'DX', 'MG', 'IO', 'XA', 'RF', 'US', 'SC', 'OT', 'ES', 'XC', 'PX']);

export interface SeriesLayout {
  kind: 'volume' | 'images';
  /** Display order: slice k is frames[order[k]]. */
  order: number[];
  dimensions: Vec3;
  /** Volumes: the geometry's. Images: [1, 1, 1] until the calibration fills it in. */
  spacing: Vec3;
  origin: Vec3;
  direction: Volume['direction'];
  warnings: VolumeWarning[];
  /** Volumes only: the geometry (assembleVolume resamples it when not regular). */
  geometry: SeriesGeometry | null;
}

const IDENTITY: Volume['direction'] = [1, 0, 0, 0, 1, 0, 0, 0, 1];

function located(f: FrameRef): boolean {
  return f.position !== null && f.position.every(Number.isFinite) && f.orientation !== null && planeOf(f.orientation) !== null;
}

function validSize(f: FrameRef): boolean {
  return Number.isInteger(f.rows) && Number.isInteger(f.columns) && f.rows > 0 && f.columns > 0;
}

/** Frames in the order given (instance number, then frame), only those of the most common size. */
export function imagesLayout(frames: FrameRef[]): SeriesLayout {
  const bySize = new Map<string, number[]>();
  frames.forEach((f, i) => {
    if (!validSize(f)) return;
    const key = `${f.columns}x${f.rows}`;
    const list = bySize.get(key) ?? [];
    list.push(i);
    bySize.set(key, list);
  });
  let order: number[] = [];
  for (const list of bySize.values()) if (list.length > order.length) order = list;
  if (order.length === 0) throw new AppError('VOLUME_ASSEMBLY', 'No image of the series has a valid size.');
  const first = frames[order[0]!]!;
  const warnings: VolumeWarning[] = [];
  const left = frames.length - order.length;
  if (left > 0) {
    warnings.push({
      code: 'MIXED_SIZES',
      message: `${left} image(s) of other sizes are left out: the series shows its ${order.length} image(s) of ${first.columns}x${first.rows}.`,
    });
  }
  return { kind: 'images', order, dimensions: [first.columns, first.rows, order.length], spacing: [1, 1, 1], origin: [0, 0, 0], direction: IDENTITY, warnings, geometry: null };
}

/** A volume where the frames make one (a stack of two or more positions), else images. */
export function layoutSeries(modality: string, frames: FrameRef[]): SeriesLayout {
  if (frames.length === 0) throw new AppError('VOLUME_ASSEMBLY', 'The series has no frames.');
  if (IMAGE_MODALITIES.has(modality.toUpperCase()) || !frames.some(located)) return imagesLayout(frames);
  const geometry = computeSeriesGeometry(frames);
  if (geometry.dimensions[2] <= 1) return imagesLayout(frames);
  return {
    kind: 'volume',
    order: geometry.order,
    dimensions: geometry.dimensions,
    spacing: geometry.spacing,
    origin: geometry.origin,
    direction: geometry.direction,
    warnings: [...geometry.warnings],
    geometry,
  };
}

/** Refuses, before any decode, what cannot be served: absurd sizes, frames off the grid. */
export function checkServable(layout: SeriesLayout, frames: FrameRef[]): void {
  const [nx, ny, nz] = layout.dimensions;
  const total = nx * ny * nz;
  if (![nx, ny, nz].every((v) => Number.isInteger(v) && v > 0) || !Number.isSafeInteger(total)) {
    throw new AppError('VOLUME_ASSEMBLY', 'Invalid series dimensions.');
  }
  if (total > MAX_VOLUME_VOXELS) {
    throw new AppError('DICOM_LIMIT_EXCEEDED', `A series of ${nx}x${ny}x${nz} pixels exceeds the limit of ${MAX_VOLUME_VOXELS}.`);
  }
  const regular = layout.geometry?.regular ?? true;
  if (layout.order.length === 0 || (regular && layout.order.length !== nz)) {
    throw new AppError('VOLUME_ASSEMBLY', 'Series layout and frame list disagree.');
  }
  for (const idx of layout.order) {
    const ref = frames[idx];
    if (!ref || ref.rows !== ny || ref.columns !== nx) throw new AppError('VOLUME_ASSEMBLY', `Frame ${idx} does not match the series' ${nx}x${ny} grid.`);
  }
}

// Test helper: the phantom series' grids, read from the files through the engine's own geometry code.
import path from 'node:path';
import type { SeriesView } from '../../../src-shared/ipc/contract';
import { PHANTOMS, filesIn, loadGeometry, loadVolume } from '../dicom/volume/seriesLoader';

export type Grid = Pick<SeriesView, 'dimensions' | 'spacing' | 'origin' | 'direction'>;

const cache = new Map<string, Grid>();

export function phantomGrid(folder: 'ct-axial' | 'ct-oblique' | 'mr-sagittal'): Grid {
  let g = cache.get(folder);
  if (!g) {
    const { dimensions, spacing, origin, direction } = loadGeometry(filesIn(path.join(PHANTOMS, folder))).geometry;
    g = { dimensions, spacing, origin, direction };
    cache.set(folder, g);
  }
  return g;
}

export function phantomVolume(folder: 'ct-axial' | 'ct-oblique' | 'mr-sagittal') {
  return loadVolume(filesIn(path.join(PHANTOMS, folder))).volume;
}

/** Phantom landmarks (GROUND_TRUTH.md), LPS mm. */
export const LEFT_MARKER: [number, number, number] = [62.5, -27.5, 47.5];
export const BODY_AXIS_AT = (z: number): [number, number, number] => [0, 0, z];
export const BEADS: [[number, number, number], [number, number, number]] = [[-25, 20, -20], [25, 20, -20]];
export const LESION: [number, number, number] = [20, -20, 10];

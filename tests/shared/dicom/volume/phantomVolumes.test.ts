// The phantoms' anatomy is defined in patient space (GROUND_TRUTH.md), so wherever a series'
// slices lie, the assembled volume must put the lesion, the beads and the left marker at the
// same LPS coordinates. Positions are measured from the voxel data, not from the headers.
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Vec3, Volume } from '../../../../src-shared/dicom/types';
import { indexToPatient, patientToIndex } from '../../../../src-shared/dicom/volume/volumeSpace';
import { PHANTOMS, filesIn, loadVolume } from './seriesLoader';

const LESION: Vec3 = [20, -20, 10];
const BEADS: [Vec3, Vec3] = [
  [-25, 20, -20],
  [25, 20, -20],
];
const MARKER_CENTRE: Vec3 = [62.5, -27.5, 47.5];

interface Box {
  lo: Vec3;
  hi: Vec3;
}
const around = (c: Vec3, r: number): Box => ({ lo: [c[0] - r, c[1] - r, c[2] - r], hi: [c[0] + r, c[1] + r, c[2] + r] });

/** Centroid (LPS) of the voxels inside `box` whose value passes `keep`. */
function centroid(v: Volume, box: Box, keep: (x: number) => boolean): { c: Vec3; count: number } {
  const lo: Vec3 = [Infinity, Infinity, Infinity];
  const hi: Vec3 = [-Infinity, -Infinity, -Infinity];
  for (const x of [box.lo[0], box.hi[0]])
    for (const y of [box.lo[1], box.hi[1]])
      for (const z of [box.lo[2], box.hi[2]]) {
        const ijk = patientToIndex(v, [x, y, z]);
        for (let a = 0; a < 3; a++) {
          lo[a] = Math.min(lo[a]!, ijk[a]!);
          hi[a] = Math.max(hi[a]!, ijk[a]!);
        }
      }
  const [nx, ny, nz] = v.dimensions;
  const clamp = (x: number, n: number) => Math.min(n - 1, Math.max(0, x));
  const sum: Vec3 = [0, 0, 0];
  let count = 0;
  for (let k = clamp(Math.floor(lo[2]), nz); k <= clamp(Math.ceil(hi[2]), nz); k++)
    for (let j = clamp(Math.floor(lo[1]), ny); j <= clamp(Math.ceil(hi[1]), ny); j++)
      for (let i = clamp(Math.floor(lo[0]), nx); i <= clamp(Math.ceil(hi[0]), nx); i++) {
        if (!keep(v.scalars[(k * ny + j) * nx + i]!)) continue;
        const p = indexToPatient(v, [i, j, k]);
        if (p.some((x, a) => x < box.lo[a]! || x > box.hi[a]!)) continue;
        sum[0] += p[0];
        sum[1] += p[1];
        sum[2] += p[2];
        count++;
      }
  return { c: [sum[0] / count, sum[1] / count, sum[2] / count], count };
}

/** A patient-space displacement in voxel units along i, j, k. */
function inVoxels(v: Volume, d: Vec3): Vec3 {
  const o = patientToIndex(v, [0, 0, 0]);
  const p = patientToIndex(v, d);
  return [p[0] - o[0], p[1] - o[1], p[2] - o[2]];
}

/** Half the extent of one voxel along a unit direction. */
function halfVoxelAlong(v: Volume, u: Vec3): number {
  const d = v.direction;
  let s = 0;
  for (let a = 0; a < 3; a++) s += Math.abs(u[0] * d[a]! + u[1] * d[3 + a]! + u[2] * d[6 + a]!) * v.spacing[a]!;
  return s / 2;
}

const dist = (a: Vec3, b: Vec3) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);

interface Case {
  folder: string;
  lesion: (x: number) => boolean;
  bead: (x: number) => boolean;
  marker: (x: number) => boolean;
  dimensions: Vec3;
  spacing: Vec3;
  origin: Vec3;
  direction: Volume['direction'];
  units: string;
}

const s20 = Math.sin((20 * Math.PI) / 180);
const c20 = Math.cos((20 * Math.PI) / 180);
const CASES: Case[] = [
  {
    folder: 'ct-axial',
    lesion: (x) => x > 150 && x < 400,
    bead: (x) => x > 1200,
    marker: (x) => x === 1000,
    dimensions: [256, 256, 80],
    spacing: [0.75, 0.75, 2],
    origin: [-95.625, -95.625, -79],
    direction: [1, 0, 0, 0, 1, 0, 0, 0, 1],
    units: 'HU',
  },
  {
    folder: 'ct-oblique',
    lesion: (x) => x > 150 && x < 400,
    bead: (x) => x > 1200,
    marker: (x) => x === 1000,
    dimensions: [256, 256, 80],
    spacing: [0.75, 0.75, 2],
    // first = -95.625 row - 95.625 col - 79 normal (make_phantoms.py)
    origin: [-95.625, -95.625 * c20 - 79 * s20, 95.625 * s20 - 79 * c20],
    direction: [1, 0, 0, 0, c20, s20, 0, -s20, c20],
    units: 'HU',
  },
  {
    folder: 'mr-sagittal',
    lesion: (x) => x > 1400 && x < 1800,
    bead: (x) => x > 1800,
    marker: (x) => x === 1200,
    dimensions: [200, 200, 64],
    spacing: [0.8, 0.8, 3],
    // The normal (row x col) points to patient Right, so the stack starts at the leftmost slice.
    origin: [94.5, -80, 80],
    direction: [0, 0, -1, 1, 0, 0, 0, -1, 0],
    units: '',
  },
];

describe.each(CASES)('phantom $folder', (c) => {
  let v: Volume;
  beforeAll(() => {
    v = loadVolume(filesIn(path.join(PHANTOMS, c.folder))).volume;
  });

  it('has the ground-truth grid, no warnings, and Int16 HU-exact scalars', () => {
    expect(v.warnings).toEqual([]);
    expect(v.dimensions).toEqual(c.dimensions);
    v.spacing.forEach((s, a) => expect(s).toBeCloseTo(c.spacing[a]!, 4));
    v.origin.forEach((o, a) => expect(o).toBeCloseTo(c.origin[a]!, 3));
    v.direction.forEach((d, a) => expect(d).toBeCloseTo(c.direction[a]!, 5));
    expect(v.units).toBe(c.units);
    // Memory: exactly one Int16 per voxel.
    expect(v.scalars).toBeInstanceOf(Int16Array);
    expect(v.scalars.byteLength).toBe(c.dimensions[0] * c.dimensions[1] * c.dimensions[2] * 2);
  });

  it('puts the lesion centre at LPS (20, -20, 10) within half a voxel', () => {
    const { c: lesion, count } = centroid(v, around(LESION, 15), c.lesion);
    expect(count).toBeGreaterThan(100);
    for (const d of inVoxels(v, [lesion[0] - LESION[0], lesion[1] - LESION[1], lesion[2] - LESION[2]])) expect(Math.abs(d)).toBeLessThanOrEqual(0.5);
  });

  it('puts the beads 50.0 mm apart within half a voxel, each where it belongs', () => {
    const found = BEADS.map((b) => {
      const r = centroid(v, around(b, 6), c.bead);
      expect(r.count).toBeGreaterThan(0);
      for (const d of inVoxels(v, [r.c[0] - b[0], r.c[1] - b[1], r.c[2] - b[2]])) expect(Math.abs(d)).toBeLessThanOrEqual(0.5);
      return r.c;
    });
    const [a, b] = found as [Vec3, Vec3];
    const d = dist(a, b);
    const u: Vec3 = [(b[0] - a[0]) / d, (b[1] - a[1]) / d, (b[2] - a[2]) / d];
    expect(Math.abs(d - 50)).toBeLessThanOrEqual(halfVoxelAlong(v, u));
  });

  it('shows the left marker on the patient-Left side (+x)', () => {
    const all: Box = { lo: [-1e3, -1e3, -1e3], hi: [1e3, 1e3, 1e3] };
    const { c: m, count } = centroid(v, all, c.marker);
    expect(count).toBeGreaterThan(50);
    expect(m[0]).toBeGreaterThan(40);
    for (const d of inVoxels(v, [m[0] - MARKER_CENTRE[0], m[1] - MARKER_CENTRE[1], m[2] - MARKER_CENTRE[2]])) expect(Math.abs(d)).toBeLessThanOrEqual(1);
  });
});

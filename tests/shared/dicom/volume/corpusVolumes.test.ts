// Real series from the corpus (MANIFEST.md "Key multi-slice series", dicom2nifti's broken
// volumes, enhanced multi-frame, the GE MPRAGE whose names do not sort) and a gantry-tilted
// phantom: each must assemble with the geometry pydicom + numpy compute independently at test
// time, and with exactly the warnings its defects call for.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Vec3, Volume } from '../../../../src-shared/dicom/types';
import type { SeriesGeometry } from '../../../../src-shared/dicom/volume/seriesGeometry';
import { indexToPatient, patientToIndex } from '../../../../src-shared/dicom/volume/volumeSpace';
import { CORPUS, PHANTOMS, SHARED_DATA, filesIn, loadGeometry, loadVolume, nativeValues, type LoadedSeries } from './seriesLoader';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PYTHON = '/usr/bin/python3';

interface RefFrame {
  key: string;
  frame: number;
  rows: number;
  columns: number;
  ipp: number[] | null;
  iop: number[] | null;
  ps: number[] | null;
}
interface RefGrid {
  row: Vec3;
  col: Vec3;
  normal: Vec3;
  first: Vec3;
  positions: number;
  median_gap: number | null;
  extent: number;
  ps: [number, number];
  rows: number;
  columns: number;
  tilt_degrees: number;
}
type Reference = Record<string, { frames: RefFrame[]; grid: RefGrid | null }>;

interface Case {
  name: string;
  paths: () => string[];
  warnings: string[];
  /** Uncompressed 16-bit: assemble and check voxel values against the source slices. */
  assemble?: boolean;
}

const c = (...p: string[]) => path.join(CORPUS, ...p);
const dir = (...p: string[]) => () => filesIn(c(...p));
const d2n = (...p: string[]) => dir('icometrix-dicom2nifti', ...p);

const CASES: Case[] = [
  { name: 'GE 3D MPRAGE, 130 slices, names do not sort', paths: dir('dcm_qa_ge/In/05_3D_Ax_T1_MP_RAGE_R22'), warnings: [], assemble: true },
  { name: 'dcm4che MR01-16 coronal', paths: dir('dcm4che/assembly-testdata-MR'), warnings: [], assemble: true },
  { name: 'pydicom CT5N', paths: dir('debian-python3-pydicom/test_files/dicomdirtests/98892001/CT5N'), warnings: [] },
  { name: 'dwv bbmri sagittal oblique, 9 mm', paths: () => filesIn(c('dwv'), (n) => /^bbmri-\d+\.dcm$/.test(n)), warnings: [] },
  { name: 'hitachi sagittal oblique (implicit VR)', paths: d2n('hitachi/001'), warnings: [] },
  { name: 'dicom2nifti anatomical 001', paths: d2n('generic/anatomical/001'), warnings: [], assemble: true },
  { name: 'dicom2nifti non-isotropic', paths: d2n('generic/anatomical/002_non_isotropic'), warnings: [] },
  { name: 'dicom2nifti J2K sagittal', paths: d2n('generic/compressed_j2k/001'), warnings: [] },
  { name: 'failing/slicecount: two slices', paths: d2n('failing/slicecount/001'), warnings: [] },
  { name: 'failing/notavolume: one position four times', paths: d2n('failing/notavolume/001'), warnings: ['DUPLICATE_POSITIONS', 'SINGLE_SLICE'] },
  { name: 'failing/sliceincrement/001: a missing slice', paths: d2n('failing/sliceincrement/001'), warnings: ['MISSING_SLICES', 'RESAMPLED'], assemble: true },
  {
    name: 'failing/sliceincrement/002: tilted CT (sheared) with a missing slice',
    paths: d2n('failing/sliceincrement/002'),
    warnings: ['GANTRY_TILT', 'MISSING_SLICES', 'RESAMPLED'],
    assemble: true,
  },
  { name: 'failing/sliceorientation: two orientations', paths: d2n('failing/sliceorientation/001'), warnings: ['MIXED_ORIENTATION'] },
  { name: 'pydicom MR700 radial slices', paths: dir('debian-python3-pydicom/test_files/dicomdirtests/98892003/MR700'), warnings: ['MIXED_ORIENTATION', 'SINGLE_SLICE'] },
  { name: 'dcm_qa_ts: one slice in nine syntaxes', paths: dir('dcm_qa_ts/In'), warnings: ['DUPLICATE_POSITIONS', 'SINGLE_SLICE'] },
  { name: 'enhanced MR Siemens XA10, 4 files x 6 frames at the same 6 positions', paths: dir('dcm_qa_enh/In/Siemens/XA10'), warnings: ['DUPLICATE_POSITIONS'], assemble: true },
  { name: 'enhanced MR Siemens multiframe', paths: () => [c('icometrix-dicom2nifti/siemens_multiframe/anatomical/001/IM-0001-0001-0001.dcm')], warnings: [], assemble: true },
  { name: 'enhanced MR Philips', paths: () => [c('icometrix-dicom2nifti/philips_enhanced/anatomical/001/IM-0001-0170-0001.dcm')], warnings: [] },
  { name: 'enhanced CT (shared orientation)', paths: () => [c('pydicom-data/eCT_Supplemental.dcm')], warnings: [] },
  { name: 'enhanced MR Bruker (shared orientation, non-square pixels)', paths: () => [c('fo-dicom/mr_brucker.dcm')], warnings: [] },
  { name: 'RT dose frames by GridFrameOffsetVector', paths: () => [c('debian-python3-pydicom/test_files/rtdose.dcm')], warnings: [] },
  { name: 'enhanced MR without any plane geometry', paths: () => [c('pydicom-data/emri_small.dcm')], warnings: ['NO_GEOMETRY'] },
  { name: 'NM tomo without position', paths: () => [c('dcm4che/test-data/NM-MONO2-16-13x-heart')], warnings: ['NO_GEOMETRY'] },
];

function runReference(series: Record<string, string[]>): Reference {
  const r = spawnSync(PYTHON, [path.join(HERE, 'pydicomGeometry.py')], { input: JSON.stringify({ series }), maxBuffer: 64 << 20, encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`reference (pydicom) failed: ${r.error?.message ?? r.stderr}`);
  return JSON.parse(r.stdout) as Reference;
}

const codes = (g: { warnings: { code: string }[] }) => g.warnings.map((w) => w.code).sort();
const column = (g: Pick<SeriesGeometry, 'direction'>, a: number): Vec3 => [g.direction[a]!, g.direction[3 + a]!, g.direction[6 + a]!];
const dot = (a: Vec3, b: Vec3) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];

function expectVec(actual: readonly number[], expected: readonly number[], digits: number): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, digits));
}

/** Bilinear value of a source frame at a patient point that lies in its plane. */
function sourceValueAt(values: Float32Array, f: { rows: number; columns: number; position: Vec3; row: Vec3; col: Vec3; ps: [number, number] }, p: Vec3): number | null {
  const r: Vec3 = [p[0] - f.position[0], p[1] - f.position[1], p[2] - f.position[2]];
  const x = dot(r, f.row) / f.ps[1];
  const y = dot(r, f.col) / f.ps[0];
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  if (x0 < 0 || y0 < 0 || x0 + 1 >= f.columns || y0 + 1 >= f.rows) return null;
  const fx = x - x0;
  const fy = y - y0;
  const v = (i: number, j: number) => values[j * f.columns + i]!;
  return (v(x0, y0) * (1 - fx) + v(x0 + 1, y0) * fx) * (1 - fy) + (v(x0, y0 + 1) * (1 - fx) + v(x0 + 1, y0 + 1) * fx) * fy;
}

/**
 * Every source slice that falls on a grid plane must reappear there, each voxel holding the
 * source's value at that voxel's patient position (shifted back for a sheared stack).
 */
function checkVoxelsAgainstSources(loaded: LoadedSeries, v: Volume): number {
  const { frames, geometry, files } = loaded;
  const kStep = v.spacing[2];
  let compared = 0;
  const bad: string[] = [];
  geometry.order.forEach((idx, s) => {
    const k = geometry.sliceOffsets[s]! / kStep;
    if (Math.abs(k - Math.round(k)) > 1e-3) return;
    const f = frames[idx]!;
    const o = f.orientation!;
    const { file, meta } = files.get(f.key)!;
    const values = nativeValues(file, meta, f.frameIndex);
    const src = { rows: f.rows, columns: f.columns, position: f.position!, row: [o[0], o[1], o[2]] as Vec3, col: [o[3], o[4], o[5]] as Vec3, ps: f.pixelSpacing! };
    const [nx, ny] = v.dimensions;
    for (let j = 0; j < ny; j += 7)
      for (let i = 0; i < nx; i += 5) {
        const expected = sourceValueAt(values, src, indexToPatient(v, [i, j, Math.round(k)]));
        if (expected === null) continue;
        const got = v.scalars[(Math.round(k) * ny + j) * nx + i]!;
        // Int16 output rounds interpolated values; the tolerance covers that plus float noise in positions.
        const tol = v.scalars instanceof Int16Array ? 0.51 + 1e-3 * Math.abs(expected) : 1e-3 * Math.max(1, Math.abs(expected));
        if (Math.abs(got - expected) > tol) bad.push(`k=${Math.round(k)} i=${i} j=${j}: ${got} vs ${expected.toFixed(2)}`);
        compared++;
      }
  });
  expect(bad.slice(0, 5)).toEqual([]);
  return compared;
}

describe('corpus series -> volume geometry (reference: pydicom + numpy)', () => {
  let ref: Reference;
  const paths = new Map<string, string[]>();

  beforeAll(() => {
    for (const cs of CASES) paths.set(cs.name, cs.paths());
    ref = runReference(Object.fromEntries(paths));
  });

  it.each(CASES)('$name', (cs) => {
    const loaded = loadGeometry(paths.get(cs.name)!);
    const { frames, geometry: g } = loaded;
    const r = ref[cs.name]!;

    // Per-frame geometry, incl. enhanced functional groups, equals pydicom's reading.
    expect(frames.length).toBe(r.frames.length);
    for (const rf of r.frames) {
      const f = frames.find((x) => x.key === rf.key && x.frameIndex === rf.frame)!;
      expect(f).toBeDefined();
      expect([f.rows, f.columns]).toEqual([rf.rows, rf.columns]);
      if (rf.ipp) expectVec(f.position!, rf.ipp, 4);
      else expect(f.position).toBeNull();
      if (rf.iop) expectVec(f.orientation!, rf.iop, 6);
      if (rf.ps) expectVec(f.pixelSpacing!, rf.ps, 6);
    }

    expect(codes(g)).toEqual(cs.warnings);
    const grid = r.grid;
    if (!grid) {
      expect(codes(g)).toContain('NO_GEOMETRY');
      return;
    }
    // Grid axes: row direction, column direction, row x column.
    expectVec(column(g, 0), grid.row, 5);
    expectVec(column(g, 1), grid.col, 5);
    expectVec(column(g, 2), grid.normal, 5);
    expect(g.dimensions.slice(0, 2)).toEqual([grid.columns, grid.rows]);
    expect(g.spacing[0]).toBeCloseTo(grid.ps[1], 6);
    expect(g.spacing[1]).toBeCloseTo(grid.ps[0], 6);

    if (grid.positions === 1) {
      expect(g.dimensions[2]).toBe(1);
      expectVec(g.origin, grid.first, 4);
      return;
    }
    const sheared = cs.warnings.includes('GANTRY_TILT');
    const missing = cs.warnings.includes('MISSING_SLICES');
    const slices = missing ? Math.round(grid.extent / grid.median_gap!) + 1 : grid.positions;
    expect(g.dimensions[2]).toBe(slices);
    expect(g.spacing[2]).toBeCloseTo(grid.extent / (slices - 1), 4);
    if (missing) expect(g.spacing[2]).toBeCloseTo(grid.median_gap!, 2);
    if (!sheared) {
      expect(grid.tilt_degrees).toBeLessThan(0.5);
      expectVec(g.origin, grid.first, 4);
    } else {
      // The grid starts in the first slice's plane, perpendicular to the slices.
      const off: Vec3 = [g.origin[0] - grid.first[0], g.origin[1] - grid.first[1], g.origin[2] - grid.first[2]];
      expect(dot(off, grid.normal)).toBeCloseTo(0, 4);
      const angle = Number(/about ([\d.]+) degrees/.exec(g.warnings.find((w) => w.code === 'GANTRY_TILT')!.message)![1]);
      expect(angle).toBeCloseTo(grid.tilt_degrees, 1);
    }

    if (cs.assemble) {
      const { volume } = loadVolume(paths.get(cs.name)!);
      expect(volume.warnings).toEqual(g.warnings);
      expect(volume.scalars.length).toBe(g.dimensions[0] * g.dimensions[1] * g.dimensions[2]);
      expect(checkVoxelsAgainstSources(loadGeometry(paths.get(cs.name)!), volume)).toBeGreaterThan(100);
    }
  });

  it("places dicom2nifti's anatomical/001 where its ground-truth NIfTI does", () => {
    const { geometry: g } = loadGeometry(paths.get('dicom2nifti anatomical 001')!);
    const nii = gunzipSync(readFileSync(c('icometrix-dicom2nifti/generic/anatomical/001_ground_truth.nii.gz')));
    const dims = [1, 2, 3].map((i) => nii.readInt16LE(40 + 2 * i));
    expect(nii.readInt16LE(254)).toBeGreaterThan(0); // sform_code: srow_* hold the affine
    const srow = Array.from({ length: 12 }, (_, i) => nii.readFloatLE(280 + 4 * i));
    const corners = (n: number[], map: (ijk: Vec3) => Vec3) => {
      const out: string[] = [];
      for (const i of [0, n[0]! - 1]) for (const j of [0, n[1]! - 1]) for (const k of [0, n[2]! - 1]) out.push(map([i, j, k]).map((x) => x.toFixed(1)).join(','));
      return out.sort();
    };
    // NIfTI is RAS; LPS = (-x, -y, z).
    const niiLps = (ijk: Vec3): Vec3 => {
      const ras = [0, 1, 2].map((r) => srow[4 * r]! * ijk[0] + srow[4 * r + 1]! * ijk[1] + srow[4 * r + 2]! * ijk[2] + srow[4 * r + 3]!);
      return [-ras[0]!, -ras[1]!, ras[2]!];
    };
    expect([...g.dimensions].sort()).toEqual([...dims].sort());
    expect(corners(g.dimensions, (ijk) => indexToPatient(g, ijk))).toEqual(corners(dims, niiLps));
  });
});

describe('gantry-tilted phantom (sheared stack made from the ground-truth anatomy)', () => {
  let out: string;
  let v: Volume;

  beforeAll(() => {
    out = mkdtempSync(path.join(tmpdir(), 'enclave-tilt-'));
    const tools = path.join(SHARED_DATA, '..', 'tools');
    if (!existsSync(path.join(tools, 'make_phantoms.py'))) throw new Error(`phantom tool missing at ${tools}`);
    const template = filesIn(path.join(PHANTOMS, 'ct-oblique'))[0]!;
    const r = spawnSync(PYTHON, [path.join(HERE, 'makeTiltedPhantom.py'), tools, template, out], { encoding: 'utf8' });
    if (r.error || r.status !== 0) throw new Error(`makeTiltedPhantom.py failed: ${r.error?.message ?? r.stderr}`);
    v = loadVolume(filesIn(out)).volume;
  });
  afterAll(() => {
    if (out) rmSync(out, { recursive: true, force: true });
  });

  it('reports a 20 degree gantry tilt and resamples perpendicular to the slices', () => {
    expect(codes(v)).toEqual(['GANTRY_TILT', 'RESAMPLED']);
    expect(v.warnings.find((w) => w.code === 'GANTRY_TILT')!.message).toMatch(/about 20\.0 degrees/);
    const s = Math.sin((20 * Math.PI) / 180);
    const co = Math.cos((20 * Math.PI) / 180);
    expectVec(v.direction, [1, 0, 0, 0, co, s, 0, -s, co], 5);
    expect(v.spacing[2]).toBeCloseTo(2 * co, 3);
    expect(v.scalars).toBeInstanceOf(Int16Array);
  });

  it('puts the lesion at (20, -20, 10) and the beads 50 mm apart within half a voxel', () => {
    const centroid = (centre: Vec3, r: number, keep: (x: number) => boolean): Vec3 => {
      const sum: Vec3 = [0, 0, 0];
      let n = 0;
      const [nx, ny, nz] = v.dimensions;
      const ctr = patientToIndex(v, centre);
      const span = [r / v.spacing[0], r / v.spacing[1], r / v.spacing[2]];
      for (let k = Math.max(0, Math.floor(ctr[2] - span[2]!)); k <= Math.min(nz - 1, Math.ceil(ctr[2] + span[2]!)); k++)
        for (let j = Math.max(0, Math.floor(ctr[1] - span[1]!)); j <= Math.min(ny - 1, Math.ceil(ctr[1] + span[1]!)); j++)
          for (let i = Math.max(0, Math.floor(ctr[0] - span[0]!)); i <= Math.min(nx - 1, Math.ceil(ctr[0] + span[0]!)); i++) {
            if (!keep(v.scalars[(k * ny + j) * nx + i]!)) continue;
            const p = indexToPatient(v, [i, j, k]);
            if (Math.hypot(p[0] - centre[0], p[1] - centre[1], p[2] - centre[2]) > r) continue;
            sum[0] += p[0];
            sum[1] += p[1];
            sum[2] += p[2];
            n++;
          }
      expect(n).toBeGreaterThan(0);
      return [sum[0] / n, sum[1] / n, sum[2] / n];
    };
    const inVoxels = (d: Vec3) => {
      const o = patientToIndex(v, [0, 0, 0]);
      const p = patientToIndex(v, d);
      return [p[0] - o[0], p[1] - o[1], p[2] - o[2]];
    };
    // Interpolated HU: threshold halfway between lesion (200) and body (40).
    const lesion = centroid([20, -20, 10], 14, (x) => x > 120 && x < 500);
    for (const d of inVoxels([lesion[0] - 20, lesion[1] + 20, lesion[2] - 10])) expect(Math.abs(d)).toBeLessThanOrEqual(0.5);
    const a = centroid([-25, 20, -20], 5, (x) => x > 770);
    const b = centroid([25, 20, -20], 5, (x) => x > 770);
    const dist = Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
    expect(Math.abs(dist - 50)).toBeLessThanOrEqual(v.spacing[0] / 2);
    for (const [found, truth] of [[a, [-25, 20, -20]], [b, [25, 20, -20]]] as [Vec3, Vec3][]) {
      for (const d of inVoxels([found[0] - truth[0], found[1] - truth[1], found[2] - truth[2]])) expect(Math.abs(d)).toBeLessThanOrEqual(0.5);
    }
  });
});

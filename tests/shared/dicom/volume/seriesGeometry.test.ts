// Geometry rules on synthetic stacks whose truth is known exactly: every frame samples one
// linear field f(x, y, z) in patient space, which trilinear resampling must reproduce exactly,
// so any voxel's value tells where in patient space the assembler put it.
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../../src-shared/errors';
import type { Vec3, Volume } from '../../../../src-shared/dicom/types';
import type { FrameRef } from '../../../../src-shared/dicom/volume/frameRef';
import { computeSeriesGeometry } from '../../../../src-shared/dicom/volume/seriesGeometry';
import { assembleVolume, assembleVolumeAsync } from '../../../../src-shared/dicom/volume/assembleVolume';
import { indexToPatient } from '../../../../src-shared/dicom/volume/volumeSpace';

const field = (p: Vec3) => 3 * p[0] - 2 * p[1] + 5 * p[2] + 7.25;

interface StackSpec {
  rows?: number;
  cols?: number;
  ps?: [number, number];
  row?: Vec3;
  col?: Vec3;
  positions: Vec3[];
}

function stack(s: StackSpec): FrameRef[] {
  const row = s.row ?? [1, 0, 0];
  const col = s.col ?? [0, 1, 0];
  return s.positions.map((position, i) => ({
    key: `f${i}`,
    frameIndex: 0,
    rows: s.rows ?? 32,
    columns: s.cols ?? 32,
    position,
    orientation: [...row, ...col] as FrameRef['orientation'],
    pixelSpacing: s.ps ?? [1, 1],
    sliceThickness: 2,
  }));
}

/** The field sampled at every pixel centre of the frame, as a scanner would have stored it. */
function sample(f: FrameRef, fn: (p: Vec3) => number = field): Float32Array {
  const o = f.orientation!;
  const [rs, cs] = f.pixelSpacing!;
  const out = new Float32Array(f.rows * f.columns);
  for (let r = 0; r < f.rows; r++)
    for (let c = 0; c < f.columns; c++) {
      const p = f.position!;
      out[r * f.columns + c] = fn([
        p[0] + c * cs * o[0] + r * rs * o[3],
        p[1] + c * cs * o[1] + r * rs * o[4],
        p[2] + c * cs * o[2] + r * rs * o[5],
      ]);
    }
  return out;
}

function build(frames: FrameRef[], fn?: (p: Vec3) => number): { volume: Volume; calls: number[] } {
  const geometry = computeSeriesGeometry(frames);
  const calls = frames.map(() => 0);
  const volume = assembleVolume(
    geometry,
    frames,
    (i) => {
      calls[i]!++;
      return sample(frames[i]!, fn);
    },
    'test',
  );
  return { volume, calls };
}

function at(v: Volume, i: number, j: number, k: number): number {
  return v.scalars[(k * v.dimensions[1] + j) * v.dimensions[0] + i]!;
}

const codes = (v: { warnings: { code: string }[] }) => v.warnings.map((w) => w.code).sort();
const zs = (list: number[]): Vec3[] => list.map((z) => [-10, -12, z]);

function shuffle<T>(a: T[], seed = 7): T[] {
  const out = [...a];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('computeSeriesGeometry + assembleVolume on synthetic stacks', () => {
  it('sorts by position along the normal, not by the order given', () => {
    const frames = stack({ positions: shuffle(zs([0, 2, 4, 6, 8, 10, 12, 14])) });
    const g = computeSeriesGeometry(frames);
    expect(g.regular).toBe(true);
    expect(g.warnings).toEqual([]);
    expect(g.order.map((i) => frames[i]!.position![2])).toEqual([0, 2, 4, 6, 8, 10, 12, 14]);
    expect(g.dimensions).toEqual([32, 32, 8]);
    expect(g.spacing).toEqual([1, 1, 2]);
    expect(g.origin).toEqual([-10, -12, 0]);
    expect(g.direction).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    const { volume, calls } = build(frames);
    expect(calls.every((c) => c === 1)).toBe(true);
    for (const [i, j, k] of [[0, 0, 0], [31, 5, 7], [12, 30, 3]] as Vec3[]) {
      expect(at(volume, i, j, k)).toBeCloseTo(field(indexToPatient(volume, [i, j, k])), 3);
    }
  });

  it('positions rounded to 2 decimals (0.625 mm slices) are still a regular stack with the true mean step', () => {
    const frames = stack({ positions: zs(Array.from({ length: 40 }, (_, k) => Math.round(k * 62.5) / 100)) });
    const g = computeSeriesGeometry(frames);
    expect(g.warnings).toEqual([]);
    expect(g.spacing[2]).toBeCloseTo(0.625, 3);
  });

  it('an oblique stack whose positions move along its own normal is regular, not sheared', () => {
    const t = (20 * Math.PI) / 180;
    const col: Vec3 = [0, Math.cos(t), -Math.sin(t)];
    const n: Vec3 = [0, Math.sin(t), Math.cos(t)];
    const positions = [0, 1, 2, 3, 4, 5].map((k): Vec3 => [-5, -5 + 2 * k * n[1], 3 + 2 * k * n[2]]);
    const frames = stack({ col, positions: shuffle(positions) });
    const g = computeSeriesGeometry(frames);
    expect(codes(g)).toEqual([]);
    expect(g.regular).toBe(true);
    expect(g.spacing[2]).toBeCloseTo(2, 9);
    expect(g.direction[2]).toBeCloseTo(n[0], 12);
    expect(g.direction[5]).toBeCloseTo(n[1], 12);
    expect(g.direction[8]).toBeCloseTo(n[2], 12);
    const { volume } = build(frames);
    expect(at(volume, 9, 17, 4)).toBeCloseTo(field(indexToPatient(volume, [9, 17, 4])), 3);
  });

  it('a tilted plane with positions moving along z is a sheared stack: GANTRY_TILT, resampled to the right place', () => {
    const t = (20 * Math.PI) / 180;
    const col: Vec3 = [0, Math.cos(t), -Math.sin(t)];
    const frames = stack({ col, positions: shuffle(zs([0, 2, 4, 6, 8, 10, 12, 14, 16, 18])) });
    const g = computeSeriesGeometry(frames);
    expect(codes(g)).toEqual(['GANTRY_TILT', 'RESAMPLED']);
    expect(g.warnings.find((w) => w.code === 'GANTRY_TILT')!.message).toMatch(/20\.0 degrees/);
    expect(g.regular).toBe(false);
    // Perpendicular to the slices, the step is the distance between planes: 2 cos 20.
    expect(g.spacing[2]).toBeCloseTo(2 * Math.cos(t), 6);
    expect(g.dimensions).toEqual([32, 32, 10]);
    const { volume, calls } = build(frames);
    expect(calls.every((c) => c === 1)).toBe(true);
    // Rows 8..23 are covered by every slice despite a drift of up to 6.2 mm along the column direction.
    let worst = 0;
    for (let k = 0; k < 10; k++)
      for (let j = 8; j < 24; j++)
        for (let i = 0; i < 32; i++) worst = Math.max(worst, Math.abs(at(volume, i, j, k) - field(indexToPatient(volume, [i, j, k]))));
    expect(worst).toBeLessThan(1e-3);
  });

  it('a stack sheared along both in-plane axes lands every covered voxel at its true position', () => {
    // Plane tilted about two axes, positions stepping 2 mm along z: drift along rows and columns.
    const a = (12 * Math.PI) / 180;
    const b = (9 * Math.PI) / 180;
    const row: Vec3 = [Math.cos(a), 0, Math.sin(a)];
    const col: Vec3 = [-Math.sin(a) * Math.sin(b), Math.cos(b), Math.cos(a) * Math.sin(b)];
    const frames = stack({ row, col, positions: shuffle(zs([0, 2, 4, 6, 8, 10, 12, 14])) });
    const g = computeSeriesGeometry(frames);
    expect(codes(g)).toEqual(['GANTRY_TILT', 'RESAMPLED']);
    const { volume } = build(frames);
    let worst = 0;
    for (let k = 0; k < volume.dimensions[2]; k++)
      for (let j = 4; j < 28; j++)
        for (let i = 4; i < 28; i++) worst = Math.max(worst, Math.abs(at(volume, i, j, k) - field(indexToPatient(volume, [i, j, k]))));
    expect(worst).toBeLessThan(1e-3);
  });

  it('a gap of two steps is a missing slice, filled by interpolation on the regular grid', () => {
    const frames = stack({ positions: shuffle(zs([0, 2, 4, 8, 10])) });
    const g = computeSeriesGeometry(frames);
    expect(codes(g)).toEqual(['MISSING_SLICES', 'RESAMPLED']);
    expect(g.dimensions[2]).toBe(6);
    expect(g.spacing[2]).toBeCloseTo(2, 9);
    const { volume } = build(frames);
    expect(at(volume, 4, 4, 3)).toBeCloseTo(field([-6, -8, 6]), 3);
  });

  it('when most of the grid would be invented, keeps the longest evenly spaced run instead', () => {
    const frames = stack({ positions: shuffle(zs([-99.5, 103, 104.25, 105.5])) });
    const g = computeSeriesGeometry(frames);
    expect(codes(g)).toEqual(['MISSING_SLICES']);
    expect(g.warnings[0]!.message).toMatch(/longest evenly spaced run of 3 slices/);
    expect(g.regular).toBe(true);
    expect(g.order.map((i) => frames[i]!.position![2])).toEqual([103, 104.25, 105.5]);
    expect(g.origin).toEqual([-10, -12, 103]);
    expect(g.spacing[2]).toBeCloseTo(1.25, 9);
  });

  it('irregular gaps are reported and resampled at the smallest gap', () => {
    const frames = stack({ positions: zs([0, 1, 2.5, 4, 5.5]) });
    const g = computeSeriesGeometry(frames);
    expect(codes(g)).toEqual(['NON_UNIFORM_SPACING', 'RESAMPLED']);
    expect(g.warnings[0]!.message).toMatch(/1 to 1\.5 mm/);
    expect(g.dimensions[2]).toBe(7);
    const { volume } = build(frames);
    for (let k = 0; k < 7; k++) expect(at(volume, 3, 3, k)).toBeCloseTo(field(indexToPatient(volume, [3, 3, k])), 3);
  });

  it('keeps the first frame at a repeated position and says so', () => {
    const positions = zs([0, 2, 4, 0, 2, 4]);
    const frames = stack({ positions });
    const g = computeSeriesGeometry(frames);
    expect(codes(g)).toEqual(['DUPLICATE_POSITIONS']);
    expect(g.order).toEqual([0, 1, 2]);
    expect(g.dimensions[2]).toBe(3);
  });

  it('uses one orientation when the series mixes them (the one spanning most positions)', () => {
    const axial = stack({ positions: zs([0, 2, 4, 6]) });
    const sagittal = stack({ row: [0, 1, 0], col: [0, 0, -1], positions: [[0, 0, 0], [2, 0, 0], [4, 0, 0], [6, 0, 0], [8, 0, 0]] });
    const frames = [...axial.slice(0, 2), ...sagittal, ...axial.slice(2)].map((f, i) => ({ ...f, key: `f${i}` }));
    const g = computeSeriesGeometry(frames);
    expect(codes(g)).toEqual(['MIXED_ORIENTATION']);
    // Normal = row x col = -x: sorted toward patient Right.
    expect(g.order).toEqual([6, 5, 4, 3, 2]);
    expect(g.direction).toEqual([0, 0, -1, 1, 0, 0, 0, -1, 0]);
  });

  it('leaves out frames of another size', () => {
    const frames = stack({ positions: zs([0, 2, 4, 6]) });
    frames.push({ ...frames[0]!, key: 'odd', rows: 16, columns: 16, position: [-10, -12, 8] });
    const g = computeSeriesGeometry(frames);
    expect(codes(g)).toEqual(['MIXED_SIZES']);
    expect(g.order).toEqual([0, 1, 2, 3]);
  });

  it('a single slice is a one-slice volume as thick as the slice', () => {
    const g = computeSeriesGeometry(stack({ positions: zs([5]) }));
    expect(codes(g)).toEqual(['SINGLE_SLICE']);
    expect(g.dimensions).toEqual([32, 32, 1]);
    expect(g.spacing[2]).toBe(2);
  });

  it('frames without positions stack in the given order with a NO_GEOMETRY warning', () => {
    const frames = stack({ positions: zs([0, 2, 4]) }).map((f) => ({ ...f, position: null }));
    const g = computeSeriesGeometry(frames);
    expect(codes(g)).toEqual(['NO_GEOMETRY']);
    expect(g.order).toEqual([0, 1, 2]);
  });

  it('refuses with a typed error when there is nothing to assemble', () => {
    expect(() => computeSeriesGeometry([])).toThrowError(AppError);
    try {
      computeSeriesGeometry([{ ...stack({ positions: zs([0]) })[0]!, rows: 0 }]);
      expect.unreachable();
    } catch (e) {
      expect((e as AppError).code).toBe('VOLUME_ASSEMBLY');
    }
  });

  it('stores integer data as Int16 and fractional data as Float32', () => {
    const frames = stack({ positions: zs([0, 2, 4]) });
    expect(build(frames, (p) => Math.round(field(p))).volume.scalars).toBeInstanceOf(Int16Array);
    expect(build(frames).volume.scalars).toBeInstanceOf(Float32Array);
    expect(build(frames, (p) => (p[2] < 4 ? 10 : 0.5)).volume.scalars).toBeInstanceOf(Float32Array);
    const big = build(frames, (p) => (p[2] < 4 ? 1 : 70000)).volume;
    expect(big.scalars).toBeInstanceOf(Float32Array);
    expect(at(big, 0, 0, 2)).toBe(70000);
  });

  it('rejects frames of the wrong length and volumes over the voxel limit with typed errors', () => {
    const frames = stack({ positions: zs([0, 2, 4]) });
    const g = computeSeriesGeometry(frames);
    expect(() => assembleVolume(g, frames, () => new Int16Array(5), 'HU')).toThrow(expect.objectContaining({ code: 'DICOM_PIXEL_MISMATCH' }));
    expect(() => assembleVolume(g, frames, () => new Int16Array(1024), 'HU', { maxVoxels: 1000 })).toThrow(
      expect.objectContaining({ code: 'DICOM_LIMIT_EXCEEDED' }),
    );
  });

  it('copes with a decoder that reuses one output array for every frame (regular and resampled)', () => {
    const t = (15 * Math.PI) / 180;
    for (const frames of [stack({ positions: zs([0, 2, 4, 6]) }), stack({ col: [0, Math.cos(t), -Math.sin(t)], positions: zs([0, 1, 2, 4, 5]) })]) {
      const reused = new Float32Array(32 * 32);
      const g = computeSeriesGeometry(frames);
      const v = assembleVolume(g, frames, (i) => {
        reused.set(sample(frames[i]!));
        return reused;
      }, 'test');
      expect(Array.from(v.scalars)).toEqual(Array.from(build(frames).volume.scalars));
    }
  });

  it('assembles the same volume from an asynchronous decoder, one frame at a time', async () => {
    const t = (15 * Math.PI) / 180;
    const frames = stack({ col: [0, Math.cos(t), -Math.sin(t)], positions: shuffle(zs([0, 1, 2, 4, 5, 6])) });
    const g = computeSeriesGeometry(frames);
    let inFlight = 0;
    let maxInFlight = 0;
    const asyncVolume = await assembleVolumeAsync(
      g,
      frames,
      async (i) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((r) => setTimeout(r, 1));
        inFlight--;
        return sample(frames[i]!);
      },
      'test',
    );
    expect(maxInFlight).toBe(1);
    expect(Array.from(asyncVolume.scalars)).toEqual(Array.from(build(frames).volume.scalars));
  });

  it('stays linear and typed on hostile stacks (every frame its own orientation, absurd gaps, NaN)', () => {
    const n = 20000;
    const frames: FrameRef[] = Array.from({ length: n }, (_, i) => {
      const a = (i * 0.37) % Math.PI;
      return {
        key: 'x',
        frameIndex: i,
        rows: 4,
        columns: 4,
        position: [0, 0, i % 7 === 0 ? NaN : i * 1e-3 + (i % 3) * 1e4],
        orientation: [Math.cos(a), Math.sin(a), 0, -Math.sin(a), Math.cos(a), 0],
        pixelSpacing: [1, 1],
      };
    });
    const g = computeSeriesGeometry(frames);
    expect(codes(g)).toContain('MIXED_ORIENTATION');
    const same = computeSeriesGeometry(frames.map((f) => ({ ...f, orientation: [1, 0, 0, 0, 1, 0] as FrameRef['orientation'] })));
    expect(same.dimensions[2]).toBeLessThanOrEqual(4 * n);
    expect(codes(same)).toEqual(['DUPLICATE_POSITIONS', 'MISSING_SLICES', 'NO_GEOMETRY']);
  });
});

// Fills a Volume's scalars from frames, one frame at a time: memory is the output array plus at
// most two source frames (and two float planes when resampling), never the whole series twice.
import { AppError } from '../../errors';
import type { Volume } from '../types';
import type { FrameRef } from './frameRef';
import type { SeriesGeometry } from './seriesGeometry';

export type FrameValues = Float32Array | Int16Array;

export interface AssembleOptions {
  /** Value for grid points that no slice covers (sheared stacks); default: the first slice's minimum (air). */
  fillValue?: number;
  /** Upper bound on output voxels; default MAX_VOLUME_VOXELS. */
  maxVoxels?: number;
}

/** 2^30 voxels: 2 GiB as Int16, 4 GiB as Float32; beyond that the app could not hold it anyway. */
export const MAX_VOLUME_VOXELS = 2 ** 30;

function fitsInt16(v: FrameValues): boolean {
  if (v instanceof Int16Array) return true;
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    // In range, `x | 0` is exact for integers only (and NaN fails the range test).
    if (!(x >= -32768 && x <= 32767) || (x | 0) !== x) return false;
  }
  return true;
}

/** A zeroed output array; an allocation the process cannot make is a typed limit error, not a RangeError. */
function allocate(length: number, int16: boolean): Int16Array | Float32Array {
  try {
    return int16 ? new Int16Array(length) : new Float32Array(length);
  } catch (e) {
    throw new AppError('DICOM_LIMIT_EXCEEDED', `Cannot allocate a volume of ${length} voxels.`, { cause: e });
  }
}

/** Output scalars: Int16 while every value seen is an integer in range (CT HU, most MR), else Float32. */
class ScalarSink {
  data: Int16Array | Float32Array;

  constructor(total: number, int16: boolean) {
    this.data = allocate(total, int16);
  }

  private promote(): void {
    // Rare (a float frame after integer ones): costs one extra copy of the output once.
    if (this.data instanceof Float32Array) return;
    const f = allocate(this.data.length, false) as Float32Array;
    f.set(this.data);
    this.data = f;
  }

  /** Exact values (no interpolation). */
  put(offset: number, values: FrameValues): void {
    const out = this.data;
    if (out instanceof Int16Array && values instanceof Float32Array) {
      // Check and copy in one pass; the first value that does not fit switches the output to float.
      for (let i = 0; i < values.length; i++) {
        const x = values[i]!;
        if (!(x >= -32768 && x <= 32767) || (x | 0) !== x) {
          this.promote();
          this.data.set(values, offset);
          return;
        }
        out[offset + i] = x;
      }
      return;
    }
    out.set(values, offset);
  }

  /** Interpolated values from sources that were all integer (integral) or not. */
  putInterpolated(offset: number, values: Float32Array, integral: boolean): void {
    if (this.data instanceof Int16Array && !integral) this.promote();
    const out = this.data;
    if (out instanceof Float32Array) {
      out.set(values, offset);
      return;
    }
    for (let i = 0; i < values.length; i++) {
      const r = Math.round(values[i]!);
      out[offset + i] = r < -32768 ? -32768 : r > 32767 ? 32767 : r;
    }
  }
}

function minOf(v: FrameValues): number {
  let m = Infinity;
  for (let i = 0; i < v.length; i++) if (v[i]! < m) m = v[i]!;
  return Number.isFinite(m) ? m : 0;
}

/** The frame shifted by (du, dv) pixels onto the grid, bilinear, `fill` where it does not reach; written into `out`. */
function shiftPlane(src: FrameValues, nx: number, ny: number, du: number, dv: number, fill: number, out: Float32Array): Float32Array {
  if (Math.abs(du) < 1e-6 && Math.abs(dv) < 1e-6) {
    out.set(src);
    return out;
  }
  // Grid pixel (i, j) reads source pixel (i - du, j - dv); the fractional part is the same everywhere.
  const x0 = Math.floor(-du);
  const fx = -du - x0;
  const y0 = Math.floor(-dv);
  const fy = -dv - y0;
  const at = (x: number, y: number): number => (x >= 0 && x < nx && y >= 0 && y < ny ? src[y * nx + x]! : fill);
  const edge = (i: number, j: number): number => {
    const x = i + x0;
    const y = j + y0;
    const top = at(x, y) * (1 - fx) + at(x + 1, y) * fx;
    const bottom = at(x, y + 1) * (1 - fx) + at(x + 1, y + 1) * fx;
    return top * (1 - fy) + bottom * fy;
  };
  // Columns whose two source neighbours both exist: the fast path without bounds checks.
  const iLo = Math.max(0, -x0);
  const iHi = Math.max(iLo, Math.min(nx, nx - 1 - x0));
  for (let j = 0; j < ny; j++) {
    const o = j * nx;
    const y = j + y0;
    if (y < 0 || y + 1 >= ny) {
      for (let i = 0; i < nx; i++) out[o + i] = edge(i, j);
      continue;
    }
    const a = y * nx + x0;
    const b = a + nx;
    for (let i = 0; i < iLo; i++) out[o + i] = edge(i, j);
    for (let i = iLo; i < iHi; i++) {
      const top = src[a + i]! + (src[a + i + 1]! - src[a + i]!) * fx;
      const bottom = src[b + i]! + (src[b + i + 1]! - src[b + i]!) * fx;
      out[o + i] = top + (bottom - top) * fy;
    }
    for (let i = iHi; i < nx; i++) out[o + i] = edge(i, j);
  }
  return out;
}

/**
 * The assembly as a generator: it yields the index (into frames) of the next frame it needs and is
 * resumed with that frame's modality values, so one core serves sync and async decoders and
 * never asks for a frame twice.
 */
function* assembly(geometry: SeriesGeometry, frames: FrameRef[], units: string, options: AssembleOptions): Generator<number, Volume, FrameValues> {
  const [nx, ny, nz] = geometry.dimensions;
  const plane = nx * ny;
  const total = plane * nz;
  const maxVoxels = options.maxVoxels ?? MAX_VOLUME_VOXELS;
  if (![nx, ny, nz].every((n) => Number.isInteger(n) && n > 0) || !Number.isSafeInteger(total)) {
    throw new AppError('VOLUME_ASSEMBLY', 'Invalid volume dimensions.');
  }
  if (total > maxVoxels) {
    throw new AppError('DICOM_LIMIT_EXCEEDED', `Volume of ${nx}x${ny}x${nz} voxels exceeds the limit of ${maxVoxels}.`);
  }
  const n = geometry.order.length;
  if (n === 0 || geometry.sliceOffsets.length !== n || geometry.inPlaneOffsets.length !== n || (geometry.regular && n !== nz)) {
    throw new AppError('VOLUME_ASSEMBLY', 'Series geometry and frame list disagree.');
  }
  for (const idx of geometry.order) {
    const ref = frames[idx];
    if (!ref || ref.rows !== ny || ref.columns !== nx) {
      throw new AppError('VOLUME_ASSEMBLY', `Frame ${idx} does not match the volume's ${nx}x${ny} grid.`);
    }
  }
  const check = (idx: number, v: FrameValues): FrameValues => {
    if (!(v instanceof Int16Array || v instanceof Float32Array) || v.length !== plane) {
      throw new AppError('DICOM_PIXEL_MISMATCH', `Frame ${idx} holds ${v.length} values, expected ${plane}.`);
    }
    return v;
  };

  let sink: ScalarSink | null = null;
  const base = { dimensions: geometry.dimensions, spacing: geometry.spacing, origin: geometry.origin, direction: geometry.direction, units };

  if (geometry.regular) {
    for (let k = 0; k < nz; k++) {
      const idx = geometry.order[k]!;
      const v = check(idx, yield idx);
      sink ??= new ScalarSink(total, fitsInt16(v));
      sink.put(k * plane, v);
    }
    return { ...base, scalars: sink!.data, warnings: [...geometry.warnings] };
  }

  // Resampling: walk the output slices along k; hold only the two source slices that bracket each one.
  const [cs, rs] = [geometry.spacing[0], geometry.spacing[1]];
  const z = geometry.sliceOffsets;
  const extent = z[n - 1]!;
  const kStep = nz > 1 ? extent / (nz - 1) : 0;
  let fill = options.fillValue;
  let integral = true;
  const cache = new Map<number, Float32Array>();
  // Planes evicted from the cache are reused: the resampler allocates three planes in all, not one per frame.
  const spare: Float32Array[] = [];
  const blend = new Float32Array(plane);
  let a = 0;
  for (let k = 0; k < nz; k++) {
    const zk = Math.min(k * kStep, extent);
    while (a < n - 2 && z[a + 1]! <= zk) a++;
    const za = z[a]!;
    const zb = z[Math.min(a + 1, n - 1)]!;
    const t = zb > za ? Math.min(1, Math.max(0, (zk - za) / (zb - za))) : 0;
    const needed = t < 1e-6 ? [a] : t > 1 - 1e-6 ? [a + 1] : [a, a + 1];
    for (const s of needed) {
      if (cache.has(s)) continue;
      const idx = geometry.order[s]!;
      const v = check(idx, yield idx);
      fill ??= minOf(v);
      integral &&= fitsInt16(v) && Number.isInteger(fill) && fill >= -32768 && fill <= 32767;
      sink ??= new ScalarSink(total, integral);
      const [u, w] = geometry.inPlaneOffsets[s]!;
      for (const [key, old] of cache) {
        if (key >= s - 1) continue;
        cache.delete(key);
        spare.push(old);
      }
      cache.set(s, shiftPlane(v, nx, ny, u / cs, w / rs, fill, spare.pop() ?? new Float32Array(plane)));
    }
    let out: Float32Array;
    if (needed.length === 1) out = cache.get(needed[0]!)!;
    else {
      const pa = cache.get(a)!;
      const pb = cache.get(a + 1)!;
      for (let i = 0; i < plane; i++) blend[i] = pa[i]! + (pb[i]! - pa[i]!) * t;
      out = blend;
    }
    sink!.putInterpolated(k * plane, out, integral);
  }
  return { ...base, scalars: sink!.data, warnings: [...geometry.warnings] };
}

/**
 * Builds the volume, asking getValues for each frame once (modality values: HU for CT).
 * getValues may return the same array every time (a decode buffer reused by the caller): each
 * frame is copied out before the next is asked for, so the caller need not allocate per frame.
 */
export function assembleVolume(
  geometry: SeriesGeometry,
  frames: FrameRef[],
  getValues: (frameIdx: number) => FrameValues,
  units: string,
  options: AssembleOptions = {},
): Volume {
  const run = assembly(geometry, frames, units, options);
  let step = run.next();
  while (!step.done) step = run.next(getValues(step.value));
  return step.value;
}

/** The same with an asynchronous decoder: frames are decoded one by one as the assembly needs them (reused arrays allowed too). */
export async function assembleVolumeAsync(
  geometry: SeriesGeometry,
  frames: FrameRef[],
  getValues: (frameIdx: number) => Promise<FrameValues>,
  units: string,
  options: AssembleOptions = {},
): Promise<Volume> {
  const run = assembly(geometry, frames, units, options);
  let step = run.next();
  while (!step.done) step = run.next(await getValues(step.value));
  return step.value;
}

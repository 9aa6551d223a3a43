// What the volume views (MPR, 3D) draw from: the series' own SeriesVolume when it holds the whole series
// (borrowed, never copied: one array and one 3D texture per series), or, for a series over the memory
// budget or the GPU's 3D texture limit, a downsampled copy made here from the streamed slices (box
// average of f x f x f voxels), with a notice naming the factor. Both fill in progressively: views draw
// while slices stream, and only the slices that arrived are uploaded to the texture.
import vtkDataArray from '@kitware/vtk.js/Common/Core/DataArray';
import vtkImageData from '@kitware/vtk.js/Common/DataModel/ImageData';
import type { DisplayInfo, SeriesView } from '../../src-shared/ipc/contract';
import { indexToPatient } from '../../src-shared/dicom/volume/volumeSpace';
import { SeriesVolume, sliceExtents, storedRange, vtkDirection, type NativeArray } from '../views/seriesVolume';
import { ownedVtk } from '../views/vtkOwnership';

export type Grid = Pick<SeriesView, 'dimensions' | 'spacing' | 'origin' | 'direction'>;
type Property = { setUpdatedExtents(extents: number[][]): unknown };

export interface VolumeSource {
  /** The grid of the drawn volume (the series' own, or the downsampled one). */
  readonly grid: Grid;
  readonly display: DisplayInfo;
  /** 1 = full resolution. */
  readonly factor: number;
  /** Said on screen when the volume views show less than the series holds. */
  readonly notice: string | null;
  /** The volume as it stands (missing slices read 0), or null before anything can be drawn. */
  image(): vtkImageData | null;
  syncTexture(property: Property, textureExists: boolean): void;
  /** Calls back as slices arrive (throttled by the caller). */
  onChange(listener: () => void): () => void;
  progress(): { loaded: number; total: number };
  error(): string | null;
  dispose(): void;
}

/** The series' own volume, borrowed (the reading room keeps it; disposing the source leaves it alone). */
export function seriesSource(volume: SeriesVolume): VolumeSource {
  return {
    grid: volume.view,
    display: volume.view.display,
    factor: 1,
    notice: null,
    image: () => volume.liveImage(),
    syncTexture: (p, exists) => volume.syncTexture(p, exists),
    onChange: (l) => volume.onSlice(() => l()),
    progress: () => ({ loaded: volume.loadedSlices, total: volume.sliceCount }),
    error: () => volume.error,
    dispose: () => undefined,
  };
}

const ARRAYS = { uint8: Uint8Array, int8: Int8Array, uint16: Uint16Array, int16: Int16Array, float32: Float32Array, rgb8: Uint8Array } as const;
/** Source slices per request: a multiple of the factor (main serves at most 64 a request). */
const MAX_RANGE = 64;

/** A series over the budget or the texture limit, averaged over f x f x f blocks for the volume views. */
export class DownsampledVolume implements VolumeSource {
  readonly grid: Grid;
  readonly display: DisplayInfo;
  readonly notice: string;
  private readonly data: NativeArray;
  private readonly listeners = new Set<() => void>();
  private readonly pending = new Set<number>();
  private readonly vtk = ownedVtk();
  private img: vtkImageData | null = null;
  private done = 0;
  private disposed = false;
  private failed: string | null = null;

  constructor(private readonly view: SeriesView, readonly factor: number, reason: string) {
    const f = factor;
    const [ni, nj, nk] = view.dimensions;
    const dims: [number, number, number] = [Math.max(1, Math.floor(ni / f)), Math.max(1, Math.floor(nj / f)), Math.max(1, Math.floor(nk / f))];
    // Voxel (a, b, c) averages source voxels f*a .. f*a+f-1 (and so on): its centre is at f*a + (f-1)/2.
    const half = (f - 1) / 2;
    this.grid = { dimensions: dims, spacing: [view.spacing[0] * f, view.spacing[1] * f, view.spacing[2] * f], origin: indexToPatient(view, [half, half, half]), direction: view.direction };
    this.display = view.display;
    this.notice = `Volume views show a copy downsampled by ${f} (${reason}); 2D shows every image at full resolution.`;
    this.data = new ARRAYS[view.display.pixelType](dims[0] * dims[1] * dims[2] * view.display.components);
    void this.stream();
  }

  image(): vtkImageData | null {
    if (this.disposed) return null;
    if (!this.img) {
      const g = this.grid;
      const image = this.vtk.own(vtkImageData.newInstance());
      image.setDimensions(g.dimensions);
      image.setSpacing(g.spacing);
      image.setOrigin(g.origin);
      image.setDirection(vtkDirection(g.direction));
      const scalars = this.vtk.own(vtkDataArray.newInstance({ name: 'values', numberOfComponents: this.display.components, values: this.data }));
      const range = storedRange(this.display);
      if (range) scalars.setRange({ min: range[0], max: range[1] }, 0);
      image.getPointData().setScalars(scalars);
      this.img = image;
    }
    return this.img;
  }

  syncTexture(property: Property, textureExists: boolean): void {
    if (textureExists && this.pending.size > 0) property.setUpdatedExtents(sliceExtents(this.pending, this.grid.dimensions[0], this.grid.dimensions[1]));
    this.pending.clear();
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  progress() {
    return { loaded: this.done, total: this.grid.dimensions[2] };
  }

  error(): string | null {
    return this.failed;
  }

  dispose(): void {
    this.disposed = true;
    this.listeners.clear();
    this.vtk.release();
    this.img = null;
  }

  /** Fetches the source slices in runs of whole blocks and averages each block of f slices into one output slice. */
  private async stream(): Promise<void> {
    const f = this.factor;
    const [ni, nj] = this.view.dimensions;
    const [di, dj, dk] = this.grid.dimensions;
    const comps = this.display.components;
    const per = Math.max(1, Math.floor(MAX_RANGE / f));
    const Ctor = ARRAYS[this.view.display.pixelType];
    const integer = this.view.display.pixelType !== 'float32';
    const sum = new Float64Array(di * dj * comps);
    for (let c0 = 0; c0 < dk && !this.disposed; c0 += per) {
      const c1 = Math.min(dk, c0 + per);
      try {
        const a = c0 * f;
        const b = c1 * f - 1;
        const response = await fetch(`${this.view.pixelPath}/${a}-${b}`);
        const buffer = response.ok ? await response.arrayBuffer() : null;
        const sliceLength = ni * nj * comps;
        if (!buffer || buffer.byteLength !== (b - a + 1) * sliceLength * Ctor.BYTES_PER_ELEMENT) throw new Error('size');
        if (this.disposed) return;
        const values = new Ctor(buffer);
        for (let c = c0; c < c1; c++) {
          sum.fill(0);
          for (let dz = 0; dz < f; dz++) {
            const base = ((c - c0) * f + dz) * sliceLength;
            for (let y = 0; y < dj * f; y++) {
              const row = base + y * ni * comps;
              const out = Math.floor(y / f) * di * comps;
              for (let x = 0; x < di * f; x++) for (let q = 0; q < comps; q++) {
                const t = out + Math.floor(x / f) * comps + q;
                sum[t] = sum[t]! + values[row + x * comps + q]!;
              }
            }
          }
          const n = f * f * f;
          const outBase = c * di * dj * comps;
          for (let t = 0; t < sum.length; t++) this.data[outBase + t] = integer ? Math.round(sum[t]! / n) : sum[t]! / n;
          if (this.img) this.pending.add(c);
          this.done++;
        }
        for (const l of this.listeners) l();
      } catch {
        if (this.disposed) return;
        this.failed = 'Some images of this series could not be read for the volume views.';
        for (const l of this.listeners) l();
        return;
      }
    }
  }
}

/** The source the volume views use for a series: its own volume, or a downsampled copy when it is kept slice by slice. */
export function volumeSourceFor(volume: SeriesVolume, maxTexture3D: number): VolumeSource {
  if (volume.mode === 'volume') return seriesSource(volume);
  const longest = Math.max(...volume.view.dimensions);
  const reason = maxTexture3D > 0 && longest > maxTexture3D
    ? `${longest} voxels along an axis, over this GPU's 3D texture limit of ${maxTexture3D}`
    : 'the series is over the viewer\'s memory budget';
  return new DownsampledVolume(volume.view, Math.max(2, volume.downsampleFactor), reason);
}

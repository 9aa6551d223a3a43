// One series' pixels in the renderer, in their native type (DESIGN.md section 6): a single typed array
// for the whole series, filled nearest-slice-first as ranges stream in from main, borrowed by every
// viewport that shows the series. A series over the memory budget or the GPU's 3D texture limit is
// kept slice by slice instead (a bounded cache around what is shown) and says so on screen.
import vtkDataArray from '@kitware/vtk.js/Common/Core/DataArray';
import vtkImageData from '@kitware/vtk.js/Common/DataModel/ImageData';
import type { PixelType, SeriesView } from '../../src-shared/ipc/contract';
import { ownedVtk } from './vtkOwnership';

/**
 * SeriesView.direction is row-major with the i, j, k axes as its columns; vtk.js stores the 3x3 direction
 * column by column (its indexToWorld copies elements 0-2 as the i axis). Same matrix, other element order.
 */
export function vtkDirection(d: SeriesView['direction']): Float32Array {
  return Float32Array.of(d[0], d[3], d[6], d[1], d[4], d[7], d[2], d[5], d[8]);
}

/** Whole slices ks as vtk extents [i0, i1, j0, j1, k0, k1], consecutive slices merged (one texSubImage3D each). */
export function sliceExtents(ks: Iterable<number>, cols: number, rows: number): number[][] {
  const extents: number[][] = [];
  for (const k of [...ks].sort((a, b) => a - b)) {
    const last = extents[extents.length - 1];
    if (last && last[5] === k - 1) last[5] = k;
    else extents.push([0, cols - 1, 0, rows - 1, k, k]);
  }
  return extents;
}

/** Stored values spanning the series' modality range (linear modality LUTs; null for tables and colour). */
export function storedRange(d: SeriesView['display']): [number, number] | null {
  const lut = d.modalityLut;
  if (d.components !== 1 || lut.kind !== 'linear' || lut.slope === 0) return null;
  const a = (d.valueRange[0] - lut.intercept) / lut.slope;
  const b = (d.valueRange[1] - lut.intercept) / lut.slope;
  return [Math.min(a, b), Math.max(a, b)];
}

export type NativeArray = Uint8Array | Int8Array | Uint16Array | Int16Array | Float32Array;

const ARRAY_OF: Record<PixelType, { new (n: number): NativeArray; new (b: ArrayBuffer): NativeArray; BYTES_PER_ELEMENT: number }> = {
  uint8: Uint8Array,
  int8: Int8Array,
  uint16: Uint16Array,
  int16: Int16Array,
  float32: Float32Array,
  rgb8: Uint8Array,
};

/** Native voxels the renderer keeps for whole volumes, all series together. */
export const VOLUME_BUDGET_BYTES = 768 * 2 ** 20;
/** Slices kept per series in slice-by-slice mode. */
const SLICE_CACHE = 96;
/** Slices per range request (main caps a range at 64). */
const CHUNK = 16;
const CONCURRENCY = 3;

export type SliceListener = (k: number) => void;

export class SeriesVolume {
  readonly mode: 'volume' | 'slices';
  /** Said on screen when the series is kept slice by slice. */
  readonly notice: string | null;
  /** Slices mode: the factor volume views (MPR, 3D) downsample by; 1 in volume mode. */
  readonly downsampleFactor: number;
  readonly sliceLength: number;
  readonly sliceCount: number;
  private readonly ctor: (typeof ARRAY_OF)[PixelType];
  /** The whole series (volume mode), allocated when streaming starts; the first slice waits in `early`. */
  private data: NativeArray | null = null;
  private readonly early = new Map<number, NativeArray>();
  /** False until the first picture is on screen: until then only the first slice is fetched. */
  private streaming = false;
  private readonly loaded: Uint8Array;
  private loadedCount = 0;
  private readonly cache = new Map<number, NativeArray>();
  private readonly listeners = new Set<SliceListener>();
  private readonly inFlight = new Set<number>();
  private focus: number;
  private running = 0;
  private disposed = false;
  private image: vtkImageData | null = null;
  /** Slices that arrived after liveImage() was handed out, not yet in the shared texture. */
  private readonly pendingUpload = new Set<number>();
  private readonly vtk = ownedVtk();
  error: string | null = null;
  /** Milliseconds from construction until every slice had arrived (volume mode). */
  readyAfterMs: number | null = null;
  private readonly started = performance.now();

  /**
   * `reopen` asks main to open the series again: main keeps only a few series open, so one shown in a
   * viewport for a while (or in a 3x3 layout) may have been let go there.
   */
  constructor(readonly view: SeriesView, maxTexture3D: number, budgetBytes = VOLUME_BUDGET_BYTES, private readonly reopen: () => Promise<unknown> = async () => undefined) {
    const [cols, rows, slices] = view.dimensions;
    this.sliceLength = cols * rows * view.display.components;
    this.sliceCount = slices;
    this.ctor = ARRAY_OF[view.display.pixelType];
    const bytes = this.sliceLength * slices * this.ctor.BYTES_PER_ELEMENT;
    const overTexture = maxTexture3D > 0 && Math.max(cols, rows, slices) > maxTexture3D;
    const overBudget = bytes > budgetBytes;
    this.mode = overTexture || overBudget ? 'slices' : 'volume';
    if (this.mode === 'slices') {
      const factor = Math.max(overTexture ? Math.ceil(Math.max(cols, rows, slices) / maxTexture3D) : 1, overBudget ? Math.ceil(Math.cbrt(bytes / budgetBytes)) : 1);
      const why = overTexture ? `more than ${maxTexture3D} slices or pixels along an axis (this graphics card's 3D texture limit)` : `${Math.round(bytes / 2 ** 20)} MiB, over the viewer's memory budget`;
      this.notice = `Large series (${why}): 2D shows every image at full resolution; volume views will use a copy downsampled by ${factor}.`;
      this.downsampleFactor = factor;
    } else {
      this.notice = null;
      this.downsampleFactor = 1;
    }
    this.loaded = new Uint8Array(slices);
    this.focus = Math.floor(slices / 2);
  }

  get complete(): boolean {
    return this.mode === 'volume' && this.loadedCount === this.sliceCount;
  }

  get loadedSlices(): number {
    return this.mode === 'volume' ? this.loadedCount : this.cache.size;
  }

  has(k: number): boolean {
    return this.mode === 'volume' ? this.loaded[k] === 1 : this.cache.has(k);
  }

  /** Slice k's values (a view into the volume, or the cached slice), or null while it has not arrived. */
  slice(k: number): NativeArray | null {
    if (this.mode === 'volume') {
      if (!this.loaded[k]) return null;
      return this.data ? this.data.subarray(k * this.sliceLength, (k + 1) * this.sliceLength) : this.early.get(k) ?? null;
    }
    const hit = this.cache.get(k);
    if (hit) {
      this.cache.delete(k);
      this.cache.set(k, hit);
    }
    return hit ?? null;
  }

  /** Value of slice k at column i, row j (first component), or NaN when not loaded. */
  valueAt(k: number, i: number, j: number): number {
    const s = this.slice(k);
    const [cols, rows] = this.view.dimensions;
    if (!s || i < 0 || j < 0 || i >= cols || j >= rows) return NaN;
    return s[(j * cols + i) * this.view.display.components]!;
  }

  onSlice(listener: SliceListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The first picture is on screen: stream the rest. */
  resume(): void {
    if (this.streaming || this.disposed) return;
    this.streaming = true;
    this.pump();
  }

  /** Streams the slices nearest k first (the viewport's current slice). */
  setFocus(k: number): void {
    this.focus = Math.max(0, Math.min(this.sliceCount - 1, k));
    this.pump();
  }

  /** The whole series as one vtkImageData, once every slice has arrived (volume mode only). */
  volumeImage(): vtkImageData | null {
    return this.complete ? this.liveImage() : null;
  }

  /**
   * The same vtkImageData before every slice has arrived (missing slices read 0 until they come), for views
   * that fill in progressively (MPR, 3D). Volume mode only. One image and one data array per series, so
   * every view shares one 3D texture.
   */
  liveImage(): vtkImageData | null {
    if (this.mode !== 'volume' || this.disposed) return null;
    if (!this.image) {
      const v = this.view;
      const image = this.vtk.own(vtkImageData.newInstance());
      image.setDimensions(v.dimensions);
      image.setSpacing(v.spacing);
      image.setOrigin(v.origin);
      image.setDirection(vtkDirection(v.direction));
      const scalars = this.vtk.own(vtkDataArray.newInstance({ name: 'values', numberOfComponents: v.display.components, values: this.volumeData() }));
      // The range is known (main measured it): vtk.js would otherwise scan the whole array at every partial upload.
      const range = storedRange(v.display);
      if (range) for (let c = 0; c < v.display.components; c++) scalars.setRange({ min: range[0], max: range[1] }, c);
      image.getPointData().setScalars(scalars);
      this.image = image;
    }
    return this.image;
  }

  /**
   * Before a view draws from liveImage(): slices that arrived since the shared texture was made are handed to
   * the view's property as updated extents, so vtk.js uploads only those (texSubImage3D) and not the whole
   * volume. When no texture exists yet the draw makes it from everything that has arrived.
   */
  syncTexture(property: { setUpdatedExtents(extents: number[][]): unknown }, textureExists: boolean): void {
    if (!textureExists || this.pendingUpload.size === 0) {
      this.pendingUpload.clear();
      return;
    }
    property.setUpdatedExtents(sliceExtents(this.pendingUpload, this.view.dimensions[0], this.view.dimensions[1]));
    this.pendingUpload.clear();
  }

  dispose(): void {
    this.disposed = true;
    this.pendingUpload.clear();
    this.listeners.clear();
    this.cache.clear();
    this.vtk.release();
    this.image = null;
  }

  /** Next contiguous run of missing slices nearest the focus. */
  private nextRange(): [number, number] | null {
    const n = this.sliceCount;
    const window = this.mode === 'volume' ? n : Math.min(n, SLICE_CACHE / 2);
    for (let d = 0; d < window; d++) {
      for (const k of d === 0 ? [this.focus] : [this.focus + d, this.focus - d]) {
        if (k < 0 || k >= n || this.has(k) || this.inFlight.has(k)) continue;
        // The very first request is the focus slice alone, so the first picture comes quickly.
        if (this.loadedSlices === 0 && this.inFlight.size === 0) return [k, k];
        const step = k >= this.focus ? 1 : -1;
        let end = k;
        while (Math.abs(end - k) + 1 < CHUNK) {
          const next = end + step;
          if (next < 0 || next >= n || this.has(next) || this.inFlight.has(next)) break;
          end = next;
        }
        return step > 0 ? [k, end] : [end, k];
      }
    }
    return null;
  }

  private pump(): void {
    while (!this.disposed && this.running < CONCURRENCY) {
      // Before the first picture, one request only: nothing competes with the slice the user waits for.
      if (!this.streaming && (this.running > 0 || this.loadedSlices > 0)) return;
      const range = this.nextRange();
      if (!range) return;
      this.running++;
      for (let k = range[0]; k <= range[1]; k++) this.inFlight.add(k);
      void this.fetchRange(range[0], range[1]).finally(() => {
        for (let k = range[0]; k <= range[1]; k++) this.inFlight.delete(k);
        this.running--;
        if (!this.error) this.pump();
      });
    }
  }

  private async fetchRange(a: number, b: number): Promise<void> {
    try {
      const url = a === b ? `${this.view.pixelPath}/${a}` : `${this.view.pixelPath}/${a}-${b}`;
      let response = await fetch(url);
      if (response.status === 404 && !this.disposed) {
        // Main let the series go (it keeps a few open): open it again, once, and ask again.
        await this.reopen();
        response = await fetch(url);
      }
      if (!response.ok) {
        // Main says why (typed error, nothing identifying): show it rather than a black viewport.
        const why = await response.json().then((e: { message?: unknown }) => (typeof e.message === 'string' ? e.message : ''), () => '');
        this.error = `Some images of this series could not be read${why ? `: ${why}` : ''}.`;
        this.emit(-1);
        return;
      }
      const buffer = await response.arrayBuffer();
      if (this.disposed) return;
      const expected = (b - a + 1) * this.sliceLength * this.ctor.BYTES_PER_ELEMENT;
      if (buffer.byteLength !== expected) {
        this.error = 'The images of this series arrived with an unexpected size.';
        this.emit(-1);
        return;
      }
      const values = new this.ctor(buffer);
      for (let k = a; k <= b; k++) {
        const slice = values.subarray((k - a) * this.sliceLength, (k - a + 1) * this.sliceLength);
        if (this.mode === 'volume') {
          if (this.data || this.streaming) this.volumeData().set(slice, k * this.sliceLength);
          else this.early.set(k, slice.slice());
          this.loaded[k] = 1;
          this.loadedCount++;
          if (this.image) this.pendingUpload.add(k);
        } else {
          this.cache.set(k, slice.slice());
          while (this.cache.size > SLICE_CACHE) this.cache.delete(this.farthestCached());
        }
        this.emit(k);
      }
      if (this.complete && this.readyAfterMs === null) this.readyAfterMs = performance.now() - this.started;
      // No viewport may draw it (hidden, or too small): stream anyway, a little later.
      if (!this.streaming) setTimeout(() => this.resume(), 300);
    } catch {
      if (!this.disposed) {
        this.error = 'Some images of this series could not be read.';
        this.emit(-1);
      }
    }
  }

  /** The volume's array, made on first need (so the first picture never waits for a large allocation). */
  private volumeData(): NativeArray {
    if (!this.data) {
      this.data = new this.ctor(this.sliceLength * this.sliceCount);
      for (const [k, v] of this.early) this.data.set(v, k * this.sliceLength);
      this.early.clear();
    }
    return this.data;
  }

  private farthestCached(): number {
    let worst = -1;
    let far = -1;
    for (const k of this.cache.keys()) {
      const d = Math.abs(k - this.focus);
      if (d > far) [far, worst] = [d, k];
    }
    return worst;
  }

  private emit(k: number): void {
    for (const l of this.listeners) l(k);
  }
}

// Opens a stored series as a regular volume (engine: parse -> decode -> modality LUT -> geometry)
// and serves its slices to the renderer over app://enclave/pixels/<seriesId>/<k>.
import { parseDicom, type DicomFile } from '../../../src-shared/dicom/parse';
import { decodeFrame } from '../../../src-shared/dicom/pixels/decodeFrame';
import { toModalityValues } from '../../../src-shared/dicom/pixels/modalityLut';
import type { CodecRegistry } from '../../../src-shared/dicom/codecs/codecTypes';
import { frameRefsOf, type FrameRef } from '../../../src-shared/dicom/volume/frameGeometry';
import { computeSeriesGeometry } from '../../../src-shared/dicom/volume/seriesGeometry';
import { assembleVolume } from '../../../src-shared/dicom/volume/assembleVolume';
import type { Volume } from '../../../src-shared/dicom/types';
import type { SeriesView } from '../../../src-shared/ipc/contract';
import { AppError } from '../../../src-shared/errors';
import type { PixelSource } from '../protocol/appProtocol';
import type { StudyStore } from '../store/studyStore';

interface OpenSeries { view: SeriesView; volume: Volume }

/** How many opened volumes stay decoded in memory. */
const CACHE_SIZE = 2;

export class SeriesService implements PixelSource {
  private readonly open = new Map<string, OpenSeries>();

  /** `storeFor` picks the store an id belongs to (the encrypted cache or a quick view). */
  constructor(private readonly storeFor: (id: string) => StudyStore, private readonly codecs: CodecRegistry) {}

  async openSeries(seriesId: string): Promise<SeriesView> {
    const cached = this.open.get(seriesId);
    if (cached) return cached.view;
    const store = this.storeFor(seriesId);
    const instances = await store.listInstances(seriesId);
    if (instances.length === 0) throw new AppError('NOT_FOUND', 'Series not found.');

    const files: DicomFile[] = [];
    const frames: FrameRef[] = [];
    for (const inst of instances) {
      const file = parseDicom(await store.readInstanceBytes(inst.instanceId));
      files.push(file);
      frames.push(...frameRefsOf(String(files.length - 1), file, inst.meta));
    }
    const geometry = computeSeriesGeometry(frames);
    const values: Float32Array[] = [];
    for (const f of frames) {
      const file = files[Number(f.key)]!;
      values.push(toModalityValues(await decodeFrame(file, f.frameIndex, this.codecs), file));
    }
    const first = instances[0]!.meta;
    const units = first.modality === 'CT' ? 'HU' : first.rescaleType || '';
    const volume = assembleVolume(geometry, frames, (i) => values[i]!, units);
    values.length = 0;

    let min = Infinity;
    let max = -Infinity;
    for (const v of volume.scalars) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const windowCenter = first.windowCenter ?? (min + max) / 2;
    const windowWidth = first.windowWidth ?? Math.max(1, max - min);
    const view: SeriesView = {
      seriesId,
      modality: first.modality,
      seriesDescription: first.seriesDescription,
      dimensions: volume.dimensions,
      spacing: volume.spacing,
      origin: volume.origin,
      direction: volume.direction,
      instanceNumbers: geometry.order.map((i) => instances[Number(frames[i]!.key)]?.meta.instanceNumber ?? null),
      units,
      defaultWindow: { center: windowCenter, width: windowWidth },
      valueRange: [min, max],
      warnings: volume.warnings,
      pixelPath: `pixels/${seriesId}`,
    };
    this.open.set(seriesId, { view, volume });
    while (this.open.size > CACHE_SIZE) this.open.delete(this.open.keys().next().value!);
    return view;
  }

  async slice(seriesId: string, index: number): Promise<ArrayBuffer> {
    const entry = this.open.get(seriesId);
    if (!entry) throw new AppError('NOT_FOUND', 'Series is not open.');
    const [cols, rows, slices] = entry.volume.dimensions;
    if (!Number.isInteger(index) || index < 0 || index >= slices) throw new AppError('NOT_FOUND', 'Slice out of range.');
    const n = cols * rows;
    const out = new Float32Array(n);
    out.set(entry.volume.scalars.subarray(index * n, (index + 1) * n));
    return out.buffer;
  }

  closeAll(): void {
    this.open.clear();
  }
}

// Test helper: files -> frames -> geometry -> volume through the engine's own parser and
// metadata reader. Pixel values of uncompressed files are read here directly (stored value x
// slope + intercept) so the geometry tests do not depend on the codec layer.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDicom, type DicomFile } from '../../../../src-shared/dicom/parse';
import { readInstanceMeta } from '../../../../src-shared/dicom/instanceMeta';
import type { InstanceMeta, Volume } from '../../../../src-shared/dicom/types';
import { frameRefsOf, type FrameRef } from '../../../../src-shared/dicom/volume/frameGeometry';
import { computeSeriesGeometry, type SeriesGeometry } from '../../../../src-shared/dicom/volume/seriesGeometry';
import { assembleVolume } from '../../../../src-shared/dicom/volume/assembleVolume';
import { modalityUnits } from '../../../../src-shared/dicom/volume/volumeUnits';

export const SHARED_DATA = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../../shared/data');
export const CORPUS = path.join(SHARED_DATA, 'corpus');
export const PHANTOMS = path.join(SHARED_DATA, 'phantoms');

export interface LoadedSeries {
  files: Map<string, { file: DicomFile; meta: InstanceMeta }>;
  frames: FrameRef[];
  geometry: SeriesGeometry;
}

/** Every regular file directly in `dir` (no recursion), or the paths given. */
export function filesIn(dir: string, filter: (name: string) => boolean = () => true): string[] {
  return readdirSync(dir)
    .filter((n) => filter(n) && n !== 'DICOMDIR' && statSync(path.join(dir, n)).isFile())
    .map((n) => path.join(dir, n));
}

export function loadGeometry(paths: string[]): LoadedSeries {
  const files = new Map<string, { file: DicomFile; meta: InstanceMeta }>();
  const frames: FrameRef[] = [];
  for (const p of paths) {
    const file = parseDicom(new Uint8Array(readFileSync(p)));
    const meta = readInstanceMeta(file);
    files.set(p, { file, meta });
    frames.push(...frameRefsOf(p, file, meta));
  }
  return { files, frames, geometry: computeSeriesGeometry(frames) };
}

/** Modality values of an uncompressed, 16-bit, little-endian frame. */
export function nativeValues(file: DicomFile, meta: InstanceMeta, frameIndex: number): Float32Array {
  const el = file.dataSet.elements['x7fe00010'];
  const n = meta.rows * meta.columns;
  if (!el || meta.bitsAllocated !== 16 || meta.samplesPerPixel !== 1) throw new Error('test helper reads native 16-bit grey only');
  const start = el.dataOffset + frameIndex * n * 2;
  const dv = new DataView(file.dataSet.byteArray.buffer, file.dataSet.byteArray.byteOffset + start, n * 2);
  const out = new Float32Array(n);
  const mask = (1 << meta.bitsStored) - 1;
  const signBit = 1 << (meta.bitsStored - 1);
  for (let i = 0; i < n; i++) {
    let s = dv.getUint16(i * 2, true) & mask;
    if (meta.pixelRepresentation === 1 && s & signBit) s -= mask + 1;
    out[i] = s * meta.rescaleSlope + meta.rescaleIntercept;
  }
  return out;
}

export function loadVolume(paths: string[]): LoadedSeries & { volume: Volume } {
  const loaded = loadGeometry(paths);
  const { files, frames, geometry } = loaded;
  const firstMeta = files.get(frames[geometry.order[0]!]!.key)!.meta;
  const volume = assembleVolume(
    geometry,
    frames,
    (i) => {
      const f = frames[i]!;
      const { file, meta } = files.get(f.key)!;
      return nativeValues(file, meta, f.frameIndex);
    },
    modalityUnits(firstMeta),
  );
  return { ...loaded, volume };
}

// A small preview per series, made once at import from the middle instance (middle frame) and kept in the
// store: in the encrypted database for the cache, in memory for quick view. PNG, 8-bit grey (or RGB for
// colour), at most THUMBNAIL_MAX_SIDE pixels on the longer side in patient proportions, windowed with the
// file's own window (or VOI LUT), else with the 0.5th..99.5th percentile of the frame's values, so a few
// extreme pixels (metal, padding) do not leave the preview flat. Served at app://enclave/thumbs/<seriesId>.
// Compressed frames decode in a decode worker when one is at hand, under the frame's decode budget: a codec
// stuck on a hostile frame costs that series its preview, never the import its end.
import type { CodecRegistry } from '../../../src-shared/dicom/codecs/codecTypes';
import { readInstanceMeta } from '../../../src-shared/dicom/instanceMeta';
import { parseDicom } from '../../../src-shared/dicom/parse';
import { toModalityValues } from '../../../src-shared/dicom/pixels/modalityLut';
import { readVoiPresets } from '../../../src-shared/dicom/pixels/voi';
import type { DecodedFrame } from '../../../src-shared/dicom/types';
import { createNodeCodecs } from '../codecs/nodeCodecs';
import { decodeFrameBounded, withBundledDecoder } from '../series/boundedFrameDecode';
import type { FrameDecoder } from '../series/decodeProtocol';
import { needsCodecs } from '../series/frameDecoding';
import { encodePng, renderDecodedFrame, type RenderedFrame } from '../render/renderFrame';
import type { StoredInstance, StudyStore, Thumbnail } from './studyStore';

export const THUMBNAIL_MAX_SIDE = 96;
export const THUMBNAIL_MIME = 'image/png';

/** Output size: the longer side at most `maxSide`, never enlarged, proportions of the patient (pixel spacing). */
export function thumbnailSize(columns: number, rows: number, spacing: [number, number] | null, maxSide: number): { width: number; height: number } {
  const [rowSpacing, colSpacing] = spacing && spacing[0] > 0 && spacing[1] > 0 ? spacing : [1, 1];
  const w = columns * colSpacing;
  const h = rows * rowSpacing;
  const scale = Math.min(maxSide / Math.max(w, h), columns / w, rows / h);
  return { width: Math.max(1, Math.round(w * scale)), height: Math.max(1, Math.round(h * scale)) };
}

/** Box filter: every output pixel is the mean of the source pixels it covers (no aliasing on fine detail). */
export function downscaleRgba(src: RenderedFrame, width: number, height: number): RenderedFrame {
  const out = new Uint8Array(width * height * 4);
  const sx = src.width / width;
  const sy = src.height / height;
  for (let y = 0; y < height; y++) {
    const y0 = Math.floor(y * sy);
    const y1 = Math.max(y0 + 1, Math.floor((y + 1) * sy));
    for (let x = 0; x < width; x++) {
      const x0 = Math.floor(x * sx);
      const x1 = Math.max(x0 + 1, Math.floor((x + 1) * sx));
      let r = 0;
      let g = 0;
      let b = 0;
      for (let yy = y0; yy < y1; yy++) {
        for (let xx = x0, i = (yy * src.width + x0) * 4; xx < x1; xx++, i += 4) {
          r += src.rgba[i]!;
          g += src.rgba[i + 1]!;
          b += src.rgba[i + 2]!;
        }
      }
      const n = (y1 - y0) * (x1 - x0);
      const o = (y * width + x) * 4;
      out[o] = Math.round(r / n);
      out[o + 1] = Math.round(g / n);
      out[o + 2] = Math.round(b / n);
      out[o + 3] = 255;
    }
  }
  return { width, height, rgba: out, window: src.window };
}

/** 0.5th..99.5th percentile of (at most 65,536 sampled) values as a window. */
export function robustWindow(values: Float32Array): { center: number; width: number } {
  const step = Math.max(1, Math.floor(values.length / 65_536));
  const sample = new Float32Array(Math.ceil(values.length / step));
  for (let i = 0, k = 0; i < values.length; i += step) sample[k++] = values[i]!;
  sample.sort();
  const lo = sample[Math.floor((sample.length - 1) * 0.005)] ?? 0;
  const hi = sample[Math.ceil((sample.length - 1) * 0.995)] ?? 1;
  return { center: (lo + hi) / 2, width: Math.max(hi - lo, 1) };
}

function windowFor(frame: DecodedFrame, file: Parameters<typeof toModalityValues>[1], frameIndex: number): { center: number; width: number } | undefined {
  if (frame.samplesPerPixel !== 1) return undefined;
  const presets = readVoiPresets(file.dataSet, file.transferSyntaxUid === '1.2.840.10008.1.2.2', frameIndex);
  if (presets.windows.length > 0 || presets.luts.length > 0) return undefined; // the file's own, applied by the renderer
  return robustWindow(toModalityValues(frame, file, frameIndex));
}

/**
 * The preview of one instance (its middle frame). Throws an AppError when the pixels cannot be decoded.
 * With `decoder`, frames that need a codec are decoded there (a worker with a decode budget).
 */
export async function makeThumbnail(bytes: Uint8Array, codecs: CodecRegistry, maxSide = THUMBNAIL_MAX_SIDE, decoder?: FrameDecoder): Promise<Thumbnail> {
  const file = parseDicom(bytes);
  const meta = readInstanceMeta(file);
  const frameIndex = Math.floor((Math.max(1, meta.numberOfFrames) - 1) / 2);
  const frame = await decodeFrameBounded(file, frameIndex, decoder, codecs);
  const window = windowFor(frame, file, frameIndex);
  const rendered = renderDecodedFrame(frame, file, frameIndex, window ? { window } : {});
  const { width, height } = thumbnailSize(rendered.width, rendered.height, meta.pixelSpacing, maxSide);
  return { width, height, mime: THUMBNAIL_MIME, data: encodePng(downscaleRgba(rendered, width, height)) };
}

/** The middle image of a series in instance-number order (what a radiologist expects to see for a stack). */
export function middleInstance(instances: readonly StoredInstance[]): StoredInstance | null {
  const images = instances
    .filter((i) => i.meta.hasPixelData && i.meta.rows > 0 && i.meta.columns > 0)
    .sort((a, b) => (a.meta.instanceNumber ?? Infinity) - (b.meta.instanceNumber ?? Infinity) || (a.instanceId < b.instanceId ? -1 : 1));
  return images[Math.floor((images.length - 1) / 2)] ?? null;
}

type ThumbnailStore = StudyStore & Required<Pick<StudyStore, 'putThumbnail'>>;

/**
 * (Re)makes the previews of the series an import added to. A series without decodable pixels (a report, an
 * unsupported codec) gets none, and never fails the import: the browser shows its modality instead.
 */
export async function makeSeriesThumbnails(
  store: StudyStore,
  seriesIds: Iterable<string>,
  codecs?: CodecRegistry,
  options: { decoder?: FrameDecoder } = {},
): Promise<{ made: number; failed: number }> {
  const result = { made: 0, failed: 0 };
  if (!store.putThumbnail) return result;
  const target = store as ThumbnailStore;
  let registry = codecs;
  // In the packaged app and the CLI the decode worker is beside this bundle: compressed previews decode there.
  await withBundledDecoder(async (bundled) => {
    for (const seriesId of seriesIds) {
      try {
        const middle = middleInstance(await target.listInstances(seriesId));
        if (!middle) continue;
        const bytes = await target.readInstanceBytes(middle.instanceId);
        const compressed = needsCodecs(middle.meta.transferSyntaxUid);
        const elsewhere = compressed ? (options.decoder ?? bundled()) : undefined;
        // The codec modules take a few hundred milliseconds to instantiate: only a compressed frame with no worker needs them.
        if (compressed && !elsewhere) registry ??= await createNodeCodecs();
        target.putThumbnail(seriesId, await makeThumbnail(bytes, registry ?? {}, THUMBNAIL_MAX_SIDE, elsewhere));
        result.made++;
      } catch {
        result.failed++;
      }
    }
  });
  return result;
}

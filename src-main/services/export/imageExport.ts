// A picture of one frame through the engine's CPU pipeline (renderFrameRgba), watermarked with the user,
// the time and "De-identified" or "Confidential", written as PNG or JPEG. The viewer's "export this view" reuses
// watermarkPng with its own rendered pixels.
import fs from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { AppError } from '../../../src-shared/errors';
import { parseDicom } from '../../../src-shared/dicom/parse';
import { assessBurnedIn, type Rect } from '../../../src-shared/deid';
import { renderFrameRgba } from '../render/renderFrame';
import { withBundledDecoder } from '../series/boundedFrameDecode';
import { audited } from './auditExport';
import { parseTree, readInputBytes } from './deidFiles';
import { type ExportDeps, type ExportInput, type ExportResult, inputId } from './exportTypes';
import { encodeJpeg } from './jpegEncoder';
import { drawWatermark } from './watermark';

export type WatermarkLabel = 'De-identified' | 'Confidential';

export interface ImageExportOptions {
  label: WatermarkLabel;
  /** Default 'png' (lossless); 'jpeg' is baseline 8-bit at the bundled encoder's fixed quality. */
  format?: 'png' | 'jpeg';
  frame?: number;
  window?: { center: number; width: number };
  /** For 'De-identified' pictures of files flagged for burned-in text (permission-checked, audited). */
  burnedInOverride?: boolean;
  /** The machine policy's WatermarkText, drawn as one more line. */
  watermarkText?: string;
  /** Rectangles (pixel coordinates) painted black before the watermark: the viewer's redactions of this image. */
  redactions?: readonly Rect[];
}

/** Paints the rectangles black (opaque) in RGBA pixels, clipped to the image. */
export function blankRects(width: number, height: number, rgba: Uint8Array, rects: readonly Rect[]): void {
  for (const r of rects) {
    const x0 = Math.max(0, Math.floor(r.x));
    const x1 = Math.min(width, Math.ceil(r.x + r.width));
    for (let y = Math.max(0, Math.floor(r.y)); y < Math.min(height, Math.ceil(r.y + r.height)); y++) {
      for (let x = x0; x < x1; x++) rgba.set([0, 0, 0, 255], (y * width + x) * 4);
    }
  }
}

/** The watermark's text lines (no identifying data: the exporting user's account name and the time). */
export function watermarkLines(label: WatermarkLabel, user: string, when: Date): string[] {
  const time = `${when.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return [label.toUpperCase(), `USER ${user}`, time];
}

/** Draws the watermark into a copy of RGBA pixels. */
export function watermarked(width: number, height: number, rgba: Uint8Array, lines: readonly string[]): Uint8Array {
  const data = new Uint8Array(rgba);
  drawWatermark({ width, height, data }, lines);
  return data;
}

/** Draws the watermark into RGBA pixels and encodes them as PNG. */
export function watermarkPng(width: number, height: number, rgba: Uint8Array, lines: readonly string[]): Uint8Array {
  const data = watermarked(width, height, rgba, lines);
  const png = new PNG({ width, height });
  png.data = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(PNG.sync.write(png));
}

export async function exportImage(input: ExportInput, outPath: string, opts: ImageExportOptions, deps: ExportDeps): Promise<ExportResult> {
  return audited(
    deps,
    'export.image',
    { format: opts.format ?? 'png', label: opts.label, ...(opts.burnedInOverride ? { burnedInOverride: true } : {}), ...(opts.redactions?.length ? { redactions: opts.redactions.length } : {}) },
    async () => {
      const bytes = await readInputBytes(input);
      // Redactions drawn over the image are the review the burned-in rule asks for.
      if (opts.label === 'De-identified' && !opts.redactions?.length && assessBurnedIn(parseTree(bytes)).flagged) {
        if (!opts.burnedInOverride) throw new AppError('DEID_BURNED_IN', 'this image may carry burned-in text: it cannot be labelled de-identified without an override');
        await deps.checkPermission('export.burnedInOverride', deps.user);
      }
      const file = parseDicom(bytes);
      // A compressed frame decodes in a worker under its decode budget (when the bundled worker is there).
      const frame = await withBundledDecoder((decoder) => renderFrameRgba(file, opts.frame ?? 0, opts.window ? { window: opts.window } : {}, undefined, decoder()));
      if (opts.redactions?.length) blankRects(frame.width, frame.height, frame.rgba, opts.redactions);
      const lines = [...watermarkLines(opts.label, deps.user, (deps.now ?? (() => new Date()))()), ...(opts.watermarkText ? [opts.watermarkText] : [])];
      const encoded =
        opts.format === 'jpeg'
          ? await encodeJpeg(frame.width, frame.height, watermarked(frame.width, frame.height, frame.rgba, lines))
          : watermarkPng(frame.width, frame.height, frame.rgba, lines);
      fs.mkdirSync(path.dirname(outPath), { recursive: true });
      fs.writeFileSync(outPath, encoded);
      return { files: [{ source: inputId(input), output: outPath, sopInstanceUid: '', burnedInFlagged: false, redacted: false, counts: {} }], outputPath: outPath };
    },
    (r) => r.files.length,
  );
}

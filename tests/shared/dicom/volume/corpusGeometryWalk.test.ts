// Every corpus file, alone and grouped by SeriesInstanceUID, goes through frame geometry and
// series geometry: each either yields a grid or a typed AppError, never an untyped throw.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { isAppError } from '../../../../src-shared/errors';
import { parseDicom } from '../../../../src-shared/dicom/parse';
import { readInstanceMeta } from '../../../../src-shared/dicom/instanceMeta';
import { frameRefsOf, type FrameRef } from '../../../../src-shared/dicom/volume/frameGeometry';
import { computeSeriesGeometry } from '../../../../src-shared/dicom/volume/seriesGeometry';
import { CORPUS } from './seriesLoader';
import { filesUnder } from '../../../../src-main/services/filesUnder';


it('gives every corpus file and series a geometry or a typed error', () => {
  const untyped: string[] = [];
  const bySeries = new Map<string, FrameRef[]>();
  let files = 0;
  let grids = 0;
  const attempt = (label: string, fn: () => void) => {
    try {
      fn();
    } catch (e) {
      if (!isAppError(e)) untyped.push(`${path.relative(CORPUS, label)}: ${String(e)}`);
    }
  };
  for (const p of filesUnder(CORPUS)) {
    let frames: FrameRef[] = [];
    let series: string;
    try {
      const file = parseDicom(new Uint8Array(readFileSync(p)), { untilPixelData: true });
      const meta = readInstanceMeta(file);
      if (meta.rows === 0 || meta.columns === 0) continue;
      series = meta.seriesInstanceUid;
      attempt(p, () => (frames = frameRefsOf(p, file, meta)));
    } catch {
      continue; // not DICOM or malformed: the parser's own tests own that
    }
    files++;
    attempt(p, () => {
      computeSeriesGeometry(frames);
      grids++;
    });
    if (series) bySeries.set(series, [...(bySeries.get(series) ?? []), ...frames]);
  }
  for (const [uid, frames] of bySeries) attempt(`series ${uid.length}`, () => computeSeriesGeometry(frames));
  expect(untyped).toEqual([]);
  expect(files).toBeGreaterThan(500);
  expect(grids).toBe(files);
});

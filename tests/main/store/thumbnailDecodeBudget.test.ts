// Previews of compressed series decode in a decode worker under the frame's budget: made there they are
// the same PNG as made in-process, and a codec stuck on a frame costs that series its preview after the
// budget (2 s for 512 x 512), while the other series still get theirs: the import never waits on it.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importPaths } from '../../../src-main/services/import/folderImport';
import { DecodePool } from '../../../src-main/services/series/decodePool';
import { MemoryStudyStore } from '../../../src-main/services/store/memoryStudyStore';
import { makeSeriesThumbnails } from '../../../src-main/services/store/seriesThumbnail';
import { buildDecodeWorker, CORPUS, type BuiltWorker } from '../series/fixtures/decodeWorkerBuild';

// Greyscale JPEG-LS (stored values come back) and colour JPEG (RGB comes back).
const FILES = ['icometrix-dicom2nifti/generic/compressed_jpegls/001/IM-0001-0002-0001.dcm', 'orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.4.50.dcm'];

let built: BuiltWorker;
let store: MemoryStudyStore;
let seriesIds: string[];
beforeAll(async () => {
  built = await buildDecodeWorker();
  store = new MemoryStudyStore();
  // Import makes the previews in-process here (tests run from source: no bundled worker beside them).
  const report = await importPaths(store, FILES.map((f) => path.join(CORPUS, f)));
  expect(report.added).toBe(2);
  seriesIds = [];
  for (const st of await store.listStudies()) for (const se of await store.listSeries(st.studyId)) seriesIds.push(se.seriesId);
  expect(seriesIds).toHaveLength(2);
});
afterAll(() => built?.cleanup());

describe('series previews of compressed images', () => {
  it('made in a decode worker are byte-identical to those made in-process', async () => {
    const inProcess = seriesIds.map((id) => store.getThumbnail(id));
    expect(inProcess.every((t) => t !== null)).toBe(true);
    const pool = new DecodePool(built.script, { size: 1 });
    try {
      expect(await makeSeriesThumbnails(store, seriesIds, undefined, { decoder: pool })).toEqual({ made: 2, failed: 0 });
    } finally {
      await pool.close();
    }
    seriesIds.forEach((id, i) => expect(Buffer.from(store.getThumbnail(id)!.data).equals(Buffer.from(inProcess[i]!.data))).toBe(true));
  });

  it('give up on a frame whose codec is stuck after its budget, and go on to the next series', async () => {
    const pool = new DecodePool(built.alwaysStuckScript, { size: 1, jobTimeoutMs: 120_000 });
    const t0 = performance.now();
    try {
      expect(await makeSeriesThumbnails(store, seriesIds, undefined, { decoder: pool })).toEqual({ made: 0, failed: 2 });
    } finally {
      await pool.close();
    }
    const ms = performance.now() - t0;
    console.log(`two stuck previews abandoned in ${ms.toFixed(0)} ms`);
    expect(pool.overBudget).toBe(2);
    expect(ms).toBeLessThan(20_000);
  });
});

// Batches an import hands over are encrypted and written by the blob writer thread: the same files, as durable
// and as private as when the store writes them itself; a failure there stores nothing of the batch.
import { renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resolveWorkerScript } from '../../../src-main/services/workers/workerScript';
import { dicomFilesIn, loadInstances, PHANTOMS, type PhantomInstance } from './fixtures/phantomMeta';
import { allFiles, filesContaining, makeTempStore, type TempStore } from './fixtures/tempStore';
import { codeOfAsync } from '../../tools/errorCode';

// From source the script is the TypeScript file (started with tsx), so the thread runs here too.
const SCRIPT = resolveWorkerScript('blobWriteWorker');
let ct: PhantomInstance[];
let phi: PhantomInstance;
const stores: TempStore[] = [];

beforeAll(() => {
  ct = loadInstances(dicomFilesIn(path.join(PHANTOMS, 'ct-axial')).slice(0, 10));
  const file = loadInstances([path.join(PHANTOMS, 'deid', 'phi-everywhere.dcm')])[0]!;
  // It carries the phantom CT's UIDs: as a study of its own here, so it is added, not a conflict.
  const m = file.meta;
  phi = { ...file, meta: { ...m, studyInstanceUid: `${m.studyInstanceUid}.99`, seriesInstanceUid: `${m.seriesInstanceUid}.99`, sopInstanceUid: `${m.sopInstanceUid}.99` } };
});

afterEach(() => {
  for (const s of stores.splice(0)) s.cleanup();
});

/** Each instance with bytes of its own, as an import hands them over (the originals stay for comparing). */
function handed(list: PhantomInstance[]) {
  return list.map((c) => ({ meta: c.meta, bytes: Uint8Array.from(c.bytes), sha256: c.sha256 }));
}

describe('blob writer thread', () => {
  it('stores handed-over batches byte for byte; the bytes leave the caller and no PHI reaches the disk', async () => {
    const t = await makeTempStore();
    stores.push(t);
    const store = await t.open({ blobWriterScript: SCRIPT });
    const batch = handed([...ct, phi]);
    const results = await store.addInstances(batch, { handOver: true });
    expect(results).toEqual(batch.map(() => 'added'));
    // Moved to the thread, not copied: the caller's arrays are empty now.
    expect(batch.every((b) => b.bytes.byteLength === 0)).toBe(true);
    // One shard folder for the batch.
    expect(new Set(allFiles(path.join(t.dataDir, 'blobs')).map((f) => path.basename(path.dirname(f)))).size).toBe(1);
    await store.close();

    const again = await t.open({ blobWriterScript: null });
    for (const study of await again.listStudies()) {
      for (const series of await again.listSeries(study.studyId)) {
        for (const inst of await again.listInstances(series.seriesId)) {
          const original = [...ct, phi].find((c) => c.meta.sopInstanceUid === inst.meta.sopInstanceUid)!;
          expect(Buffer.compare(Buffer.from(await again.readInstanceBytes(inst.instanceId)), original.bytes)).toBe(0);
        }
      }
    }
    expect((await again.listStudies()).reduce((n, s) => n + s.instanceCount, 0)).toBe(ct.length + 1);
    await again.close();
    expect(phi.bytes.includes(Buffer.from('ZZPHI'))).toBe(true);
    for (const tok of ['Phantom^Patricia', 'PH-0001', 'ZZPHI', '19310417']) expect(filesContaining(t.dataDir, tok), tok).toEqual([]);
  });

  it('a write that fails in the thread stores nothing of the batch, and the next batch goes through', async () => {
    const t = await makeTempStore();
    stores.push(t);
    const store = await t.open({ blobWriterScript: SCRIPT });
    // The thread writes temp files first: a file where its temp folder should be makes every open fail.
    const tmp = path.join(t.dataDir, 'tmp');
    renameSync(tmp, `${tmp}.away`);
    writeFileSync(tmp, 'not a folder');
    expect(await codeOfAsync(store.addInstances(handed(ct.slice(0, 4)), { handOver: true }))).toBe('IMPORT_FAILED');
    expect(await store.listStudies()).toEqual([]);
    expect(allFiles(path.join(t.dataDir, 'blobs'))).toEqual([]);

    renameSync(tmp, `${tmp}.file`);
    renameSync(`${tmp}.away`, tmp);
    expect(await store.addInstances(handed(ct.slice(0, 4)), { handOver: true })).toEqual(['added', 'added', 'added', 'added']);
    expect((await store.listStudies())[0]!.instanceCount).toBe(4);
    await store.close();
  });

  it('without a thread (running from source, no script) a handed-over batch is written in the calling thread', async () => {
    const t = await makeTempStore();
    stores.push(t);
    const store = await t.open({ blobWriterScript: null });
    const batch = handed(ct.slice(0, 3));
    expect(await store.addInstances(batch, { handOver: true })).toEqual(['added', 'added', 'added']);
    expect(batch.every((b, i) => Buffer.compare(Buffer.from(b.bytes), ct[i]!.bytes) === 0)).toBe(true);
    await store.close();
  });
});

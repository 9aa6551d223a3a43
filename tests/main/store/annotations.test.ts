// Measurements and annotations kept by the stores: the encrypted cache upgrades to hold them, keeps them
// encrypted on disk, returns them after a reopen, and loses them with their study; quick view's memory store
// keeps them only as long as it lives.
import path from 'node:path';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src-main/services/db/database';
import { migrate, schemaVersion } from '../../../src-main/services/db/migrate';
import { MIGRATIONS } from '../../../src-main/services/db/migrations/index';
import { importPaths } from '../../../src-main/services/import/folderImport';
import { createKeys } from '../../../src-main/services/keys/dataKeyVault';
import { deriveSubkey } from '../../../src-main/services/keys/keyDerivation';
import { BlobVault } from '../../../src-main/services/store/blobVault';
import { dataDirLayout } from '../../../src-main/services/store/dataDirLayout';
import { EncryptedStudyStore } from '../../../src-main/services/store/encryptedStudyStore';
import { MemoryStudyStore } from '../../../src-main/services/store/memoryStudyStore';
import { OpaqueIds } from '../../../src-main/services/store/opaqueIds';
import { openStore } from '../../../src-main/services/store/openStore';
import type { StudyStore } from '../../../src-main/services/store/studyStore';
import type { AnnotationRecord } from '../../../src-shared/ipc/contract';
import { CORPUS, PHANTOMS, tempDir } from '../import/fixtures/importFixtures';
import { codeOfAsync } from '../../tools/errorCode';
import { filesContaining, makeTempStore, type TempStore } from './fixtures/tempStore';

const CT_AXIAL = path.join(PHANTOMS, 'ct-axial');
const ONE_SLICE = path.join(PHANTOMS, 'deid/phi-everywhere.dcm');
/** Another study (a real MR slice), to show a purge takes only its own study's annotations. */
const OTHER_STUDY = path.join(CORPUS, 'debian-dicom3tools/0051.dcm');
/** Stands for a patient's name typed into a text annotation; it is in no phantom or corpus file. */
const TOKEN = 'QXANNOTPHI7731';
const PHANTOM_UID_ROOT = '1.2.826.0.1.3680043.10.1234.';
const PHANTOM_FOR = `${PHANTOM_UID_ROOT}1.99`;

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanups.splice(0).reverse()) await f();
});

async function tempStore(): Promise<TempStore> {
  const ts = await makeTempStore();
  cleanups.push(() => ts.cleanup());
  return ts;
}

/** The series of the one study the store holds (the phantoms are one study). */
async function onlySeries(store: StudyStore): Promise<{ studyId: string; seriesId: string; sopInstanceUid: string }[]> {
  const out = [];
  for (const study of await store.listStudies()) {
    for (const s of await store.listSeries(study.studyId)) {
      const [first] = await store.listInstances(s.seriesId);
      out.push({ studyId: study.studyId, seriesId: s.seriesId, sopInstanceUid: first!.meta.sopInstanceUid });
    }
  }
  return out;
}

function lengthBetweenBeads(seriesId: string, sopInstanceUid: string, id = 'a1'): AnnotationRecord {
  // The two beads of GROUND_TRUTH.md, 50.0 mm apart in patient coordinates.
  return { id, kind: 'length', seriesId, frameOfReferenceUid: PHANTOM_FOR, sopInstanceUid, frameIndex: 0, points: [[-25, 20, -20], [25, 20, -20]] };
}

function textNote(seriesId: string, sopInstanceUid: string, id = 't1'): AnnotationRecord {
  return { id, kind: 'text', seriesId, frameOfReferenceUid: PHANTOM_FOR, sopInstanceUid, frameIndex: 0, points: [[20, -20, 10]], text: `lesion, see ${TOKEN}` };
}

function annotationCount(store: EncryptedStudyStore, seriesId?: string): number {
  const row = seriesId === undefined
    ? store.database.prepare('SELECT count(*) AS n FROM annotations').get()
    : store.database.prepare('SELECT count(*) AS n FROM annotations WHERE series_id = ?').get(seriesId);
  return (row as { n: number }).n;
}

describe('migration 0030 on a cache made before it', () => {
  it('upgrades a store that already holds a series, which can then carry annotations', async () => {
    const root = tempDir('annot-upgrade');
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    const dataDir = path.join(root, 'data');
    const l = dataDirLayout(dataDir);
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    // The store as this build's code makes it, with every migration before 0030 (what users have on disk).
    const keys = await createKeys(l.keyFile, null);
    const before = MIGRATIONS.filter((m) => m.version < 30);
    const db = openDatabase({ file: l.dbFile, key: deriveSubkey(keys.dataKey, 'db'), create: true });
    migrate(db, before);
    const vault = new BlobVault(l.blobsDir, l.tmpDir, deriveSubkey(keys.dataKey, 'blob'));
    await vault.ensureDirs();
    const old = new EncryptedStudyStore({ db, vault, ids: new OpaqueIds(deriveSubkey(keys.dataKey, 'id')) });
    expect((await importPaths(old, [CT_AXIAL])).added).toBe(80);
    expect(schemaVersion(old.database)).toBe(before.at(-1)!.version);
    expect(old.database.prepare("SELECT 1 FROM sqlite_master WHERE name = 'annotations'").get()).toBeUndefined();
    await old.close();

    const store = await openStore({ dataDir, keyStore: null, recoveryKey: keys.recoveryKey });
    cleanups.push(() => store.close());
    expect(schemaVersion(store.database)).toBe(MIGRATIONS.at(-1)!.version);
    expect(store.database.prepare("SELECT strict FROM pragma_table_list WHERE name = 'annotations'").get()).toEqual({ strict: 1 });
    const [series] = await onlySeries(store);
    expect((await store.listInstances(series!.seriesId)).length).toBe(80);
    expect(await store.listAnnotations(series!.seriesId)).toEqual([]);
    const a = lengthBetweenBeads(series!.seriesId, series!.sopInstanceUid);
    expect(await store.saveAnnotations(series!.seriesId, [a])).toEqual({ saved: 1 });
    expect(await store.listAnnotations(series!.seriesId)).toEqual([a]);
    // No accounts yet: the user column is there, empty, ready for per-user sets.
    expect(store.database.prepare('SELECT user_id FROM annotations').all()).toEqual([{ user_id: '' }]);
  });
});

describe('annotations in the encrypted store', () => {
  it('come back after the store is closed and reopened, in the order saved, and a save replaces the set', async () => {
    const ts = await tempStore();
    let store = await ts.open();
    await importPaths(store, [ONE_SLICE]);
    const [s] = await onlySeries(store);
    const set = [textNote(s!.seriesId, s!.sopInstanceUid), lengthBetweenBeads(s!.seriesId, s!.sopInstanceUid)];
    expect(await store.saveAnnotations(s!.seriesId, set)).toEqual({ saved: 2 });
    await store.close();

    store = await ts.open();
    cleanups.push(() => store.close());
    expect(await store.listAnnotations(s!.seriesId)).toEqual(set);
    // The reader deleted the text note: the next save holds only the length.
    expect(await store.saveAnnotations(s!.seriesId, [set[1]!])).toEqual({ saved: 1 });
    expect(await store.listAnnotations(s!.seriesId)).toEqual([set[1]]);
    expect(await store.saveAnnotations(s!.seriesId, [])).toEqual({ saved: 0 });
    expect(await store.listAnnotations(s!.seriesId)).toEqual([]);
  });

  it('refuses a bad set without touching the stored one, and an unknown series', async () => {
    const ts = await tempStore();
    const store = await ts.open();
    cleanups.push(() => store.close());
    await importPaths(store, [ONE_SLICE]);
    const [s] = await onlySeries(store);
    const good = lengthBetweenBeads(s!.seriesId, s!.sopInstanceUid);
    await store.saveAnnotations(s!.seriesId, [good]);

    const other = { ...good, id: 'b1', seriesId: 'se-0000' };
    expect(await codeOfAsync(store.saveAnnotations(s!.seriesId, [good, other]))).toBe('INVALID_REQUEST');
    expect(await codeOfAsync(store.saveAnnotations(s!.seriesId, [good, { ...good }]))).toBe('INVALID_REQUEST');
    // Direct callers (CLI, tests) skip the IPC boundary; the store checks the shape itself.
    expect(await codeOfAsync(store.saveAnnotations(s!.seriesId, [{ ...good, points: [[Number.NaN, 0, 0]] }]))).toBe('INVALID_REQUEST');
    expect(await store.listAnnotations(s!.seriesId)).toEqual([good]);

    expect(await codeOfAsync(store.saveAnnotations('se-0000', [{ ...good, seriesId: 'se-0000' }]))).toBe('NOT_FOUND');
    expect(await codeOfAsync(store.listAnnotations('se-0000'))).toBe('NOT_FOUND');
    expect(annotationCount(store)).toBe(1);
  });

  it('keeps annotation text encrypted on disk: the token is in no file of the data directory', async () => {
    const ts = await tempStore();
    const store = await ts.open();
    await importPaths(store, [ONE_SLICE]);
    const [s] = await onlySeries(store);
    await store.saveAnnotations(s!.seriesId, [textNote(s!.seriesId, s!.sopInstanceUid)]);
    // While open (the WAL holds the new pages) and after close (checkpointed into the main file).
    expect(filesContaining(ts.dataDir, TOKEN)).toEqual([]);
    await store.close();
    expect(filesContaining(ts.dataDir, TOKEN)).toEqual([]);
    // The search itself finds the token where it is in plain bytes.
    const control = path.join(ts.dataDir, 'control-plaintext.txt');
    writeFileSync(control, `x ${TOKEN} x`);
    expect(filesContaining(ts.dataDir, TOKEN)).toEqual([control]);
    const again = await ts.open();
    cleanups.push(() => again.close());
    expect((await again.listAnnotations(s!.seriesId))[0]!.text).toContain(TOKEN);
  });

  it('go with their study when it is purged, and with everything on purge-all', async () => {
    const ts = await tempStore();
    const store = await ts.open();
    cleanups.push(() => store.close());
    await importPaths(store, [ONE_SLICE, OTHER_STUDY]);
    const series = await onlySeries(store);
    expect(new Set(series.map((s) => s.studyId)).size).toBe(2);
    for (const s of series) await store.saveAnnotations(s.seriesId, [textNote(s.seriesId, s.sopInstanceUid), lengthBetweenBeads(s.seriesId, s.sopInstanceUid)]);
    expect(annotationCount(store)).toBe(4);

    const [gone, kept] = series;
    await store.purgeStudy(gone!.studyId);
    expect(annotationCount(store, gone!.seriesId)).toBe(0);
    expect(annotationCount(store, kept!.seriesId)).toBe(2);
    expect(await codeOfAsync(store.listAnnotations(gone!.seriesId))).toBe('NOT_FOUND');
    expect((await store.listAnnotations(kept!.seriesId)).length).toBe(2);

    await store.purgeAll();
    expect(annotationCount(store)).toBe(0);
  });
});

describe('annotations in the memory store (quick view)', () => {
  it('are kept while it lives and go with a purge or when it closes', async () => {
    const store = new MemoryStudyStore('qv-');
    await importPaths(store, [ONE_SLICE, OTHER_STUDY]);
    const series = await onlySeries(store);
    for (const s of series) await store.saveAnnotations(s.seriesId, [textNote(s.seriesId, s.sopInstanceUid)]);
    const gone = series.find((s) => s.sopInstanceUid.startsWith(PHANTOM_UID_ROOT));
    const kept = series.find((s) => s !== gone);
    const saved = await store.listAnnotations(kept!.seriesId);
    expect(saved).toEqual([textNote(kept!.seriesId, kept!.sopInstanceUid)]);
    // What the caller gets is a copy: changing it changes nothing stored.
    saved[0]!.points[0]![0] = 999;
    expect((await store.listAnnotations(kept!.seriesId))[0]!.points[0]).toEqual([20, -20, 10]);

    expect(await codeOfAsync(store.saveAnnotations(kept!.seriesId, [textNote(gone!.seriesId, gone!.sopInstanceUid)]))).toBe('INVALID_REQUEST');
    await store.purgeStudy(gone!.studyId);
    expect(await codeOfAsync(store.listAnnotations(gone!.seriesId))).toBe('NOT_FOUND');
    expect((await store.listAnnotations(kept!.seriesId)).length).toBe(1);
    // Imported again in the same quick view, the series gets its old id back, but not its old notes.
    await importPaths(store, [ONE_SLICE]);
    expect(await store.listAnnotations(gone!.seriesId)).toEqual([]);

    await store.close();
    expect(await codeOfAsync(store.listAnnotations(kept!.seriesId))).toBe('NOT_FOUND');
  });
});

// annotations:list / annotations:save through the real dispatcher and app services over a real encrypted
// store: what the reading room saves comes back when the image is reopened (even after a restart), bad shapes
// are refused at the boundary, and a quick view's annotations never reach the cache.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAppServices } from '../../../src-main/services/app/appServices';
import { openCache } from '../../../src-main/services/app/storeSession';
import { createNodeCodecs } from '../../../src-main/services/codecs/nodeCodecs';
import type { EncryptedStudyStore } from '../../../src-main/services/store/encryptedStudyStore';
import type { AnnotationRecord, Envelope } from '../../../src-shared/ipc/contract';
import { PHANTOMS } from '../import/fixtures/importFixtures';
import { filesContaining, makeTempStore, type TempStore } from '../store/fixtures/tempStore';

const sender = { url: 'app://enclave/index.html', isTopFrame: true };
const CT_AXIAL = path.join(PHANTOMS, 'ct-axial');
const ONE_SLICE = path.join(PHANTOMS, 'deid/phi-everywhere.dcm');
const TOKEN = 'QXANNOTPHI5520';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanups.splice(0).reverse()) await f();
});

async function tempStore(): Promise<TempStore> {
  const ts = await makeTempStore();
  cleanups.push(() => ts.cleanup());
  return ts;
}

async function appOver(store: EncryptedStudyStore, quickViewFolder: string | null = null) {
  const services = createAppServices({
    cache: openCache(store), storeKind: 'encrypted', codecs: await createNodeCodecs(),
    dialogs: { chooseFolder: async () => quickViewFolder }, events: { emit: () => undefined },
    rendererDir: '/nonexistent', version: 't',
  });
  return Object.assign(services, { cacheStore: store });
}

type App = Awaited<ReturnType<typeof appOver>>;

async function call<T>(app: App, channel: string, request: unknown): Promise<T> {
  const r = (await app.dispatch(channel, request, sender)) as Envelope<T>;
  if (!r.ok) throw new Error(`${channel}: ${r.error.code} ${r.error.message}`);
  return r.value;
}

/**
 * The first series of the first study the list shows from `source`, and one of its images. The UIDs are read
 * from the store, not from 'series:open' (whose view is owned elsewhere and changing): this test is about storage.
 */
async function firstSeries(app: App, source: 'cache' | 'quickview') {
  const studies = await call<{ studyId: string; source: string }[]>(app, 'studies:list', {});
  const study = studies.find((s) => s.source === source)!;
  const [series] = await call<{ seriesId: string }[]>(app, 'series:list', { studyId: study.studyId });
  const owner = source === 'quickview' ? app.quickView()! : app.cacheStore;
  const instances = await owner.listInstances(series!.seriesId);
  const meta = instances[Math.min(40, instances.length - 1)]!.meta;
  return { seriesId: series!.seriesId, frameOfReferenceUid: meta.frameOfReferenceUid, sopInstanceUid: meta.sopInstanceUid };
}

function annotationsFor(s: Awaited<ReturnType<typeof firstSeries>>): AnnotationRecord[] {
  const base = { seriesId: s.seriesId, frameOfReferenceUid: s.frameOfReferenceUid, sopInstanceUid: s.sopInstanceUid, frameIndex: 0 };
  return [
    // Between the two beads of GROUND_TRUTH.md (50.0 mm), then the lesion's outline and a note on it.
    { ...base, id: 'len-1', kind: 'length', points: [[-25, 20, -20], [25, 20, -20]] },
    { ...base, id: 'ell-1', kind: 'ellipse', points: [[10, -30, 10], [30, -10, 10]] },
    { ...base, id: 'txt-1', kind: 'text', points: [[20, -20, 10]], text: `lesion ${TOKEN}` },
    { ...base, id: 'ang-1', kind: 'angle', points: [[0, 0, -0.5], [1e-3, -1e6, 2.25], [-7.125, 3, 0]] },
  ];
}

describe('annotations over IPC', () => {
  it('round-trips through dispatch and comes back after the store is closed and reopened', async () => {
    const ts = await tempStore();
    const store = await ts.open();
    let app = await appOver(store);
    await call(app, 'import:paths', { paths: [CT_AXIAL] });
    const s = await firstSeries(app, 'cache');
    expect(s.frameOfReferenceUid).toBe('1.2.826.0.1.3680043.10.1234.1.99');
    expect(await call(app, 'annotations:list', { seriesId: s.seriesId })).toEqual([]);
    const set = annotationsFor(s);
    expect(await call(app, 'annotations:save', { seriesId: s.seriesId, annotations: set })).toEqual({ saved: 4 });
    expect(await call(app, 'annotations:list', { seriesId: s.seriesId })).toEqual(set);
    await store.close();

    const reopened = await ts.open();
    cleanups.push(() => reopened.close());
    app = await appOver(reopened);
    const again = await firstSeries(app, 'cache');
    expect(again.seriesId).toBe(s.seriesId);
    expect(await call(app, 'annotations:list', { seriesId: s.seriesId })).toEqual(set);
    // The whole set is replaced: the ellipse was deleted in the viewer.
    const edited = set.filter((a) => a.id !== 'ell-1');
    expect(await call(app, 'annotations:save', { seriesId: s.seriesId, annotations: edited })).toEqual({ saved: 3 });
    expect(await call(app, 'annotations:list', { seriesId: s.seriesId })).toEqual(edited);
  });

  it('refuses bad shapes, other series and unknown series, and keeps what was stored', async () => {
    const ts = await tempStore();
    const store = await ts.open();
    cleanups.push(() => store.close());
    const app = await appOver(store);
    await call(app, 'import:paths', { paths: [ONE_SLICE] });
    const s = await firstSeries(app, 'cache');
    const set = annotationsFor(s);
    await call(app, 'annotations:save', { seriesId: s.seriesId, annotations: set });
    const [good] = set;
    const save = (annotations: unknown[], seriesId: unknown = s.seriesId) => app.dispatch('annotations:save', { seriesId, annotations }, sender);
    const refused = { ok: false, error: { code: 'INVALID_REQUEST' } };

    const bad: Record<string, unknown> = {
      'NaN coordinate': { ...good, points: [[Number.NaN, 0, 0], [1, 1, 1]] },
      'infinite coordinate': { ...good, points: [[0, Number.POSITIVE_INFINITY, 0]] },
      'two-number point': { ...good, points: [[0, 0]] },
      'string coordinate': { ...good, points: [['0', 0, 0]] },
      'no points': { ...good, points: [] },
      'nine points': { ...good, points: Array.from({ length: 9 }, (_, i) => [i, 0, 0]) },
      'id with a slash': { ...good, id: '../x' },
      'empty id': { ...good, id: '' },
      '65-character id': { ...good, id: 'a'.repeat(65) },
      'unknown kind': { ...good, kind: 'freehand' },
      'negative frame': { ...good, frameIndex: -1 },
      'fractional frame': { ...good, frameIndex: 1.5 },
      'long UID': { ...good, sopInstanceUid: '1.'.repeat(33) },
      'text over 1000': { ...good, text: 'x'.repeat(1001) },
      'extra key': { ...good, userId: 'someone' },
      'missing key': { ...good, frameOfReferenceUid: undefined },
    };
    for (const [why, a] of Object.entries(bad)) expect(await save([a]), why).toMatchObject(refused);
    expect(await save(Array.from({ length: 2001 }, (_, i) => ({ ...good, id: `a${i}` })))).toMatchObject(refused);
    expect(await save(set, '../x')).toMatchObject(refused);
    expect(await app.dispatch('annotations:save', { seriesId: s.seriesId, annotations: set, extra: 1 }, sender)).toMatchObject(refused);
    expect(await app.dispatch('annotations:list', { seriesId: s.seriesId, all: true }, sender)).toMatchObject(refused);
    // Well-formed, but one record names another series, or two share an id.
    expect(await save([good, { ...good, id: 'x2', seriesId: 'se-0123' }])).toMatchObject(refused);
    expect(await save([good, good])).toMatchObject(refused);
    expect(await app.dispatch('annotations:list', { seriesId: 'se-0123' }, sender)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await save([{ ...good, seriesId: 'se-0123' }], 'se-0123')).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await call(app, 'annotations:list', { seriesId: s.seriesId })).toEqual(set);

    // The limits themselves are accepted: 8 points, 1000 characters, 2000 annotations.
    expect(await save([{ ...good, points: Array.from({ length: 8 }, (_, i) => [i, -i, 0.5]), text: 'y'.repeat(1000) }])).toEqual({ ok: true, value: { saved: 1 } });
    expect(await save(Array.from({ length: 2000 }, (_, i) => ({ ...good, id: `a${i}` })))).toEqual({ ok: true, value: { saved: 2000 } });
    const r = (await app.dispatch('annotations:list', { seriesId: s.seriesId }, sender)) as Envelope<AnnotationRecord[]>;
    expect(r.ok && r.value.map((a) => a.id).slice(0, 3)).toEqual(['a0', 'a1', 'a2']);
    expect(r.ok && r.value.length).toBe(2000);
  });

  it('keeps a quick view\'s annotations in memory only: never in the cache, gone when it closes', async () => {
    const ts = await tempStore();
    const store = await ts.open();
    cleanups.push(() => store.close());
    const app = await appOver(store, CT_AXIAL);
    expect(await call(app, 'quickview:chooseFolder', {})).toMatchObject({ added: 80 });
    const s = await firstSeries(app, 'quickview');
    expect(s.seriesId.startsWith('qv-')).toBe(true);
    const set = annotationsFor(s);
    expect(await call(app, 'annotations:save', { seriesId: s.seriesId, annotations: set })).toEqual({ saved: 4 });
    expect(await call(app, 'annotations:list', { seriesId: s.seriesId })).toEqual(set);
    // The cache has no row of them, and no file of the data directory holds their text in any form.
    expect(store.database.prepare('SELECT count(*) AS n FROM annotations').get()).toEqual({ n: 0 });
    store.database.pragma('wal_checkpoint(TRUNCATE)');
    expect(filesContaining(ts.dataDir, TOKEN)).toEqual([]);

    expect(await call(app, 'quickview:close', {})).toEqual({ closed: true });
    expect(await app.dispatch('annotations:list', { seriesId: s.seriesId }, sender)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await app.dispatch('annotations:save', { seriesId: s.seriesId, annotations: set }, sender)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    // Opened again, the same images carry nothing from before.
    await call(app, 'quickview:chooseFolder', {});
    const fresh = await firstSeries(app, 'quickview');
    expect(await call(app, 'annotations:list', { seriesId: fresh.seriesId })).toEqual([]);
  });
});

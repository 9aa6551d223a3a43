// 'studies:search' and the thumbnail route as the renderer reaches them: through the app's dispatcher and
// protocol, with a study in the encrypted cache and another in quick view.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppServices, type AppServices } from '../../../src-main/services/app/appServices';
import { openCache } from '../../../src-main/services/app/storeSession';
import { createNodeCodecs } from '../../../src-main/services/codecs/nodeCodecs';
import type { EncryptedStudyStore } from '../../../src-main/services/store/encryptedStudyStore';
import type { StudySearchItem, StudySearchResult } from '../../../src-shared/ipc/contract';
import { PHANTOMS } from './fixtures/phantomMeta';
import { makeTempStore, type TempStore } from './fixtures/tempStore';

const sender = { url: 'app://enclave/index.html', isTopFrame: true };
let temp: TempStore;
let store: EncryptedStudyStore;
let services: AppServices;

beforeAll(async () => {
  temp = await makeTempStore();
  store = await temp.open();
  services = createAppServices({
    cache: openCache(store),
    storeKind: 'encrypted',
    codecs: await createNodeCodecs(),
    dialogs: { chooseFolder: async () => path.join(PHANTOMS, 'mr-sagittal') },
    events: { emit: () => undefined },
    rendererDir: temp.dataDir,
    version: 't',
  });
  expect(await services.dispatch('import:paths', { paths: [path.join(PHANTOMS, 'ct-axial')] }, sender)).toMatchObject({ ok: true, value: { added: 80 } });
  expect(await services.dispatch('quickview:chooseFolder', {}, sender)).toMatchObject({ ok: true, value: { added: 64 } });
});

afterAll(async () => {
  await store?.close();
  temp?.cleanup();
});

async function search(request: unknown): Promise<StudySearchResult> {
  const r = await services.dispatch('studies:search', request, sender);
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value as StudySearchResult;
}

describe("'studies:search' through the dispatcher", () => {
  it('lists quick view first, marked, then the cache', async () => {
    const r = await search({ limit: 10, offset: 0 });
    expect(r.total).toBe(2);
    expect(r.studies.map((s) => [s.source, s.modalities.join('/'), s.instanceCount])).toEqual([
      ['quickview', 'MR', 64],
      ['cache', 'CT', 80],
    ]);
    const page2 = await search({ limit: 1, offset: 1 });
    expect(page2).toMatchObject({ total: 2, studies: [{ source: 'cache' }] });
  });

  it('searches both by name, ID, accession, description, date and modality', async () => {
    for (const text of ['phantom^pat', 'Phantom, P', 'ph-00', 'acc0001', 'chest']) expect((await search({ text, limit: 10, offset: 0 })).total, text).toBe(2);
    expect((await search({ modality: 'MR', limit: 10, offset: 0 })).studies.map((s) => s.source)).toEqual(['quickview']);
    expect((await search({ text: 'patricia', limit: 10, offset: 0 })).total).toBe(0);
    const date = (await search({ limit: 1, offset: 0 })).studies[0]!.studyDate;
    expect((await search({ dateFrom: date, dateTo: date, limit: 10, offset: 0 })).total).toBe(2);
  });

  it('refuses a bad request before any store sees it', async () => {
    for (const bad of [{ limit: 1000, offset: 0 }, { limit: 10 }, { limit: 10, offset: 0, dateFrom: '2023-01-01' }, { limit: 10, offset: 0, where: '1=1' }]) {
      const r = await services.dispatch('studies:search', bad, sender);
      expect(r.ok ? 'ok' : r.error.code, JSON.stringify(bad)).toBe('INVALID_REQUEST');
    }
    const foreign = await services.dispatch('studies:search', { limit: 10, offset: 0 }, { url: 'https://evil.example/', isTopFrame: true });
    expect(foreign.ok ? 'ok' : foreign.error.code).toBe('FORBIDDEN_SENDER');
  });

  it('serves a preview for the series of both, and none for an unknown series', async () => {
    const studies: StudySearchItem[] = (await search({ limit: 10, offset: 0 })).studies;
    for (const s of studies) {
      const listed = await services.dispatch('series:list', { studyId: s.studyId }, sender);
      if (!listed.ok) throw new Error(listed.error.code);
      const [series] = listed.value as { seriesId: string }[];
      const res = await services.appProtocol(new Request(`app://enclave/thumbs/${series!.seriesId}?v=3`));
      expect(res.status, s.source).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/png');
      expect(Buffer.from(await res.arrayBuffer()).subarray(1, 4).toString('latin1')).toBe('PNG');
    }
    expect((await services.appProtocol(new Request('app://enclave/thumbs/qv-nothing'))).status).toBe(404);
    expect((await services.appProtocol(new Request('app://enclave/thumbs/se-nothing'))).status).toBe(404);
  });
});

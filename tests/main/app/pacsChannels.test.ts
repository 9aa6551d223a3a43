// The query panel's channels through the real dispatcher (zod at the trust boundary) against a real Orthanc: absent
// without a PACS node, a search with the cached studies marked, a retrieve into the encrypted cache with progress
// events that carry the job id, and requests that could change a query's meaning refused before any connection.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppServices } from '../../../src-main/services/app/appServices';
import { openCache } from '../../../src-main/services/app/storeSession';
import { createNodeCodecs } from '../../../src-main/services/codecs/nodeCodecs';
import { applyPolicy, noPolicy } from '../../../src-main/services/policy/effectivePolicy';
import type { EncryptedStudyStore } from '../../../src-main/services/store/encryptedStudyStore';
import type { EventName } from '../../../src-shared/ipc/contract';
import { startOrthanc, type OrthancServer } from '../network/pacs/orthancServer';
import { JPEG_2000, JPEG_LS, NM_STUDY, pacsHarness } from '../network/pacs/pacsFixture';
import { makeTempStore, type TempStore } from '../store/fixtures/tempStore';

const sender = { url: 'app://enclave/index.html', isTopFrame: true };
let orthanc: OrthancServer;
let ts: TempStore;
let store: EncryptedStudyStore;

beforeAll(async () => {
  orthanc = await startOrthanc();
  for (const f of [JPEG_LS, JPEG_2000]) await orthanc.upload(f);
  ts = await makeTempStore();
  store = await ts.open();
}, 60_000);
afterAll(async () => {
  await store?.close();
  ts?.cleanup();
  await orthanc?.stop();
});

async function app(withPacs: boolean) {
  const events: { name: EventName; payload: unknown }[] = [];
  const nodes = withPacs ? [{ name: 'Archive', tls: true, dicomweb: { url: orthanc.dicomwebUrl } }] : [];
  const harness = pacsHarness(nodes);
  const services = createAppServices({
    cache: openCache(store), storeKind: 'encrypted', codecs: await createNodeCodecs(),
    dialogs: { chooseFolder: async () => null }, events: { emit: (name, payload) => events.push({ name, payload }) },
    rendererDir: '/nonexistent', version: 't',
    policy: { loaded: withPacs ? applyPolicy({ PacsNodes: nodes }, 'test') : noPolicy('test'), network: null, pacs: harness.service },
  });
  return { dispatch: services.dispatch, events, gate: harness.gate };
}

describe('PACS channels', () => {
  it('are absent without a node in policy: status says so, the rest is refused, nothing connects', async () => {
    const { dispatch, gate } = await app(false);
    expect(await dispatch('pacs:status', {}, sender)).toEqual({ ok: true, value: { enabled: false, nodes: [] } });
    expect(await dispatch('pacs:find', { node: 'Archive', query: {} }, sender)).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
    expect(gate.stats()).toEqual({ attempts: 0, refused: 0 });
  });

  it('refuse a query that would change its meaning, before any connection', async () => {
    const { dispatch, gate } = await app(true);
    for (const query of [{ patientName: 'A&limit=100000' }, { patientName: 'A\\B' }, { studyDateFrom: '2024-01-01' }, { limit: 100_000 }]) {
      expect(await dispatch('pacs:find', { node: 'Archive', query }, sender)).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } });
    }
    expect(await dispatch('pacs:retrieve', { node: 'Archive', studyUid: '1.2/../../x' }, sender)).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } });
    expect(gate.stats().attempts).toBe(0);
  });

  it('search marks what the cache holds; retrieve stores it with progress events and says studies changed', async () => {
    const { dispatch, events } = await app(true);
    expect(await dispatch('pacs:status', {}, sender)).toEqual({ ok: true, value: { enabled: true, nodes: [{ name: 'Archive', dicomweb: true, dimse: false }] } });
    const before = await dispatch('pacs:find', { node: 'Archive', query: { patientName: 'Compressed*' } }, sender);
    expect(before).toMatchObject({ ok: true, value: [{ studyInstanceUid: NM_STUDY, cached: false }] });
    const r = await dispatch('pacs:retrieve', { node: 'Archive', studyUid: NM_STUDY }, sender);
    expect(r).toMatchObject({ ok: true, value: { added: 2, cancelled: false } });
    const progress = events.filter((e) => e.name === 'pacs:progress').map((e) => e.payload as { jobId: string; done: boolean });
    expect(progress.at(-1)).toMatchObject({ done: true, jobId: (r as { value: { jobId: string } }).value.jobId });
    expect(events.map((e) => e.name)).toContain('studies:changed');
    const after = await dispatch('pacs:find', { node: 'Archive', query: { patientName: 'Compressed*' } }, sender);
    expect(after).toMatchObject({ ok: true, value: [{ cached: true }] });
    expect(await dispatch('pacs:cancel', { jobId: 'pacs-unknown' }, sender)).toEqual({ ok: true, value: { cancelled: false } });
  });
});

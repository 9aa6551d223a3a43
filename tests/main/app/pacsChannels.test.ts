// The query panel's channels through the real dispatcher (zod at the trust boundary) against a real Orthanc: absent
// without a PACS node, a search with the cached studies marked, a retrieve into the encrypted cache with progress
// events that carry the job id, requests that could change a query's meaning refused before any connection, and
// C-MOVE asked for by the panel: refused unless policy gives the node a listener, delivered when it does.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppServices } from '../../../src-main/services/app/appServices';
import { openCache } from '../../../src-main/services/app/storeSession';
import { createNodeCodecs } from '../../../src-main/services/codecs/nodeCodecs';
import { applyPolicy, noPolicy } from '../../../src-main/services/policy/effectivePolicy';
import type { EncryptedStudyStore } from '../../../src-main/services/store/encryptedStudyStore';
import type { PacsNode } from '../../../src-main/services/policy/policySchema';
import type { EventName } from '../../../src-shared/ipc/contract';
import { storeCounts } from '../import/fixtures/importFixtures';
import { freePort, type OrthancServer } from '../network/pacs/orthancServer';
import { JPEG_2000, JPEG_LS, NM_STUDY, pacsHarness, pixelKey, startPacsFixture, storedKeys, type PacsFixture } from '../network/pacs/pacsFixture';
import { makeTempStore } from '../store/fixtures/tempStore';

const sender = { url: 'app://enclave/index.html', isTopFrame: true };
let orthanc: OrthancServer;
let fixture: PacsFixture;
let store: EncryptedStudyStore;
let listenPort: number;

beforeAll(async () => {
  listenPort = await freePort();
  // Orthanc knows Enclave's C-MOVE destination: AE title ENCLAVE at the listener's port on 127.0.0.1.
  fixture = await startPacsFixture([JPEG_LS, JPEG_2000], { modalities: { ENCLAVE: ['ENCLAVE', '127.0.0.1', listenPort] } });
  ({ orthanc, store } = fixture);
}, 60_000);
afterAll(async () => {
  await fixture?.stop();
});

async function app(withPacs: boolean | PacsNode[], into: EncryptedStudyStore = store) {
  const events: { name: EventName; payload: unknown }[] = [];
  const nodes = Array.isArray(withPacs) ? withPacs : withPacs ? [{ name: 'Archive', tls: true, dicomweb: { url: orthanc.dicomwebUrl } }] : [];
  const harness = pacsHarness(nodes);
  const services = createAppServices({
    cache: openCache(into), storeKind: 'encrypted', codecs: await createNodeCodecs(),
    dialogs: { chooseFolder: async () => null }, events: { emit: (name, payload) => events.push({ name, payload }) },
    rendererDir: '/nonexistent', version: 't',
    policy: { loaded: nodes.length > 0 ? applyPolicy({ PacsNodes: nodes }, 'test') : noPolicy('test'), network: null, pacs: harness.service },
  });
  return { dispatch: services.dispatch, events, gate: harness.gate, audited: harness.events };
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
    expect(await dispatch('pacs:status', {}, sender)).toEqual({ ok: true, value: { enabled: true, nodes: [{ name: 'Archive', dicomweb: true, dimse: false, move: false }] } });
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

  it('retrieve by C-MOVE: refused for a node without a listener in policy, before anything connects; with one, the study arrives', async () => {
    const t2 = await makeTempStore();
    const s2 = await t2.open();
    try {
      const dimse = { aeTitle: orthanc.aeTitle, callingAeTitle: 'ENCLAVE', host: '127.0.0.1', port: orthanc.dicomPort, tls: false };
      const { dispatch, gate, audited } = await app([
        { name: 'Get only', ...dimse },
        { name: 'Move', ...dimse, moveListener: { aeTitle: 'ENCLAVE', port: listenPort, bindAddress: '127.0.0.1' } },
      ], s2);
      // The panel learns which nodes offer C-MOVE.
      expect(await dispatch('pacs:status', {}, sender)).toMatchObject({ ok: true, value: { nodes: [{ name: 'Get only', dimse: true, move: false }, { name: 'Move', dimse: true, move: true }] } });

      const refused = await dispatch('pacs:retrieve', { node: 'Get only', studyUid: NM_STUDY, protocol: 'dimse', method: 'move' }, sender);
      expect(refused).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED', message: expect.stringMatching(/^C-MOVE needs an inbound listener, which policy does not allow for PACS node "Get only".*use C-GET/) } });
      expect(await dispatch('pacs:retrieve', { node: 'Move', studyUid: NM_STUDY, method: 'teleport' }, sender)).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } });
      expect(await dispatch('pacs:retrieve', { node: 'Move', studyUid: NM_STUDY, protocol: 'dicomweb', method: 'move' }, sender)).toMatchObject({ ok: false, error: { code: 'INVALID_REQUEST' } });
      expect(gate.stats().attempts).toBe(0);
      expect(storeCounts(s2).instances).toBe(0);

      const moved = await dispatch('pacs:retrieve', { node: 'Move', studyUid: NM_STUDY, protocol: 'dimse', method: 'move' }, sender);
      expect(moved).toMatchObject({ ok: true, value: { added: 2, conflicts: 0, cancelled: false } });
      // By C-MOVE: the listener opened for it and closed after (Application Activity), having received both.
      const listener = audited.filter((e) => e.kind === 'applicationActivity').map((e) => [e.detail?.['phase'], e.detail?.['instances']]);
      expect(listener).toEqual([['opened', undefined], ['closed', 2]]);
      // The instances are the uploaded ones (their compressed pixel data as stored).
      expect(await storedKeys(s2)).toEqual(new Set([JPEG_LS, JPEG_2000].map((f) => pixelKey(readFileSync(f)))));
      // Asked for C-GET (the default) the same node adds nothing more: the same instances, as duplicates.
      expect(await dispatch('pacs:retrieve', { node: 'Move', studyUid: NM_STUDY, protocol: 'dimse', method: 'get' }, sender)).toMatchObject({ ok: true, value: { added: 0 } });
      expect(audited.filter((e) => e.kind === 'applicationActivity').length).toBe(2);
    } finally {
      await s2.close();
      t2.cleanup();
    }
  }, 60_000);
});

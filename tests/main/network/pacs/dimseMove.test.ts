// C-MOVE against a real Orthanc on loopback: the archive knows our move destination (AE title and the listener's port on
// 127.0.0.1) and connects back to deliver. The listener exists only while a C-MOVE runs, only when policy gives the
// node a moveListener, and admits only the node's AE title from the node's host. Instances land in the real encrypted
// cache with the data set exactly as the archive sent it (compressed codestreams included).
import { readFileSync } from 'node:fs';
import net from 'node:net';
import dimse from 'dcmjs-dimse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EncryptedStudyStore } from '../../../../src-main/services/store/encryptedStudyStore';
import { openMoveListener } from '../../../../src-main/services/network/pacs/moveListener';
import { pacsNodeSchema, type PacsNode } from '../../../../src-main/services/policy/policySchema';
import type { AuditEventInput } from '../../../../src-shared/audit/auditEvents';
import { storeCounts } from '../../import/fixtures/importFixtures';
import { makeTempStore } from '../../store/fixtures/tempStore';
import { freePort, type OrthancServer } from './orthancServer';
import { JPEG_2000, JPEG_LS, NM_STUDY, PHANTOM_STUDY, pacsHarness, phantomFiles, pixelKey, sha256, startPacsFixture, storedKeys, type PacsFixture } from './pacsFixture';

let orthanc: OrthancServer;
let fixture: PacsFixture;
let store: EncryptedStudyStore;
let listenPort: number;
const ct = phantomFiles().filter((f) => f.includes('ct-axial'));

beforeAll(async () => {
  listenPort = await freePort();
  fixture = await startPacsFixture([...ct, JPEG_LS, JPEG_2000], { modalities: { ENCLAVE: ['ENCLAVE', '127.0.0.1', listenPort] } });
  ({ orthanc, store } = fixture);
}, 60_000);
afterAll(async () => {
  await fixture?.stop();
});

const node = (over: Partial<PacsNode> = {}): PacsNode => ({
  name: 'Dimse',
  aeTitle: orthanc.aeTitle,
  callingAeTitle: 'ENCLAVE',
  host: '127.0.0.1',
  port: orthanc.dicomPort,
  tls: false,
  moveListener: { aeTitle: 'ENCLAVE', port: listenPort, bindAddress: '127.0.0.1' },
  ...over,
});

/** Whether anything accepts a TCP connection on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** The bytes after the file meta group: the data set as stored. */
function dataSetBytes(file: Uint8Array): Uint8Array {
  const b = Buffer.from(file);
  if (b.toString('latin1', 128, 132) !== 'DICM' || b.readUInt16LE(132) !== 2 || b.readUInt16LE(134) !== 0) throw new Error('no group length in the file meta');
  return b.subarray(144 + b.readUInt32LE(140));
}

/** One C-ECHO association to `port` as `calling`: 'accepted' (echo answered), 'rejected' or 'dropped' (connection closed). */
async function echoAs(calling: string, called: string, port: number): Promise<'accepted' | 'rejected' | 'dropped'> {
  const client = new dimse.Client();
  const request = new dimse.requests.CEchoRequest();
  let status: number | null = null;
  request.on('response', (r: { getStatus(): number }) => void (status = r.getStatus()));
  client.addRequest(request);
  let outcome: 'rejected' | 'dropped' | null = null;
  client.on('associationRejected', () => (outcome = 'rejected'));
  client.on('networkError', () => (outcome ??= 'dropped'));
  await new Promise<void>((resolve) => {
    client.on('closed', () => resolve());
    client.send('127.0.0.1', port, calling, called, { connectTimeout: 3000, associationTimeout: 3000, pduTimeout: 3000 });
  });
  if (outcome) return outcome;
  return status === dimse.constants.Status.Success ? 'accepted' : 'dropped';
}

describe('C-MOVE against Orthanc', () => {
  it('moves a CT series and the JPEG-LS + JPEG 2000 study into the encrypted cache, data sets as sent; the listener is gone after', async () => {
    const audit = { record: (e: AuditEventInput) => store.audit.record(e) };
    const { service, events, gate } = pacsHarness([node()], { audit });
    const [series] = await service.findSeries('Dimse', PHANTOM_STUDY, { protocol: 'dimse' });
    expect(await listening(listenPort)).toBe(false);
    const r = await service.retrieve('Dimse', { studyUid: PHANTOM_STUDY, seriesUid: series!.seriesInstanceUid }, store, { protocol: 'dimse', method: 'move' });
    expect(r).toMatchObject({ added: 80, duplicates: 0, conflicts: 0, skipped: 0, cancelled: false });
    expect(await listening(listenPort)).toBe(false);
    const nm = await service.retrieve('Dimse', { studyUid: NM_STUDY }, store, { method: 'move' });
    expect(nm).toMatchObject({ added: 2, conflicts: 0 });
    expect(storeCounts(store).instances).toBe(82);

    // Same SOP instances, transfer syntaxes and pixel data (the compressed codestreams) as uploaded...
    const uploaded = [...ct, JPEG_LS, JPEG_2000].map((f) => readFileSync(f));
    const want = new Set(uploaded.map((b) => pixelKey(b)));
    expect(await storedKeys(store)).toEqual(want);
    expect([...want].filter((k) => /:1\.2\.840\.10008\.1\.2\.4\.(80|90):/.test(k)).length).toBe(2);
    // ...and, unlike C-GET through dcmjs, each whole data set byte for byte as the archive stored it.
    const ids = (store.database.prepare('SELECT instance_id FROM instances').all() as { instance_id: string }[]).map((x) => x.instance_id);
    const stored = new Set(await Promise.all(ids.map(async (id) => sha256(dataSetBytes(await store.readInstanceBytes(id))))));
    expect(stored).toEqual(new Set(uploaded.map((b) => sha256(dataSetBytes(b)))));

    // Moving the series again adds nothing: duplicates are skipped by the import.
    const again = await service.retrieve('Dimse', { studyUid: PHANTOM_STUDY, seriesUid: series!.seriesInstanceUid }, store, { method: 'move' });
    expect(again).toMatchObject({ added: 0, duplicates: 80 });
    expect(storeCounts(store).instances).toBe(82);

    // Each series' listener opened and closed (Application Activity), each retrieve audited as a transfer and an import.
    const activity = events.filter((e) => e.kind === 'applicationActivity').map((e) => e.detail?.['phase']);
    expect(activity).toEqual(['opened', 'closed', 'opened', 'closed', 'opened', 'closed']);
    expect(events.filter((e) => e.kind === 'applicationActivity' && e.detail?.['phase'] === 'closed').map((e) => e.detail?.['instances'])).toEqual([80, 2, 80]);
    expect(events.filter((e) => e.kind === 'securityAlert')).toEqual([]);
    expect(events.filter((e) => e.kind === 'instancesTransferred').map((e) => e.detail?.['protocol'])).toEqual(['dimse', 'dimse', 'dimse']);
    expect(store.audit.list().filter((x) => x.eventId === '110107').length).toBeGreaterThanOrEqual(2);
    expect(gate.stats().refused).toBe(0);
  }, 60_000);

  it('without a moveListener in policy, C-MOVE is refused before anything connects, and nothing listens', async () => {
    const { service, gate } = pacsHarness([node({ moveListener: undefined })]);
    const before = storeCounts(store).instances;
    const moving = service.retrieve('Dimse', { studyUid: NM_STUDY }, store, { method: 'move' });
    const probe = listening(listenPort);
    await expect(moving).rejects.toThrow(/C-MOVE needs an inbound listener, which policy does not allow/);
    expect(await probe).toBe(false);
    expect(await listening(listenPort)).toBe(false);
    expect(gate.stats().attempts).toBe(0);
    expect(storeCounts(store).instances).toBe(before);
  });

  it('cancel mid-move stops the listener and leaves the cache whole; an instance over the cap ends the move', async () => {
    const t2 = await makeTempStore();
    const s2 = await t2.open();
    try {
      const { service } = pacsHarness([node()]);
      const ac = new AbortController();
      const [series] = await service.findSeries('Dimse', PHANTOM_STUDY, { protocol: 'dimse' });
      const r = await service.retrieve('Dimse', { studyUid: PHANTOM_STUDY, seriesUid: series!.seriesInstanceUid }, s2, {
        method: 'move',
        signal: ac.signal,
        onProgress: (p) => {
          if (p.filesDone >= 5) ac.abort();
        },
      });
      expect(r.cancelled).toBe(true);
      const n = storeCounts(s2).instances;
      expect(n).toBeGreaterThanOrEqual(5);
      expect(n).toBeLessThan(80);
      // What was committed is whole: every stored instance reads back and is one of the uploaded ones.
      const want = new Set(ct.map((f) => pixelKey(readFileSync(f))));
      for (const k of await storedKeys(s2)) expect(want.has(k)).toBe(true);
      expect(await listening(listenPort)).toBe(false);

      const capped = pacsHarness([node()], { limits: { maxBytes: 4096 } });
      await expect(capped.service.retrieve('Dimse', { studyUid: NM_STUDY }, s2, { method: 'move' })).rejects.toThrow(/larger than 4096 bytes/);
      expect(storeCounts(s2).instances).toBe(n);
      expect(await listening(listenPort)).toBe(false);
    } finally {
      await s2.close();
      t2.cleanup();
    }
  }, 60_000);

  it('policy refuses a moveListener on a TLS node, on 0.0.0.0, or without a DIMSE address', () => {
    const base = { name: 'N', aeTitle: 'PACS', host: 'pacs.example.org', port: 104 };
    expect(pacsNodeSchema.safeParse({ ...base, tls: false, moveListener: { aeTitle: 'ENCLAVE', port: 11113 } }).data?.moveListener?.bindAddress).toBe('127.0.0.1');
    expect(pacsNodeSchema.safeParse({ ...base, moveListener: { aeTitle: 'ENCLAVE', port: 11113 } }).success).toBe(false);
    expect(pacsNodeSchema.safeParse({ ...base, tls: false, moveListener: { aeTitle: 'ENCLAVE', port: 11113, bindAddress: '0.0.0.0' } }).success).toBe(false);
    expect(pacsNodeSchema.safeParse({ ...base, tls: false, moveListener: { aeTitle: 'ENCLAVE', port: 11113, bindAddress: '10.0.0.300' } }).success).toBe(false);
    expect(pacsNodeSchema.safeParse({ name: 'W', tls: false, dicomweb: { url: 'http://127.0.0.1:8042/dicom-web' }, moveListener: { aeTitle: 'ENCLAVE', port: 11113 } }).success).toBe(false);
  });

  it('the listener admits the node only: a wrong calling AE, a wrong called AE or another host is refused and audited', async () => {
    const events: AuditEventInput[] = [];
    const audit = { record: (e: AuditEventInput) => void events.push(e) };
    const port = await freePort();
    const open = (host: string) =>
      openMoveListener({
        listener: { aeTitle: 'ENCLAVE', port, bindAddress: '127.0.0.1' },
        peer: { aeTitle: 'ORTHANC', host },
        limits: { instanceMaxBytes: 1 << 20, maxInstances: 10, idleMs: 3000 },
        audit,
        onInstance: async () => undefined,
        onFailure: () => undefined,
      });
    const l = await open('127.0.0.1');
    try {
      expect(await echoAs('ORTHANC', 'ENCLAVE', port)).toBe('accepted');
      expect(await echoAs('INTRUDER', 'ENCLAVE', port)).toBe('rejected');
      expect(await echoAs('ORTHANC', 'SOMEONE', port)).toBe('rejected');
    } finally {
      await l.close();
    }
    expect(await listening(port)).toBe(false);
    // The node lives on 127.0.0.2: a connection from 127.0.0.1, even with the right AE title, is dropped unread.
    const other = await open('127.0.0.2');
    try {
      expect(await echoAs('ORTHANC', 'ENCLAVE', port)).toBe('dropped');
    } finally {
      await other.close();
    }
    // A port already taken is a clear error, not a listener somewhere else.
    const squatter = net.createServer();
    await new Promise<void>((r) => squatter.listen(port, '127.0.0.1', r));
    try {
      await expect(open('127.0.0.1')).rejects.toThrow(`The C-MOVE listener cannot open port ${port}: something else uses it.`);
    } finally {
      await new Promise<void>((r) => squatter.close(() => r()));
    }
    const refusals = events.filter((e) => e.kind === 'securityAlert').map((e) => e.detail?.['refusal']);
    expect(refusals).toEqual(['calling_ae', 'called_ae', 'host']);
    expect(events.filter((e) => e.kind === 'securityAlert').every((e) => e.eventType === 'nodeAuthentication')).toBe(true);
  });
});

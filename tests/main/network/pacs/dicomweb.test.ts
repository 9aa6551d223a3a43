// DICOMweb against a real Orthanc (with its DICOMweb plugin) on loopback: QIDO-RS finds the phantom study by wildcard
// name and by date range, WADO-RS brings it into the real encrypted cache byte for byte (compressed originals kept
// as stored), caps and timeouts refuse what they must, a cancel leaves whole instances only, and every query and
// retrieve lands in the audit trail (the query itself only inside it, as ATNA's ParticipantObjectQuery).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toAtnaXml } from '../../../../src-main/services/audit/atnaXml';
import { EgressRefused } from '../../../../src-main/services/network/egress';
import type { EncryptedStudyStore } from '../../../../src-main/services/store/encryptedStudyStore';
import { REPO, storeCounts } from '../../import/fixtures/importFixtures';
import { makeTempStore, type TempStore } from '../../store/fixtures/tempStore';
import { startOrthanc, type OrthancServer } from './orthancServer';
import { JPEG_2000, JPEG_LS, NM_STUDY, PHANTOM_STUDY, pacsHarness, phantomFiles, sha256, uploadedHashes } from './pacsFixture';

let orthanc: OrthancServer;
let ts: TempStore;
let store: EncryptedStudyStore;
const uploaded = [...phantomFiles(), JPEG_LS, JPEG_2000];
const node = () => ({ name: 'Test archive', tls: true, dicomweb: { url: orthanc.dicomwebUrl } });

beforeAll(async () => {
  orthanc = await startOrthanc();
  for (const f of uploaded) await orthanc.upload(f);
  ts = await makeTempStore();
}, 60_000);
afterAll(async () => {
  await store?.close();
  ts?.cleanup();
  await orthanc?.stop();
});

async function freshStore(): Promise<EncryptedStudyStore> {
  await store?.close();
  const s = await ts.open();
  await s.purgeAll();
  await s.close();
  store = await ts.open();
  return store;
}

async function storedHashes(s: EncryptedStudyStore): Promise<string[]> {
  const ids = (s.database.prepare('SELECT instance_id FROM instances').all() as { instance_id: string }[]).map((r) => r.instance_id);
  return Promise.all(ids.map(async (id) => sha256(await s.readInstanceBytes(id))));
}

describe('DICOMweb query (QIDO-RS) against Orthanc', () => {
  it('finds the phantom study by wildcard name and by date range, and audits each query with the query itself', async () => {
    const s = await freshStore();
    const { service, events } = pacsHarness([node()], { audit: s.audit });
    const byName = await service.findStudies('Test archive', { patientName: 'Phant*^Pat*' });
    expect(byName.map((x) => x.studyInstanceUid)).toEqual([PHANTOM_STUDY]);
    expect(byName[0]).toMatchObject({ patientName: 'Phantom^Patricia', patientId: 'PH-0001', accession: 'ACC0001', description: 'Phantom chest', studyDate: '20240102' });
    expect((await service.findStudies('Test archive', { patientName: '*^Patricia' })).length).toBe(1);
    expect(await service.findStudies('Test archive', { patientName: 'Nobody*' })).toEqual([]);
    const january = await service.findStudies('Test archive', { studyDateFrom: '20240101', studyDateTo: '20240131' });
    expect(january.map((x) => x.studyInstanceUid)).toEqual([PHANTOM_STUDY]);
    const in2004 = await service.findStudies('Test archive', { studyDateFrom: '20040101', studyDateTo: '20041231' });
    expect(in2004.map((x) => x.studyInstanceUid)).toEqual([NM_STUDY]);
    expect((await service.findStudies('Test archive', { patientId: 'PH-0001', birthDate: '19700101', accession: 'ACC0001' })).length).toBe(1);
    const paged = await service.findStudies('Test archive', { limit: 1, offset: 1 });
    expect(paged.length).toBe(1);
    const series = await service.findSeries('Test archive', PHANTOM_STUDY);
    expect(series.map((x) => [x.modality, x.instanceCount]).sort()).toEqual([['CT', 80], ['MR', 64]]);

    const queries = events.filter((e) => e.kind === 'query');
    expect(queries.length).toBe(8);
    expect(Buffer.from(queries[0]!.query!.base64, 'base64').toString()).toContain('PatientName=Phant*^Pat*');
    // Nothing identifying outside the encrypted trail's query object: not in the detail words.
    for (const e of events) expect(JSON.stringify(e.detail ?? {})).not.toMatch(/Phant|PH-0001|ACC0001/);
    const record = s.audit.list().find((r) => r.eventId === '110112')!;
    const xml = toAtnaXml(record);
    expect(xml).toContain(`<ParticipantObjectQuery>${queries[0]!.query!.base64}</ParticipantObjectQuery>`);
    const dir = mkdtempSync(path.join(tmpdir(), 'enclave-atna-'));
    writeFileSync(path.join(dir, 'q.xml'), xml);
    const jing = spawnSync('jing', ['-c', path.join(REPO, 'tests/fixtures/audit/dicom-audit-message.rnc'), path.join(dir, 'q.xml')], { encoding: 'utf8' });
    expect((jing.stdout + jing.stderr).split('\n').filter((l) => l && !l.startsWith('[warning]'))).toEqual([]);
    expect(jing.status).toBe(0);
  });

  it('refuses an answer over the 64 KiB cap (the CT series lists 80 instances, ~146 KB of JSON)', async () => {
    const { service, events } = pacsHarness([node()], { limits: { queryMaxBytes: 64 * 1024 } });
    const e = await service.findInstances('Test archive', PHANTOM_STUDY, `${PHANTOM_STUDY}.1`).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(EgressRefused);
    expect((e as EgressRefused).reason).toBe('too_large');
    expect(events.map((x) => x.kind)).toEqual(['securityAlert', 'query']);
    // The same query under the default cap answers.
    expect((await pacsHarness([node()]).service.findInstances('Test archive', PHANTOM_STUDY, `${PHANTOM_STUDY}.1`)).length).toBe(80);
  });

  it('gives up on a server that accepts and never answers (idle timeout), well before the total limit', async () => {
    const sockets: net.Socket[] = [];
    const stall = net.createServer((s) => void sockets.push(s));
    await new Promise<void>((r) => stall.listen(0, '127.0.0.1', r));
    const port = (stall.address() as net.AddressInfo).port;
    try {
      const { service, events } = pacsHarness([{ name: 'Stalled', tls: true, dicomweb: { url: `http://127.0.0.1:${port}/dicom-web` } }], { limits: { idleMs: 300, totalMs: 30_000 } });
      const t0 = Date.now();
      const e = await service.findStudies('Stalled', { patientName: 'X*' }).catch((x: unknown) => x);
      expect((e as EgressRefused).reason).toBe('timeout');
      expect(Date.now() - t0).toBeLessThan(3000);
      expect(sockets.length).toBe(1);
      expect(events.find((x) => x.kind === 'securityAlert')?.detail).toEqual({ egressKind: 'pacs', refusal: 'timeout' });
    } finally {
      for (const s of sockets) s.destroy();
      stall.close();
    }
  });

  it('says PACS is disabled when policy lists no node, and refuses a node policy does not name', async () => {
    const { service } = pacsHarness([]);
    expect(service.enabled()).toBe(false);
    await expect(service.findStudies('Test archive', {})).rejects.toThrow(/PACS is disabled/);
    const other = pacsHarness([node()]);
    await expect(other.service.findStudies('Elsewhere', {})).rejects.toThrow(/No PACS node named/);
  });
});

describe('DICOMweb retrieve (WADO-RS) into the encrypted cache', () => {
  it('retrieves the phantom study byte for byte, then skips it as already cached; audits 110104 and 110107', async () => {
    const s = await freshStore();
    const { service, events } = pacsHarness([node()], { audit: s.audit });
    const r = await service.retrieve('Test archive', { studyUid: PHANTOM_STUDY }, s);
    expect(r).toMatchObject({ series: 2, seriesSkipped: 0, added: 144, duplicates: 0, conflicts: 0, skipped: 0, cancelled: false });
    const want = uploadedHashes(phantomFiles());
    const got = await storedHashes(s);
    expect(got.length).toBe(144);
    expect(new Set(got)).toEqual(want);
    const again = await service.retrieve('Test archive', { studyUid: PHANTOM_STUDY }, s);
    expect(again).toMatchObject({ seriesSkipped: 2, added: 0 });
    const ids = s.audit.list().map((x) => x.eventId);
    expect(ids.filter((x) => x === '110104').length).toBe(2);
    expect(ids.filter((x) => x === '110107').length).toBe(2); // one import per series retrieved
    const transfer = s.audit.list().find((x) => x.eventId === '110104')!;
    expect(transfer.objects.find((o) => o.type === 'study')?.uid).toBe(PHANTOM_STUDY);
    expect(events.filter((e) => e.kind === 'securityAlert')).toEqual([]);
  });

  it('keeps JPEG-LS and JPEG 2000 originals exactly as stored (transfer-syntax=*)', async () => {
    const s = await freshStore();
    const { service } = pacsHarness([node()]);
    const r = await service.retrieve('Test archive', { studyUid: NM_STUDY }, s);
    expect(r.added).toBe(2);
    expect(new Set(await storedHashes(s))).toEqual(uploadedHashes([JPEG_LS, JPEG_2000]));
  });

  it('a cancel mid-retrieve leaves whole instances only, and a second retrieve completes it', async () => {
    const s = await freshStore();
    const { service } = pacsHarness([node()]);
    const ac = new AbortController();
    const r = await service.retrieve('Test archive', { studyUid: PHANTOM_STUDY, seriesUid: `${PHANTOM_STUDY}.1` }, s, {
      signal: ac.signal,
      // Progress is throttled in time (the first file always reports): cancel at the first report, which under load
      // may otherwise be the last.
      onProgress: (p) => {
        if (p.filesDone >= 1 && !p.done) ac.abort();
      },
    });
    expect(r.cancelled).toBe(true);
    const partial = storeCounts(s).instances;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(80);
    expect(await s.verifyAll()).toEqual({ checked: partial, tampered: [] });
    const want = uploadedHashes(phantomFiles());
    for (const h of await storedHashes(s)) expect(want.has(h)).toBe(true);
    const rest = await service.retrieve('Test archive', { studyUid: PHANTOM_STUDY, seriesUid: `${PHANTOM_STUDY}.1` }, s);
    expect(rest.added + partial).toBe(80);
    expect(rest.duplicates).toBe(partial);
    expect(storeCounts(s).instances).toBe(80);
  });

  it('refuses a series over its byte cap, keeping only whole instances', async () => {
    const s = await freshStore();
    const { service } = pacsHarness([node()], { limits: { seriesMaxBytes: 2 * 1024 * 1024 } });
    const e = await service.retrieve('Test archive', { studyUid: PHANTOM_STUDY, seriesUid: `${PHANTOM_STUDY}.1` }, s).catch((x: unknown) => x);
    expect((e as EgressRefused).reason).toBe('too_large');
    expect(storeCounts(s).instances).toBeLessThan(80);
    expect((await s.verifyAll()).tampered).toEqual([]);
  });
});

// DIMSE (dcmjs-dimse) against a real Orthanc on loopback: C-ECHO, C-FIND by wildcard name and date range, and C-GET
// of a series (80 CT slices) and of the JPEG-LS + JPEG 2000 series, each compressed syntax proposed in its own
// presentation context, into the real encrypted cache: the pixel data and transfer syntax arrive as stored.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EncryptedStudyStore } from '../../../../src-main/services/store/encryptedStudyStore';
import type { PacsNode } from '../../../../src-main/services/policy/policySchema';
import { storeCounts } from '../../import/fixtures/importFixtures';
import type { OrthancServer } from './orthancServer';
import { JPEG_2000, JPEG_LS, NM_STUDY, PHANTOM_STUDY, pacsHarness, phantomFiles, pixelKey, startPacsFixture, storedKeys, type PacsFixture } from './pacsFixture';

let orthanc: OrthancServer;
let fixture: PacsFixture;
let store: EncryptedStudyStore;
const ct = phantomFiles().filter((f) => f.includes('ct-axial'));

beforeAll(async () => {
  fixture = await startPacsFixture([...ct, JPEG_LS, JPEG_2000], { modalities: { ENCLAVE: ['ENCLAVE', '127.0.0.1', 11112] } });
  ({ orthanc, store } = fixture);
}, 60_000);
afterAll(async () => {
  await fixture?.stop();
});

const node = (over: Partial<PacsNode> = {}): PacsNode => ({ name: 'Dimse', aeTitle: orthanc.aeTitle, callingAeTitle: 'ENCLAVE', host: '127.0.0.1', port: orthanc.dicomPort, tls: false, ...over });

describe('DIMSE against Orthanc', () => {
  it('C-ECHO answers; a wrong called AE title is a rejected association, said so', async () => {
    const { service, gate } = pacsHarness([node()]);
    expect((await service.echo('Dimse')).protocol).toBe('dimse');
    expect(gate.stats().attempts).toBe(1);
    const wrong = pacsHarness([node({ aeTitle: 'NOT-ORTHANC' })]);
    await expect(wrong.service.echo('Dimse')).rejects.toThrow(/rejected the association/);
  });

  it('C-FIND finds the study by wildcard name and by date range, audited as a Query', async () => {
    const { service, events } = pacsHarness([node()]);
    const byName = await service.findStudies('Dimse', { patientName: 'Phant*' });
    expect(byName.map((s) => s.studyInstanceUid)).toEqual([PHANTOM_STUDY]);
    expect(byName[0]).toMatchObject({ patientId: 'PH-0001', studyDate: '20240102', accession: 'ACC0001' });
    const in2004 = await service.findStudies('Dimse', { studyDateFrom: '20040101', studyDateTo: '20041231' });
    expect(in2004.map((s) => s.studyInstanceUid)).toEqual([NM_STUDY]);
    expect((await service.findSeries('Dimse', PHANTOM_STUDY)).map((s) => s.instanceCount)).toEqual([80]);
    const q = events.filter((e) => e.kind === 'query');
    expect(q.length).toBe(3);
    expect(q[0]!.detail).toMatchObject({ protocol: 'dimse', level: 'STUDY', results: 1 });
    expect(Buffer.from(q[0]!.query!.base64, 'base64').toString()).toContain('"PatientName":"Phant*"');
  });

  it('C-GET brings a 80-slice series and the JPEG-LS + JPEG 2000 series into the encrypted cache, pixel data as stored', async () => {
    const { service, events } = pacsHarness([node()], { audit: store.audit });
    const t0 = Date.now();
    const r = await service.retrieve('Dimse', { studyUid: PHANTOM_STUDY }, store, { protocol: 'dimse' });
    const seconds = (Date.now() - t0) / 1000;
    console.log(`C-GET of 80 CT slices into the encrypted cache: ${seconds.toFixed(2)} s`);
    expect(r).toMatchObject({ added: 80, conflicts: 0, skipped: 0 });
    const nm = await service.retrieve('Dimse', { studyUid: NM_STUDY }, store, { protocol: 'dimse' });
    expect(nm.added).toBe(2);
    expect(storeCounts(store).instances).toBe(82);
    const want = new Set([...ct, JPEG_LS, JPEG_2000].map((f) => pixelKey(readFileSync(f))));
    expect(await storedKeys(store)).toEqual(want);
    expect([...want].filter((k) => /:1\.2\.840\.10008\.1\.2\.4\.(80|90):/.test(k)).length).toBe(2);
    expect(events.filter((e) => e.kind === 'instancesTransferred').map((e) => e.detail?.['protocol'])).toEqual(['dimse', 'dimse']);
    expect(store.audit.list().filter((x) => x.eventId === '110107').length).toBe(2);
  });

  it('a node without a DIMSE address cannot be asked over DIMSE', async () => {
    const { service } = pacsHarness([{ name: 'Web', tls: true, dicomweb: { url: orthanc.dicomwebUrl } }]);
    await expect(service.echo('Web', { protocol: 'dimse' })).rejects.toThrow(/no DIMSE address/);
  });
});

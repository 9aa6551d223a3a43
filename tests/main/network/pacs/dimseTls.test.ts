// DICOM TLS (PS3.15 B.1) against Orthanc's DIMSE port with a throwaway CA: the node's CA is accepted (echo and a
// study search), another CA and a wrong public-key pin are refused before the association, each a security alert.
import { X509Certificate, createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EgressRefused } from '../../../../src-main/services/network/egress';
import type { PacsNode } from '../../../../src-main/services/policy/policySchema';
import { makeThrowawayCa, type ThrowawayCa } from '../loopbackHttps';
import { startOrthanc, type OrthancServer } from './orthancServer';
import { JPEG_LS, NM_STUDY, pacsHarness } from './pacsFixture';

let ca: ThrowawayCa;
let otherCa: ThrowawayCa;
let orthanc: OrthancServer;

beforeAll(async () => {
  ca = makeThrowawayCa();
  otherCa = makeThrowawayCa();
  orthanc = await startOrthanc({ modalities: { ENCLAVE: ['ENCLAVE', '127.0.0.1', 11112] }, dicomTls: { certPem: ca.certPem, keyPem: ca.keyPem, caPem: ca.caPem } });
  await orthanc.upload(JPEG_LS);
}, 60_000);
afterAll(async () => {
  await orthanc?.stop();
});

const node = (over: Partial<PacsNode> = {}): PacsNode => ({ name: 'Tls', aeTitle: orthanc.aeTitle, callingAeTitle: 'ENCLAVE', host: '127.0.0.1', port: orthanc.dicomPort, tls: true, caPem: ca.caPem, ...over });
const pinOf = (pem: string) => createHash('sha256').update(new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' })).digest('base64');

async function refusal(p: Promise<unknown>): Promise<EgressRefused> {
  const e = await p.then(() => null, (x: unknown) => x);
  if (!(e instanceof EgressRefused)) throw new Error(`expected a refusal, got ${String(e)}`);
  return e;
}

describe('DICOM TLS against Orthanc', () => {
  it('accepts the node CA (with its pin): echo and a study search', async () => {
    const { service, events } = pacsHarness([node({ spkiSha256: pinOf(ca.certPem) })]);
    expect((await service.echo('Tls')).protocol).toBe('dimse');
    expect((await service.findStudies('Tls', { patientName: 'Compressed*' })).map((s) => s.studyInstanceUid)).toEqual([NM_STUDY]);
    expect(events.filter((e) => e.kind === 'securityAlert')).toEqual([]);
  });

  it('refuses another CA and a wrong pin, each audited as a security alert', async () => {
    const wrongCa = pacsHarness([node({ caPem: otherCa.caPem })]);
    expect((await refusal(wrongCa.service.echo('Tls'))).reason).toBe('certificate');
    const wrongPin = pacsHarness([node({ spkiSha256: pinOf(otherCa.certPem) })]);
    expect((await refusal(wrongPin.service.echo('Tls'))).reason).toBe('pin_mismatch');
    expect([...wrongCa.events, ...wrongPin.events].map((e) => e.detail)).toEqual([{ egressKind: 'pacs', refusal: 'certificate' }, { egressKind: 'pacs', refusal: 'pin_mismatch' }]);
  });

  it('a plain (non-TLS) association to the TLS port does not get an answer', async () => {
    const { service } = pacsHarness([node({ tls: false })], { limits: { connectMs: 2000, idleMs: 2000, totalMs: 5000 } });
    await expect(service.echo('Tls')).rejects.toThrow();
  });
});

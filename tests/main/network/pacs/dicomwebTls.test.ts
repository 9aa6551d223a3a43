// DICOMweb over https, as a hospital serves it: nginx terminating TLS (a throwaway CA made with openssl) with basic
// auth in front of a real Orthanc. The node's own CA is accepted; another CA, a wrong public-key pin and a TLS 1.1
// server are refused before any request is sent, each audited as a security alert; a wrong password is a clear
// error that names where the secret lives, never the secret.
import { X509Certificate, createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EgressRefused } from '../../../../src-main/services/network/egress';
import type { PacsNode } from '../../../../src-main/services/policy/policySchema';
import type { EncryptedStudyStore } from '../../../../src-main/services/store/encryptedStudyStore';
import { makeThrowawayCa, type ThrowawayCa } from '../loopbackHttps';
import { startNginxTls, type NginxTls } from './nginxTls';
import type { OrthancServer } from './orthancServer';
import { JPEG_2000, JPEG_LS, NM_STUDY, memoryKeyStore, pacsHarness, sha256, startPacsFixture, uploadedHashes, type PacsFixture } from './pacsFixture';

const PASSWORD = 'correct horse battery staple';
let orthanc: OrthancServer;
let nginx: NginxTls;
let ca: ThrowawayCa;
let otherCa: ThrowawayCa;
let fixture: PacsFixture;
let store: EncryptedStudyStore;

beforeAll(async () => {
  ca = makeThrowawayCa();
  otherCa = makeThrowawayCa();
  fixture = await startPacsFixture([JPEG_LS, JPEG_2000]);
  ({ orthanc, store } = fixture);
  nginx = await startNginxTls({ upstreamPort: orthanc.httpPort, ca, user: 'enclave', password: PASSWORD });
}, 60_000);
afterAll(async () => {
  await nginx?.stop();
  await fixture?.stop();
});

const secrets = () => memoryKeyStore({ 'test-pacs': PASSWORD });

function node(over: Partial<PacsNode> = {}, url = nginx.dicomwebUrl): PacsNode {
  return { name: 'Secure', tls: true, dicomweb: { url, auth: { type: 'basic', username: 'enclave', secretKey: 'test-pacs' } }, caPem: ca.caPem, ...over };
}

function pinOf(certPem: string): string {
  return createHash('sha256').update(new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' })).digest('base64');
}

async function refusal(p: Promise<unknown>): Promise<EgressRefused> {
  const e = await p.then(() => null, (x: unknown) => x);
  if (!(e instanceof EgressRefused)) throw new Error(`expected a refusal, got ${String(e)}`);
  return e;
}

describe('DICOMweb over https (nginx + basic auth in front of Orthanc)', () => {
  it('accepts the node CA with the right password and pin, and retrieves byte for byte', async () => {
    const { service, events, gate } = pacsHarness([node({ spkiSha256: pinOf(ca.certPem) })], { secrets: secrets() });
    const found = await service.findStudies('Secure', { patientName: 'Compressed*' });
    expect(found.map((s) => s.studyInstanceUid)).toEqual([NM_STUDY]);
    const r = await service.retrieve('Secure', { studyUid: NM_STUDY }, store);
    expect(r.added).toBe(2);
    const ids = (store.database.prepare('SELECT instance_id FROM instances').all() as { instance_id: string }[]).map((x) => x.instance_id);
    expect(new Set(await Promise.all(ids.map(async (id) => sha256(await store.readInstanceBytes(id)))))).toEqual(uploadedHashes([JPEG_LS, JPEG_2000]));
    expect(events.filter((e) => e.kind === 'securityAlert')).toEqual([]);
    expect(gate.stats().attempts).toBe(3); // the study query, the series query, one series retrieve
  });

  it('refuses a server whose certificate another CA signed (the system CAs do not help either)', async () => {
    const wrong = pacsHarness([node({ caPem: otherCa.caPem })], { secrets: secrets() });
    const e = await refusal(wrong.service.findStudies('Secure', {}));
    expect(e.reason).toBe('certificate');
    expect(e.message).toMatch(/certificate is not trusted/);
    expect(wrong.events.filter((x) => x.kind === 'securityAlert').map((x) => x.detail)).toEqual([{ egressKind: 'pacs', refusal: 'certificate' }]);
    const noCa = pacsHarness([node({ caPem: undefined } as Partial<PacsNode>)], { secrets: secrets() });
    expect((await refusal(noCa.service.findStudies('Secure', {}))).reason).toBe('certificate');
  });

  it('refuses a certificate whose public key is not the pinned one, even from the right CA', async () => {
    const { service, events } = pacsHarness([node({ spkiSha256: pinOf(otherCa.certPem) })], { secrets: secrets() });
    const e = await refusal(service.findStudies('Secure', {}));
    expect(e.reason).toBe('pin_mismatch');
    expect(events.filter((x) => x.kind === 'securityAlert').map((x) => x.detail)).toEqual([{ egressKind: 'pacs', refusal: 'pin_mismatch' }]);
  });

  it('says clearly when the password is wrong or missing, without showing it', async () => {
    const { service } = pacsHarness([node()], { secrets: memoryKeyStore({ 'test-pacs': 'wrong password' }) });
    const e = await refusal(service.findStudies('Secure', {}));
    expect(e.status).toBe(401);
    expect(e.message).toMatch(/refused the credentials \(HTTP 401\)/);
    expect(e.message).not.toContain('wrong password');
    const none = pacsHarness([node()], { secrets: memoryKeyStore() });
    await expect(none.service.findStudies('Secure', {})).rejects.toThrow(/No secret for PACS node "Secure" in the keychain \(account "test-pacs"\)/);
    expect(none.gate.stats().attempts).toBe(0); // no secret, no connection
  });

  it('refuses a server that offers only TLS 1.1', async () => {
    const { service, events } = pacsHarness([node({}, nginx.oldTlsUrl)], { secrets: secrets() });
    const e = await refusal(service.findStudies('Secure', {}));
    expect(e.reason).toBe('tls_version');
    expect(events.filter((x) => x.kind === 'securityAlert').map((x) => x.detail)).toEqual([{ egressKind: 'pacs', refusal: 'tls_version' }]);
  });
});

// PACS nodes as IT writes them: DICOMweb and/or DIMSE, secrets only as keychain account names, https off this
// machine, a pin shaped like a SHA-256. A node that could leak a credential or downgrade TLS is refused outright.
import { describe, expect, it } from 'vitest';
import { policySchema } from '../../../src-main/services/policy/policySchema';

const PIN = 'n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=';
const ok = (PacsNodes: unknown[]) => policySchema.safeParse({ PacsNodes }).success;

describe('PACS nodes in policy', () => {
  it('accepts a DICOMweb node, a DIMSE node and one with both, with CA and pin', () => {
    expect(ok([{ name: 'Web', dicomweb: { url: 'https://pacs.example.org/dicom-web', auth: { type: 'bearer', secretKey: 'web-token' } }, spkiSha256: PIN }])).toBe(true);
    expect(ok([{ name: 'Dimse', aeTitle: 'PACS1', callingAeTitle: 'ENCLAVE', host: 'pacs.example.org', port: 11112, tls: true, caPem: '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----' }])).toBe(true);
    expect(ok([{ name: 'Both', aeTitle: 'PACS1', host: '10.0.0.5', port: 104, dicomweb: { url: 'https://10.0.0.5/wado', auth: { type: 'basic', username: 'enclave', secretKey: 'both' } } }])).toBe(true);
    expect(ok([{ name: 'Local', dicomweb: { url: 'http://127.0.0.1:8042/dicom-web' } }])).toBe(true);
  });

  it('refuses credentials in the URL or the policy, plain http to another machine, half a DIMSE node', () => {
    expect(ok([{ name: 'A', dicomweb: { url: 'https://user:pw@pacs.example.org/dicom-web' } }])).toBe(false);
    expect(ok([{ name: 'A', dicomweb: { url: 'https://pacs.example.org/dicom-web?token=abc' } }])).toBe(false);
    expect(ok([{ name: 'A', dicomweb: { url: 'https://pacs.example.org/dw', auth: { type: 'basic', username: 'u', password: 'secret', secretKey: 'k' } } }])).toBe(false);
    expect(ok([{ name: 'A', dicomweb: { url: 'https://pacs.example.org/dw', auth: { type: 'bearer', secretKey: 'has space' } } }])).toBe(false);
    expect(ok([{ name: 'A', dicomweb: { url: 'http://pacs.example.org/dicom-web' } }])).toBe(false);
    expect(ok([{ name: 'A', dicomweb: { url: 'http://127.0.0.1.evil.example/dicom-web' } }])).toBe(false);
    expect(ok([{ name: 'A', dicomweb: { url: 'ftp://pacs.example.org/' } }])).toBe(false);
    expect(ok([{ name: 'A' }])).toBe(false);
    expect(ok([{ name: 'A', host: 'pacs.example.org', port: 104 }])).toBe(false);
    expect(ok([{ name: 'A', aeTitle: 'AE-TITLE-IS-WAY-TOO-LONG', host: 'pacs.example.org', port: 104 }])).toBe(false);
  });

  it('refuses a pin that is not a base64 SHA-256, and two nodes with one name', () => {
    expect(ok([{ name: 'A', dicomweb: { url: 'https://p.example/dw' }, spkiSha256: 'abcd' }])).toBe(false);
    expect(ok([{ name: 'A', dicomweb: { url: 'https://p.example/dw' } }, { name: 'A', dicomweb: { url: 'https://q.example/dw' } }])).toBe(false);
  });
});

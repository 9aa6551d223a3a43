// The egress gate over real TLS on loopback: allowed only what policy names, https only, TLS 1.2 or newer,
// certificates verified, no redirects, size capped; attempts counted, refusals audited.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { allowedEgressKinds, EgressGate, EgressRefused } from '../../../src-main/services/network/egress';
import { POLICY_DEFAULTS, type EffectivePolicy } from '../../../src-main/services/policy/policySchema';
import { auditEventProblem, type AuditEventInput } from '../../../src-shared/audit/auditEvents';
import { makeThrowawayCa, serveDirectory, type LoopbackServer, type ThrowawayCa } from './loopbackHttps';

let ca: ThrowawayCa;
let server: LoopbackServer;
const ROOT = mkdtempSync(path.join(tmpdir(), 'enclave-egress-'));

beforeAll(async () => {
  ca = makeThrowawayCa();
  writeFileSync(path.join(ROOT, 'hello.txt'), 'hello');
  writeFileSync(path.join(ROOT, 'big.bin'), Buffer.alloc(10_000));
  server = await serveDirectory(ROOT, ca);
  server.override('/repo/moved', (_req, res) => void res.writeHead(302, { location: 'https://elsewhere.example/' }).end());
});
afterAll(() => server.close());

function gate(policy: Partial<EffectivePolicy>, opts: { trustCa?: boolean } = {}) {
  const events: AuditEventInput[] = [];
  const p: EffectivePolicy = { ...POLICY_DEFAULTS, ...policy };
  const g = new EgressGate({ policy: () => p, audit: { record: (e) => events.push(e) }, ca: opts.trustCa === false ? [] : [ca.caPem], caOnly: true });
  return { g, events };
}

async function refusal(p: Promise<unknown>): Promise<string> {
  const e = await p.then(() => null, (x: unknown) => x);
  if (!(e instanceof EgressRefused)) throw new Error(`expected a refusal, got ${String(e)}`);
  return e.reason;
}

describe('egress gate', () => {
  it('allows nothing with the default policy, and says so without connecting', async () => {
    const { g, events } = gate({});
    expect(g.allowedKinds()).toEqual([]);
    const before = server.requests.length;
    expect(await refusal(g.get({ kind: 'update', url: `${server.url}/repo/hello.txt`, maxBytes: 100 }))).toBe('policy_off');
    expect(server.requests.length).toBe(before);
    expect(g.stats()).toEqual({ attempts: 0, refused: 1 });
    expect(events).toEqual([expect.objectContaining({ kind: 'securityAlert', detail: { egressKind: 'update', refusal: 'policy_off' } })]);
    for (const e of events) expect(auditEventProblem(e)).toBeNull();
  });

  it('fetches from the repository policy names, over TLS with the trusted CA, and counts it', async () => {
    const { g } = gate({ UpdatesEnabled: true, UpdatesUrl: `${server.url}/repo/` });
    server.override('/repo/hello.txt', (_q, res) => void res.writeHead(200).end('hello'));
    expect((await g.get({ kind: 'update', url: `${server.url}/repo/hello.txt`, maxBytes: 100 })).toString()).toBe('hello');
    expect(g.stats()).toEqual({ attempts: 1, refused: 0 });
    expect(g.allowedKinds()).toEqual(['update']);
  });

  it('refuses another host, another path, plain http, a redirect, an untrusted certificate and endless data', async () => {
    const { g, events } = gate({ UpdatesEnabled: true, UpdatesUrl: `${server.url}/repo/` });
    expect(await refusal(g.get({ kind: 'update', url: 'https://mirror.example.org/repo/x', maxBytes: 10 }))).toBe('host_not_allowed');
    expect(await refusal(g.get({ kind: 'update', url: `${server.url}/other/hello.txt`, maxBytes: 10 }))).toBe('host_not_allowed');
    expect(await refusal(g.get({ kind: 'update', url: `${server.url.replace('https', 'http')}/repo/hello.txt`, maxBytes: 10 }))).toBe('not_https');
    expect(await refusal(g.get({ kind: 'update', url: `${server.url}/repo/moved`, maxBytes: 10 }))).toBe('redirect');
    server.override('/repo/big.bin', (_q, res) => void res.writeHead(200).end(Buffer.alloc(10_000)));
    expect(await refusal(g.get({ kind: 'update', url: `${server.url}/repo/big.bin`, maxBytes: 1000 }))).toBe('too_large');
    // No content-length, and it never ends: the cap still stops it.
    server.override('/repo/endless', (_q, res) => {
      res.writeHead(200);
      const t = setInterval(() => (res.destroyed ? clearInterval(t) : res.write(Buffer.alloc(4096))), 1);
    });
    expect(await refusal(g.get({ kind: 'update', url: `${server.url}/repo/endless`, maxBytes: 100_000 }))).toBe('too_large');
    const untrusting = gate({ UpdatesEnabled: true, UpdatesUrl: `${server.url}/repo/` }, { trustCa: false });
    expect(await refusal(untrusting.g.get({ kind: 'update', url: `${server.url}/repo/hello.txt`, maxBytes: 100 }))).toBe('tls_or_network');
    expect(events.map((e) => e.detail?.['refusal'])).toEqual(['host_not_allowed', 'host_not_allowed', 'not_https', 'redirect', 'too_large', 'too_large']);
  });

  it('refuses a server that offers only TLS 1.1', async () => {
    const old = await serveDirectory(ROOT, ca, { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=0' });
    try {
      const { g } = gate({ UpdatesEnabled: true, UpdatesUrl: `${old.url}/` });
      expect(await refusal(g.get({ kind: 'update', url: `${old.url}/hello.txt`, maxBytes: 100 }))).toBe('tls_or_network');
    } finally {
      await old.close();
    }
  });

  it('names the kinds policy allows: updates, PACS nodes, syslog', () => {
    expect(allowedEgressKinds({ ...POLICY_DEFAULTS, UpdatesEnabled: true, UpdatesUrl: 'https://u.example/', AuditSyslogTarget: 's.example:6514', PacsNodes: [{ name: 'p', aeTitle: 'P', host: 'pacs.example', port: 11112, tls: true }] })).toEqual(['update', 'pacs', 'syslog']);
    expect(allowedEgressKinds({ ...POLICY_DEFAULTS, UpdatesUrl: 'https://u.example/' })).toEqual([]);
  });
});

describe('egress gate for PACS nodes', () => {
  const web = { name: 'Web', tls: true, dicomweb: { url: 'https://pacs.example.org/dicom-web' } };
  const dimse = { name: 'Dimse', tls: true, aeTitle: 'PACS1', host: 'pacs.example.org', port: 11112 };
  it('admits only the endpoints of a node policy names, and counts each admission', () => {
    const events: AuditEventInput[] = [];
    const p: EffectivePolicy = { ...POLICY_DEFAULTS, PacsNodes: [web, dimse, { name: 'Plain', tls: true, dicomweb: { url: 'http://pacs.example.org/dw' } }] };
    const g = new EgressGate({ policy: () => p, audit: { record: (e) => events.push(e) } });
    expect(g.admit('pacs', 'https://pacs.example.org/dicom-web/studies?PatientName=X*').pathname).toBe('/dicom-web/studies');
    expect(g.admit('pacs', 'dicom-tls://pacs.example.org:11112').port).toBe('11112');
    for (const bad of [
      'https://pacs.example.org/other/studies',
      'https://pacs.example.org:8443/dicom-web/studies',
      'https://user:pw@pacs.example.org/dicom-web/studies',
      'http://pacs.example.org/dicom-web/studies',
      'http://pacs.example.org/dw/studies', // a node that names plain http to another machine is still refused
      'dicom://pacs.example.org:11112', // the node says TLS
      'dicom-tls://pacs.example.org:104',
    ]) {
      expect(() => g.admit('pacs', bad), bad).toThrow(EgressRefused);
    }
    expect(g.stats()).toEqual({ attempts: 2, refused: 7 });
    expect(events.every((e) => e.kind === 'securityAlert' && e.detail?.['refusal'] === 'host_not_allowed')).toBe(true);
  });
});

// The egress gate's TLS stream (what audit forwarding connects through), against Node TLS servers on loopback
// made from the same throwaway CA: no TLS below 1.2 (a server that offers only TLS 1.1 gets no connection, while
// the same server at 1.2 does), the receiver's name is checked against its certificate, and policy decides where.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEventInput } from '../../../../src-shared/audit/auditEvents';
import { EgressGate, EgressRefused } from '../../../../src-main/services/network/egress';
import { POLICY_DEFAULTS } from '../../../../src-main/services/policy/policySchema';
import { makeSyslogPki, type SyslogPki } from './rsyslogReceiver';

const ROOT = mkdtempSync(path.join(tmpdir(), 'enclave-syslog-tls-'));
let pki: SyslogPki;
const servers: tls.Server[] = [];
const sockets: tls.TLSSocket[] = [];

beforeAll(() => {
  pki = makeSyslogPki(path.join(ROOT, 'pki'));
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  for (const s of servers) await new Promise((r) => s.close(r));
  rmSync(ROOT, { recursive: true, force: true });
});

/** A TLS server on loopback that records whether any handshake completed and what it received. */
async function server(o: tls.TlsOptions): Promise<{ port: number; handshakes: string[]; received: Buffer[] }> {
  const handshakes: string[] = [];
  const received: Buffer[] = [];
  const s = tls.createServer(o, (sock) => {
    sockets.push(sock);
    handshakes.push(sock.getProtocol() ?? '?');
    sock.on('data', (d: Buffer) => received.push(d));
    sock.on('error', () => undefined);
  });
  s.on('tlsClientError', () => undefined);
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return { port: (s.address() as AddressInfo).port, handshakes, received };
}

function gateFor(target: string | null, audit: AuditEventInput[] = []): EgressGate {
  return new EgressGate({ policy: () => ({ ...POLICY_DEFAULTS, AuditSyslogTarget: target }), audit: { record: (e) => audit.push(e) } });
}

const read = (f: string) => readFileSync(f, 'utf8');
const client = () => ({ ca: [read(pki.caFile)], cert: read(pki.clientCert), key: read(pki.clientKey), timeoutMs: 3000 });

async function refusal(p: Promise<unknown>): Promise<EgressRefused> {
  try {
    await p;
  } catch (e) {
    if (e instanceof EgressRefused) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('egress gate: TLS streams for syslog', () => {
  it('never speaks TLS 1.1: a 1.1-only receiver gets no handshake, the same receiver at 1.2 does', async () => {
    // SECLEVEL=0 lets this OpenSSL serve TLS 1.1 at all; the client side is the gate's, unchanged.
    const old = await server({ key: read(pki.serverKey), cert: read(pki.serverCert), minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' });
    const audit: AuditEventInput[] = [];
    const e = await refusal(gateFor(`127.0.0.1:${old.port}`, audit).connectTls({ kind: 'syslog', host: '127.0.0.1', port: old.port, ...client() }));
    expect(e.reason).toBe('tls_or_network');
    expect(old.handshakes).toEqual([]);
    expect(audit.map((a) => a.detail)).toEqual([{ egressKind: 'syslog', refusal: 'tls_or_network' }]);

    const ok = await server({ key: read(pki.serverKey), cert: read(pki.serverCert), minVersion: 'TLSv1', maxVersion: 'TLSv1.2', ciphers: 'DEFAULT@SECLEVEL=0' });
    const gate = gateFor(`127.0.0.1:${ok.port}`);
    const sock = await gate.connectTls({ kind: 'syslog', host: '127.0.0.1', port: ok.port, ...client() });
    expect(sock.getProtocol()).toBe('TLSv1.2');
    sock.end();
    expect(gate.stats()).toEqual({ attempts: 1, refused: 0 });
  });

  it('checks the receiver certificate name: a certificate from the right CA for another name is refused and audited as Node Authentication', async () => {
    const s = await server({ key: read(pki.wrongNameKey), cert: read(pki.wrongNameCert) });
    const audit: AuditEventInput[] = [];
    const e = await refusal(gateFor(`127.0.0.1:${s.port}`, audit).connectTls({ kind: 'syslog', host: '127.0.0.1', port: s.port, ...client() }));
    expect(e.reason).toBe('certificate');
    expect(s.received).toEqual([]);
    expect(audit).toMatchObject([{ kind: 'securityAlert', eventType: 'nodeAuthentication', detail: { egressKind: 'syslog', refusal: 'certificate' } }]);
  });

  it('connects only where policy says, and not at all without a target; a quiet retry is counted, not audited', async () => {
    const s = await server({ key: read(pki.serverKey), cert: read(pki.serverCert) });
    const audit: AuditEventInput[] = [];
    const off = gateFor(null, audit);
    expect((await refusal(off.connectTls({ kind: 'syslog', host: '127.0.0.1', port: s.port, ...client() }))).reason).toBe('policy_off');
    const elsewhere = gateFor(`127.0.0.1:${s.port + 1}`, audit);
    expect((await refusal(elsewhere.connectTls({ kind: 'syslog', host: '127.0.0.1', port: s.port, ...client() }))).reason).toBe('host_not_allowed');
    expect(off.stats().attempts + elsewhere.stats().attempts).toBe(0);
    expect(s.handshakes).toEqual([]);

    const wrongCa = gateFor(`127.0.0.1:${s.port}`, audit);
    audit.length = 0;
    await refusal(wrongCa.connectTls({ kind: 'syslog', host: '127.0.0.1', port: s.port, ...client(), ca: [read(pki.otherCaFile)], auditFailure: false }));
    expect(audit).toEqual([]);
    expect(wrongCa.stats()).toEqual({ attempts: 1, refused: 1 });
  });
});

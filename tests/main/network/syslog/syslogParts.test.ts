// The pieces of audit forwarding that need no receiver: RFC 5424/5425 framing and header fields, the outbox's
// bound (a full outbox forwards a gap notice instead of growing), and the checks on the credential files.
import { chmodSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AuditOutbox } from '../../../../src-main/services/network/syslog/auditOutbox';
import { loadSyslogCredentials, SyslogCredentialError, type CredentialFileRules } from '../../../../src-main/services/network/syslog/syslogCredentials';
import { entryMessage, frame, gapMessage, headerField, severityOf, syslogMessage } from '../../../../src-main/services/network/syslog/syslogMessage';
import { parseSyslogTarget } from '../../../../src-main/services/network/syslog/syslogTarget';
import { POLICY_DEFAULTS } from '../../../../src-main/services/policy/policySchema';
import { makeTempStore } from '../../store/fixtures/tempStore';

const ROOT = mkdtempSync(path.join(tmpdir(), 'enclave-syslog-parts-'));
afterAll(() => rmSync(ROOT, { recursive: true, force: true }));
const header = { hostName: 'ws-12.example.org', procId: '4242' };

describe('syslog messages (RFC 5424 in RFC 5425 framing)', () => {
  it('frames by octets, not characters, and writes the header fields in order', () => {
    const m = syslogMessage({ severity: 5, time: '2026-11-21T10:00:00.000Z', msgId: 'IHE+RFC-3881', body: '<AuditMessage>é</AuditMessage>', header });
    expect(m).toBe('<85>1 2026-11-21T10:00:00.000Z ws-12.example.org Enclave 4242 IHE+RFC-3881 - \uFEFF<AuditMessage>é</AuditMessage>');
    const f = frame(m);
    const sp = f.indexOf(0x20);
    expect(Number(f.subarray(0, sp).toString('ascii'))).toBe(f.length - sp - 1);
    expect(Number(f.subarray(0, sp).toString('ascii'))).toBe(m.length + 3); // the BOM is 3 octets, é 2
  });

  it('facility authpriv with severity by outcome; header fields stay printable ASCII', () => {
    expect(severityOf({ eventId: '110113', outcome: 4 })).toBe(1);
    expect(severityOf({ eventId: '110107', outcome: 8 })).toBe(4);
    expect(severityOf({ eventId: '110103', outcome: 0 })).toBe(5);
    expect(headerField('my host\u00e9', 255)).toBe('myhost');
    expect(headerField('', 255)).toBe('-');
    expect(gapMessage(5, 9, '2026-11-21T10:00:00.000Z', header)).toMatch(/^<84>1 \S+ \S+ Enclave 4242 ENCLAVE-GAP - \uFEFFAudit entries 5 to 9 were not forwarded/);
  });

  it('a target without a port is 6514; a bad port is no target', () => {
    expect(parseSyslogTarget('syslog.example.org')).toEqual({ host: 'syslog.example.org', port: 6514 });
    expect(parseSyslogTarget('10.0.0.5:10514')).toEqual({ host: '10.0.0.5', port: 10514 });
    expect(parseSyslogTarget('h:99999')).toBeNull();
    expect(parseSyslogTarget(null)).toBeNull();
  });
});

describe('audit outbox', () => {
  it('queues every entry in order with checkpoints after their entries; past its bound, one gap row instead', async () => {
    const t = await makeTempStore();
    try {
      const store = await t.open();
      const outbox = new AuditOutbox(store.database, 10);
      outbox.catchUp();
      const first = outbox.next(100);
      const head = store.audit.list(0, 1000).at(-1)!.seq;
      const cp = (store.database.prepare('SELECT size FROM audit_checkpoints').all() as { size: number }[]).map((r) => r.size);
      // initStore's entries, its close checkpoint right after the entry it covers, then this open's start.
      expect(first.map((i) => [i.kind, i.ref])).toEqual([
        ...Array.from({ length: cp[0]! }, (_, k) => ['entry', k + 1]),
        ['checkpoint', cp[0]],
        ...Array.from({ length: head - cp[0]! }, (_, k) => ['entry', cp[0]! + k + 1]),
      ]);
      for (let i = 0; i < 30; i++) store.audit.record({ kind: 'query', action: 'E', outcome: 'success', detail: { n: i } });
      outbox.catchUp();
      for (let i = 0; i < 5; i++) store.audit.record({ kind: 'query', action: 'E', outcome: 'success', detail: { n: i } });
      outbox.catchUp();
      const items = outbox.next(1000);
      const newHead = head + 35;
      // Ten rows wait at most; the rest of the trail is one gap row (extended by later appends), never lost locally.
      expect(items.filter((i) => i.kind !== 'gap')).toHaveLength(10);
      expect(items.at(-1)).toMatchObject({ kind: 'gap', refTo: newHead });
      const gap = items.at(-1)!;
      expect(outbox.stats()).toMatchObject({ unsent: 11, dropped: newHead - gap.ref + 1, queuedThrough: newHead });
      expect(items.filter((i) => i.kind === 'entry').at(-1)!.ref).toBe(gap.ref - 1);

      // Once the receiver took the backlog (gap included), new entries are queued again, after it.
      outbox.markSent(gap.id, new Date().toISOString());
      store.audit.record({ kind: 'query', action: 'E', outcome: 'success' });
      outbox.catchUp();
      expect(outbox.next(10).map((i) => [i.kind, i.ref])).toEqual([['entry', newHead + 1]]);
      expect(outbox.stats().unsent).toBe(1);
      // An entry's message is its ATNA XML with the entry's own time.
      const r = store.audit.list(newHead, 1)[0]!;
      expect(entryMessage(r, header)).toContain(`<85>1 ${r.time} ws-12.example.org Enclave 4242 IHE+RFC-3881 - \uFEFF<AuditMessage>`);
      await store.close();
    } finally {
      t.cleanup();
    }
  });
});

describe('syslog credential files', () => {
  const dir = mkdtempSync(path.join(ROOT, 'creds-'));
  const pem = (kind: string) => `-----BEGIN ${kind}-----\nAAAA\n-----END ${kind}-----\n`;
  const put = (name: string, text: string, mode: number) => {
    const f = path.join(dir, name);
    writeFileSync(f, text);
    chmodSync(f, mode);
    return f;
  };
  const ca = put('ca.pem', pem('CERTIFICATE'), 0o644);
  const cert = put('client.pem', pem('CERTIFICATE'), 0o644);
  const key = put('client.key', pem('PRIVATE KEY'), 0o640);
  const me: CredentialFileRules = { platform: 'linux', owners: [process.getuid!()] };
  const policy = (o: Partial<typeof POLICY_DEFAULTS>) => ({ ...POLICY_DEFAULTS, AuditSyslogCaFile: ca, AuditSyslogClientCertFile: cert, AuditSyslogClientKeyFile: key, ...o });
  const problem = async (p: ReturnType<typeof policy>, rules = me) => {
    try {
      await loadSyslogCredentials(p, rules);
    } catch (e) {
      if (e instanceof SyslogCredentialError) return e.problem;
      throw e;
    }
    return null;
  };

  it('reads the CA, certificate and key when each is owned as required and the key is not readable by all', async () => {
    expect(await loadSyslogCredentials(policy({}), me)).toEqual({ ca: [pem('CERTIFICATE')], cert: pem('CERTIFICATE'), key: pem('PRIVATE KEY') });
    expect((await loadSyslogCredentials(policy({ AuditSyslogCaFile: null }), me)).ca).toBeNull();
  });

  it('refuses a world-readable key, a wrong owner, a symbolic link, a missing file and a file that is not PEM', async () => {
    expect(await problem(policy({ AuditSyslogClientKeyFile: put('open.key', pem('PRIVATE KEY'), 0o644) }))).toBe('readable_by_all');
    expect(await problem(policy({ AuditSyslogCaFile: put('writable.pem', pem('CERTIFICATE'), 0o666) }))).toBe('untrusted_owner');
    expect(await problem(policy({}), { platform: 'linux', owners: [54321] })).toBe('untrusted_owner');
    const link = path.join(dir, 'link.key');
    symlinkSync(key, link);
    expect(await problem(policy({ AuditSyslogClientKeyFile: link }))).toBe('not_a_file');
    expect(await problem(policy({ AuditSyslogClientCertFile: path.join(dir, 'absent.pem') }))).toBe('missing');
    expect(await problem(policy({ AuditSyslogClientCertFile: put('junk.pem', 'not a certificate', 0o644) }))).toBe('not_pem');
    // Windows: ACLs are IT's to set; mode bits mean nothing there.
    expect(await problem(policy({ AuditSyslogClientKeyFile: path.join(dir, 'open.key') }), { platform: 'win32', owners: [54321] })).toBeNull();
  });
});

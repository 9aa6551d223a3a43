// Audit forwarding against a real receiver (rsyslogd + rsyslog-gnutls on a loopback port, mutual TLS with a
// throwaway CA), driven the way the app drives it: policy -> createPolicyWiring -> StoreSession over a real
// encrypted store, events recorded by AuditService. What lands in rsyslog's output file is the evidence (rsyslog
// accepts a handshake from a client without a certificate and then drops its data silently).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPolicyWiring, type PolicyWiring } from '../../../../src-main/services/app/policyWiring';
import { StoreSession } from '../../../../src-main/services/app/storeSession';
import { toAtnaXml } from '../../../../src-main/services/audit/atnaXml';
import { AuditService } from '../../../../src-main/services/audit/auditService';
import { createNetworkServices } from '../../../../src-main/services/network/networkServices';
import type { ForwarderTuning } from '../../../../src-main/services/network/syslog/syslogForwarder';
import { MSGID_AUDIT, MSGID_CHECKPOINT } from '../../../../src-main/services/network/syslog/syslogMessage';
import { applyPolicy, noPolicy, type LoadedPolicy } from '../../../../src-main/services/policy/effectivePolicy';
import type { EncryptedStudyStore } from '../../../../src-main/services/store/encryptedStudyStore';
import { makeTempStore, type TempStore } from '../../store/fixtures/tempStore';
import { freePort, makeSyslogPki, RsyslogReceiver, until, type Received, type SyslogPki } from './rsyslogReceiver';

const ROOT = mkdtempSync(path.join(tmpdir(), 'enclave-syslog-'));
const ROOT_JSON = readFileSync(path.resolve(__dirname, '../../../../assets/update/root.json'));
const FAST: Partial<ForwarderTuning> = { backoffInitialMs: 100, backoffMaxMs: 400, connectTimeoutMs: 3000, writeTimeoutMs: 3000, pollMs: 200 };
const BOM = '\uFEFF';
let pki: SyslogPki;
let rsyslog: RsyslogReceiver;

beforeAll(async () => {
  pki = makeSyslogPki(path.join(ROOT, 'pki'));
  rsyslog = new RsyslogReceiver(path.join(ROOT, 'rsyslog'), pki, await freePort());
  await rsyslog.start();
}, 40_000);

afterAll(async () => {
  await rsyslog?.stop();
  rmSync(ROOT, { recursive: true, force: true });
});

function forwardingPolicy(o: { ca?: string } = {}): LoadedPolicy {
  return applyPolicy(
    {
      AuditSyslogTarget: `127.0.0.1:${rsyslog.port}`,
      AuditSyslogCaFile: o.ca ?? pki.caFile,
      AuditSyslogClientCertFile: pki.clientCert,
      AuditSyslogClientKeyFile: pki.clientKey,
    },
    'test',
  );
}

function wiringFor(policy: LoadedPolicy): PolicyWiring {
  return createPolicyWiring({
    policy,
    startNetwork: (audit) =>
      createNetworkServices({
        policy, audit, trustedUpdateRoot: ROOT_JSON, updateStateDir: mkdtempSync(path.join(ROOT, 'updates-')),
        version: '1.0.0', platform: 'linux-x64', installKind: 'appimage',
        // The test's files are owned by the test's user, not root.
        syslogCredentialRules: { platform: process.platform, owners: [process.getuid!()] },
        syslogTuning: FAST,
      }),
  });
}

/** One run of the app: the wiring, then the cache unlocked with the recovery key (no keychain here). */
async function runApp(t: TempStore, policy: LoadedPolicy) {
  const wiring = wiringFor(policy);
  const session = new StoreSession(t.dataDir, null, wiring.retentionDays, wiring.cacheOpened);
  await session.start();
  await session.unlockWithRecoveryKey(t.recoveryKey);
  const store = session.get() as EncryptedStudyStore;
  return { wiring, session, store };
}

const entries = (r: Received[]) => r.filter((m) => m.msgId === MSGID_AUDIT);

function recordSome(store: EncryptedStudyStore, n: number, tag: string): void {
  for (let i = 0; i < n; i++) {
    store.audit.record({ kind: 'import', action: 'C', outcome: 'success', objects: [{ type: 'importJob', id: `job-${tag}-${i}` }], detail: { added: i } });
  }
}

describe('audit forwarding to rsyslog over TLS (RFC 5425)', () => {
  it('sends every entry in order as ATNA XML (MSGID IHE+RFC-3881, authpriv), checkpoints too; survives a receiver restart and an app restart', async () => {
    const t = await makeTempStore();
    try {
      const before = rsyslog.received().length;
      let app = await runApp(t, forwardingPolicy());
      const fwd = () => app.wiring.network.syslog!.current()!;
      const why = () => `forwarder ${JSON.stringify(app.wiring.network.syslog!.status())}; rsyslog: ${rsyslog.log().slice(-500)}`;
      app.store.audit.record({ kind: 'securityAlert', action: 'E', outcome: 'minorFailure', user: 'system', detail: { code: 'TEST_ALERT' } });
      app.store.audit.record({ kind: 'import', action: 'C', outcome: 'seriousFailure', objects: [{ type: 'importJob', id: 'job-failed-1' }], detail: { errors: 2 } });
      recordSome(app.store, 3, 'a');
      const trail = () => app.store.audit.list(0, 100_000);
      await until(() => entries(rsyslog.received()).length - before >= trail().length, 20_000, 'the first entries', why);
      const got = rsyslog.received().slice(before);

      // The whole trail so far (initStore's entries included), in seq order, each body its ATNA AuditMessage.
      expect(entries(got).map((m) => m.msg)).toEqual(trail().map((r) => BOM + toAtnaXml(r)));
      for (const m of got) expect(m).toMatchObject({ facility: 10, appName: 'Enclave', procId: String(process.pid) });
      const bySeverity = (eventId: string, outcome: number) => entries(got).find((m) => m.msg.includes(`EventOutcomeIndicator="${outcome}"`) && m.msg.includes(`csd-code="${eventId}"`))!.severity;
      expect(bySeverity('110113', 4)).toBe(1); // a Security Alert: alert
      expect(bySeverity('110107', 8)).toBe(4); // a failure: warning
      expect(bySeverity('110107', 0)).toBe(5); // a success: notice
      // Timestamps are the entries' own times.
      expect(entries(got).map((m) => m.time)).toEqual(trail().map((r) => r.time));
      // The checkpoint initStore signed at its close, after the entries it covers, as its signed note.
      const notes = app.store.database.prepare('SELECT size, note FROM audit_checkpoints ORDER BY size').all() as { size: number; note: string }[];
      expect(notes.length).toBeGreaterThan(0);
      const cps = got.filter((m) => m.msgId === MSGID_CHECKPOINT);
      expect(cps[0]!.msg).toBe(BOM + notes[0]!.note.replace(/\n$/, ''));
      expect(cps[0]!.severity).toBe(6);
      const cpAt = got.indexOf(cps[0]!);
      expect(entries(got.slice(0, cpAt))).toHaveLength(notes[0]!.size);

      // The receiver stops mid-session: what is recorded meanwhile waits in the outbox and arrives after its restart.
      await rsyslog.stop();
      await until(() => !fwd().status().connected, 5000, 'the forwarder to see the receiver gone', why);
      recordSome(app.store, 4, 'b');
      await until(() => fwd().status().failures >= 2, 5000, 'failed reconnects', why);
      expect(fwd().status().unsent).toBeGreaterThanOrEqual(4);
      const whileDown = rsyslog.received().length;
      await rsyslog.start();
      await until(() => entries(rsyslog.received()).length - before >= trail().length, 20_000, 'the entries recorded while the receiver was down', why);
      expect(rsyslog.received().length).toBeGreaterThan(whileDown);
      expect(entries(rsyslog.received().slice(before)).map((m) => m.msg)).toEqual(trail().map((r) => BOM + toAtnaXml(r)));
      // Marked sent once the socket took the batch, which can be just after rsyslog wrote it out.
      await until(() => fwd().status().unsent === 0, 5000, 'the outbox to empty', why);
      expect(fwd().status().lastProblem).toBeNull();

      // An entry another connection appends (an import worker's) wakes nothing here: the idle poll finds it.
      new AuditService(app.store.database).record({ kind: 'import', action: 'C', outcome: 'success', objects: [{ type: 'importJob', id: 'job-worker-1' }] });
      await until(() => entries(rsyslog.received()).length - before >= trail().length, 20_000, 'the entry of another connection', why);

      // Down again, and the app quits before it comes back: the unsent rows go out at the next start.
      await rsyslog.stop();
      await until(() => !fwd().status().connected, 5000, 'the forwarder to see the receiver gone', why);
      recordSome(app.store, 2, 'c');
      await app.session.close();
      await rsyslog.start();
      app = await runApp(t, forwardingPolicy());
      await until(() => entries(rsyslog.received()).length - before >= trail().length, 20_000, 'the entries left unsent by the last run', why);
      const all = rsyslog.received().slice(before);
      // Exactly once each, in order: the stop event and checkpoint of the last run, then this run's start.
      expect(entries(all).map((m) => m.msg)).toEqual(trail().map((r) => BOM + toAtnaXml(r)));
      const allNotes = app.store.database.prepare('SELECT note FROM audit_checkpoints ORDER BY size').all() as { note: string }[];
      expect(all.filter((m) => m.msgId === MSGID_CHECKPOINT).map((m) => m.msg)).toEqual(allNotes.map((n) => BOM + n.note.replace(/\n$/, '')));
      expect(app.wiring.network.gate.stats().attempts).toBeGreaterThanOrEqual(1);
      await app.session.close();
    } finally {
      if (!rsyslog.running) await rsyslog.start();
      t.cleanup();
    }
  }, 60_000);

  it('without a receiver in policy nothing is queued and nothing connects', async () => {
    const t = await makeTempStore();
    try {
      const bytes = rsyslog.bytes();
      const app = await runApp(t, noPolicy('test'));
      expect(app.wiring.network.syslog).toBeNull();
      recordSome(app.store, 5, 'off');
      await new Promise((r) => setTimeout(r, 500));
      expect(app.wiring.network.gate.stats().attempts).toBe(0);
      expect(app.store.database.prepare('SELECT count(*) AS n FROM audit_outbox').get()).toEqual({ n: 0 });
      await app.session.close();
      expect(rsyslog.bytes()).toBe(bytes);

      // (control) A target without the client certificate and key is off too, and says why.
      const half = applyPolicy({ AuditSyslogTarget: `127.0.0.1:${rsyslog.port}` }, 'test');
      expect(half.effective.AuditSyslogTarget).toBeNull();
      expect(half.problems.join(' ')).toContain('audit forwarding stays off');
      expect(wiringFor(half).network.syslog).toBeNull();
    } finally {
      t.cleanup();
    }
  });

  it('a receiver whose certificate is not from the policy CA is refused: no data, one Security Alert per outage', async () => {
    const t = await makeTempStore();
    try {
      const bytes = rsyslog.bytes();
      const app = await runApp(t, forwardingPolicy({ ca: pki.otherCaFile }));
      const fwd = app.wiring.network.syslog!.current()!;
      await until(() => fwd.status().failures >= 3, 5000, 'three refused connections');
      expect(fwd.status().lastProblem).toBe('certificate');
      const alerts = app.store.audit.list(0, 1000).filter((e) => e.eventId === '110113' && e.detail['egressKind'] === 'syslog');
      // Node Authentication (CID 403 110126), once however often it retried.
      expect(alerts.map((e) => [e.eventType, e.detail['refusal']])).toEqual([['110126', 'certificate']]);
      expect(app.wiring.network.gate.stats().refused).toBeGreaterThanOrEqual(3);
      await app.session.close();
      expect(rsyslog.bytes()).toBe(bytes);
    } finally {
      t.cleanup();
    }
  });
});

// Issue 11, items 9 and 10: each event type the issue lists, exported as a DICOM PS3.15 A.5.1 AuditMessage by the
// trail's exporter, validates against the standard's RELAX NG schema with jing. Events whose action lives here are
// produced by that action through the real app (start and stop, import, series opened, purge, export, a policy
// change, the review, a refused request, a broken trail and its acknowledgement). Events whose action belongs
// to the accounts service (login and logout and their failures, the automatic lock, break-glass, roles and user
// attributes changed) and Query (PACS C-FIND) are recorded through AuditService as those services will; their
// own tests drive the actions.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditPolicyChange } from '../../../src-main/services/app/policyWiring';
import { exportAuditTrail } from '../../../src-main/services/audit/auditExport';
import { exportDeidentifiedFolder } from '../../../src-main/services/export/folderExport';
import { noPolicy } from '../../../src-main/services/policy/effectivePolicy';
import type { EncryptedStudyStore } from '../../../src-main/services/store/encryptedStudyStore';
import { jing } from '../audit/fixtures/atnaSchema';
import { tempDir } from '../import/fixtures/importFixtures';
import { CT_AXIAL, CT_SMALL, guardedApp, type GuardedApp } from './fixtures/guardedApp';

let app: GuardedApp;
let temp: GuardedApp['temp'];
let reopened: EncryptedStudyStore;
let root: string;
let messages: string[];

/** Every (EventID, EventTypeCode, outcome) the issue lists; null type: none; outcome '!0': some failure. */
const REQUIRED: [string, string | null, '0' | '!0'][] = [
  ['110100', '110120', '0'],
  ['110100', '110121', '0'],
  ['110114', '110122', '0'],
  ['110114', '110122', '!0'],
  ['110114', '110123', '0'],
  ['110103', null, '0'],
  ['110107', null, '0'],
  ['110106', null, '0'],
  ['110105', null, '0'],
  ['110112', null, '0'],
  ['110101', null, '0'],
  ['110113', '110127', '0'],
  ['110113', '110138', '0'],
  ['110113', '110129', '0'],
  ['110113', '110136', '0'],
  ['110113', '110137', '0'],
  ['110113', '110132', '!0'],
  ['110113', '110133', '!0'],
  ['110113', '110134', '0'],
  ['110113', '110135', '0'],
];

beforeAll(async () => {
  root = tempDir('atna-events');
  mkdirSync(path.join(root, 'msgs'));
  app = await guardedApp(); // opening the cache: Application Start
  const audit = app.store.audit;
  app.gate.as('admin', 'u-ada');
  await app.value('import:paths', { paths: [CT_AXIAL, CT_SMALL] }); // Import
  const studies = await app.value('studies:list', {});
  const phantom = studies.find((s) => s.patientId === 'PH-0001')!;
  const small = studies.find((s) => s.patientId === '1CT1')!;
  const [series] = await app.value('series:list', { studyId: phantom.studyId });
  await app.value('series:open', { seriesId: series!.seriesId }); // DICOM Instances Accessed
  auditPolicyChange(app.store, noPolicy('no machine policy')); // Security Alert: Security Configuration
  const instances = (await app.store.listInstances(series!.seriesId)).slice(0, 2);
  await exportDeidentifiedFolder(
    instances.map((i) => ({ id: i.instanceId, read: () => app.store.readInstanceBytes(i.instanceId) })),
    path.join(root, 'export'),
    {},
    { user: 'u-ada', secret: new TextEncoder().encode('test-secret'), checkPermission: () => undefined, audit: (e) => void audit.record(e) },
  ); // Export
  await app.value('studies:purge', { studyId: small.studyId }); // Study Deleted
  await app.value('audit:query', { patient: 'PH-0001', limit: 10, offset: 0 }); // Audit Log Used
  app.gate.as('auditor', 'u-otto');
  expect(await app.call('series:open', { seriesId: series!.seriesId })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } }); // Use of Restricted Function
  app.gate.as('admin', 'u-ada');
  await app.value('studies:restrict', { studyId: phantom.studyId, users: ['u-rad-alice'], roles: [] }); // Object Security Attributes Changed
  app.gate.as('radiologist', 'u-rad-bob');
  expect(await app.call('series:open', { seriesId: series!.seriesId })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } }); // restricted study

  // The accounts service's events, as it records them (user ids opaque, the user an object where one is acted on).
  const user = (id: string) => [{ type: 'user' as const, id }];
  audit.record({ kind: 'userAuthentication', eventType: 'login', action: 'E', outcome: 'success', user: 'u-rad-alice' });
  audit.record({ kind: 'userAuthentication', eventType: 'login', action: 'E', outcome: 'minorFailure', user: 'u-rad-alice', detail: { reason: 'wrong_password', failures: 1 } });
  audit.record({ kind: 'userAuthentication', eventType: 'logout', action: 'E', outcome: 'success', user: 'u-rad-alice' });
  // An automatic lock: a logout requested by the application, naming the user it locked.
  audit.record({ kind: 'userAuthentication', eventType: 'logout', action: 'E', outcome: 'success', user: 'system', objects: user('u-rad-alice'), detail: { reason: 'idle' } });
  audit.record({ kind: 'securityAlert', eventType: 'emergencyOverrideStarted', action: 'E', outcome: 'success', user: 'u-rad-alice', detail: { minutes: 60 } });
  audit.record({ kind: 'securityAlert', eventType: 'emergencyOverrideStopped', action: 'E', outcome: 'success', user: 'u-rad-alice', detail: { reason: 'expired' } });
  audit.record({ kind: 'securityAlert', eventType: 'securityRolesChanged', action: 'U', outcome: 'success', user: 'u-ada', objects: user('u-rad-alice'), detail: { from: 'physician', to: 'radiologist' } });
  audit.record({ kind: 'securityAlert', eventType: 'userSecurityAttributesChanged', action: 'U', outcome: 'success', user: 'u-ada', objects: user('u-rad-alice'), detail: { op: 'resetPassword' } });
  // Query: a PACS C-FIND (the PACS work's action).
  audit.record({ kind: 'query', action: 'E', outcome: 'success', user: 'u-rad-alice', detail: { level: 'STUDY', matches: 3 } });

  // A row edited with the key in hand: verification fails (Audit Recording Stopped), then the acknowledgement.
  const db = app.store.database;
  db.exec('DROP TRIGGER audit_no_update');
  db.prepare('UPDATE audit SET detail_json = ? WHERE seq = 3').run(JSON.stringify({ edited: true }));
  expect((await audit.verify('demand')).ok).toBe(false);
  await audit.acknowledgeBreak('u-ada');

  temp = app.temp;
  await app.close({ keep: true }); // Application Stop
  // Reopened as the CLI does for `enclave audit export --format atna-xml` (start verification records the break again).
  reopened = await temp.open();
  messages = [];
  await exportAuditTrail(reopened.audit, { format: 'atna-xml', user: 'u-otto' }, (line) => void messages.push(line));
  messages.forEach((m, i) => writeFileSync(path.join(root, 'msgs', `m${String(i).padStart(4, '0')}.xml`), m));
}, 180_000);

afterAll(async () => {
  await reopened?.close();
  temp?.cleanup();
  if (root) rmSync(root, { recursive: true, force: true });
});

const ev = (m: string) => /<EventID csd-code="(\d+)"/.exec(m)![1]!;
const type = (m: string) => /<EventTypeCode csd-code="(\d+)"/.exec(m)?.[1] ?? null;
const outcome = (m: string) => /EventOutcomeIndicator="(\d+)"/.exec(m)![1]!;

describe('ATNA XML of every event type the issue lists', () => {
  it('is all there', () => {
    expect(messages.length).toBeGreaterThan(REQUIRED.length);
    for (const [id, t, o] of REQUIRED) {
      const hit = messages.some((m) => ev(m) === id && type(m) === t && (o === '0' ? outcome(m) === '0' : outcome(m) !== '0'));
      expect(hit, `${id} ${t ?? ''} outcome ${o}`).toBe(true);
    }
  });

  it('every message validates against the PS3.15 A.5.1 schema (jing), and a broken one does not', () => {
    const files = readdirSync(path.join(root, 'msgs')).map((f) => path.join(root, 'msgs', f));
    expect(files.length).toBe(messages.length);
    const r = jing(files);
    expect(r.out).toBe('');
    expect(r.status).toBe(0);
    for (const m of messages) {
      expect(m).not.toMatch(/xsi:/);
      for (const c of m.match(/<(EventID|EventTypeCode|RoleIDCode|ParticipantObjectIDTypeCode|AuditSourceTypeCode)\b[^>]*>/g) ?? []) {
        expect(c).toMatch(/csd-code="[^"]+" codeSystemName="[^"]+" originalText="[^"]+"/);
      }
      for (const p of m.match(/<ParticipantObjectIdentification\b[\s\S]*?<\/ParticipantObjectIdentification>/g) ?? []) {
        expect(p).toMatch(/<ParticipantObjectName>|<ParticipantObjectQuery>/);
      }
      if (ev(m) === '110113') expect(m).toContain('<ParticipantObjectDetail type="Alert Description"');
    }
    const bad = path.join(root, 'bad.xml');
    writeFileSync(bad, messages.find((m) => type(m) === '110132')!.replace(/ codeSystemName="DCM"/, ''));
    expect(jing([bad]).status).not.toBe(0);
  });

  it('a restricted-study attempt names the study and its patient, with restricted=true in the Alert Description', () => {
    const m = messages.find((x) => type(x) === '110132' && x.includes('u-rad-bob'))!;
    expect(m).toContain('ParticipantObjectID="1.2.826.0.1.3680043.10.1234.1" ParticipantObjectTypeCode="2" ParticipantObjectTypeCodeRole="3"');
    expect(m).toMatch(/ParticipantObjectID="PH-0001" ParticipantObjectTypeCode="1" ParticipantObjectTypeCodeRole="1"/);
    const alert = /<ParticipantObjectDetail type="Alert Description" value="([^"]+)"/.exec(m)![1]!;
    expect(Buffer.from(alert, 'base64').toString('utf8')).toBe('Use of Restricted Function: channel=series:open restricted=true');
  });

  it('the refused request names who tried and the restricted function; the automatic lock is the application\'s', () => {
    const refused = messages.find((m) => type(m) === '110132')!;
    expect(refused).toMatch(/<ActiveParticipant UserID="u-otto"[^>]*UserIsRequestor="true"/);
    const alert = /<ParticipantObjectDetail type="Alert Description" value="([^"]+)"/.exec(refused)![1]!;
    expect(Buffer.from(alert, 'base64').toString('utf8')).toBe('Use of Restricted Function: channel=series:open permission=view');
    const logouts = messages.filter((m) => type(m) === '110123');
    expect(logouts).toHaveLength(2);
    // By hand: Alice asked. Automatic: Enclave asked, and Alice is the user it logged out.
    expect(logouts[0]).toMatch(/<ActiveParticipant UserID="u-rad-alice"[^>]*UserIsRequestor="true"/);
    expect(logouts[1]).toMatch(/<ActiveParticipant UserID="Enclave" UserName="Enclave" UserIsRequestor="true"/);
    expect(logouts[1]).toMatch(/ParticipantObjectID="u-rad-alice" ParticipantObjectTypeCode="1" ParticipantObjectTypeCodeRole="11"/);
  });
});

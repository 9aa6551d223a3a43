// Issue 11, items 10 and 12: the privacy officer asks the trail "who opened this patient's images, and when"
// after real series:open calls on the phantom and a second patient, through the real dispatcher, guard and
// encrypted store, with a clock the test moves. Filters by patient (name or ID), user, study (UID, accession,
// description), event, outcome and time; paging; every query is itself recorded (110101). Then the alerts an
// administrator must see, derived from the trail: a restricted-study attempt, break-glass, a lockout, bulk
// export, and an audit trail that fails verification after a row was edited with the key in hand.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BULK_EXPORT_STUDIES_PER_HOUR } from '../../../src-main/services/audit/adminAlerts';
import type { AuditEntryView, AuditQuery } from '../../../src-shared/ipc/contract';
import path from 'node:path';
import { CORPUS } from '../import/fixtures/importFixtures';
import { CT_AXIAL, CT_SMALL, guardedApp, PHANTOM_STUDY_UID, type GuardedApp } from './fixtures/guardedApp';

/** A patient whose name is not ASCII: Äneas^Rüdiger (ISO 8859-1). */
const GERMAN = path.join(CORPUS, 'debian-python3-pydicom/charset_files/chrGerm.dcm');

const T0 = Date.parse('2026-11-21T08:00:00.000Z');
const HOUR = 3_600_000;
let now = T0;
let app: GuardedApp;
let phantom: { studyId: string; seriesId: string };
let small: { studyId: string; seriesId: string };

/** Opens a study the way the study browser does: its series list, then its first series. */
async function openStudy(s: { studyId: string; seriesId: string }): Promise<void> {
  await app.value('series:list', { studyId: s.studyId });
  await app.value('series:open', { seriesId: s.seriesId });
}

async function query(q: Omit<AuditQuery, 'limit' | 'offset'> & Partial<Pick<AuditQuery, 'limit' | 'offset'>>): Promise<{ entries: AuditEntryView[]; total: number }> {
  app.gate.as('auditor', 'u-privacy-officer');
  return app.value('audit:query', { limit: 100, offset: 0, ...q });
}

const who = (es: AuditEntryView[]) => es.map((e) => `${e.userId}@${new Date(e.time).toISOString().slice(11, 16)}`);

beforeAll(async () => {
  app = await guardedApp({ clock: { now: () => now } });
  app.gate.as('admin');
  await app.value('import:paths', { paths: [CT_AXIAL, CT_SMALL, GERMAN] });
  // Ids read from the store directly, so the administrator opens nothing.
  const studies = await app.store.listStudies();
  const pick = async (patientId: string) => {
    const studyId = studies.find((s) => s.patientId === patientId)!.studyId;
    return { studyId, seriesId: (await app.store.listSeries(studyId))[0]!.seriesId };
  };
  phantom = await pick('PH-0001');
  small = await pick('1CT1');

  now = T0 + 1 * HOUR; // 09:00 Alice reads the phantom
  app.gate.as('radiologist', 'u-rad-alice');
  await openStudy(phantom);
  now = T0 + 2 * HOUR; // 10:00 Bob reads the other patient
  app.gate.as('physician', 'u-phys-bob');
  await openStudy(small);
  now = T0 + 3 * HOUR; // 11:00 Bob reads the phantom too
  await openStudy(phantom);
  now = T0 + 3.5 * HOUR; // 11:30 Carol looks at Herr Rüdiger's study
  app.gate.as('radiologist', 'u-rad-carol');
  await app.value('series:list', { studyId: studies.find((s) => s.patientId === 'SCSGERM')!.studyId });
  now = T0 + 4 * HOUR;
}, 120_000);

afterAll(async () => {
  await app?.close();
});

describe('audit review: who opened this patient\'s images, and when', () => {
  it('by patient name: Bob at 11:00 and Alice at 09:00 (study and series each), newest first, nobody else', async () => {
    const r = await query({ patient: 'patricia phantom'.split(' ').reverse().join(' '), event: '110103' });
    expect(who(r.entries)).toEqual(['u-phys-bob@11:00', 'u-phys-bob@11:00', 'u-rad-alice@09:00', 'u-rad-alice@09:00']);
    expect(r.total).toBe(4);
    for (const e of r.entries) {
      expect(e).toMatchObject({ eventId: '110103', eventName: 'DICOM Instances Accessed', outcome: 0 });
      expect(e.objects).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'study', uid: PHANTOM_STUDY_UID, patientId: 'PH-0001', name: 'Phantom^Patricia' })]));
    }
    // The series opened is named by its Series Instance UID.
    expect(r.entries[0]!.objects.find((o) => o.type === 'series')?.uid).toMatch(/^1\.2\.826\.0\.1\.3680043\.10\.1234\./);
  });

  it('by Patient ID, by DICOM name form, and the other patient apart', async () => {
    const byId = await query({ patient: 'ph-0001', event: '110103' });
    const byDicom = await query({ patient: 'Phantom^Patricia', event: '110103' });
    expect(who(byId.entries)).toEqual(who(byDicom.entries));
    expect(byId.total).toBe(4);
    expect(who((await query({ patient: 'CompressedSamples', event: '110103' })).entries)).toEqual(['u-phys-bob@10:00', 'u-phys-bob@10:00']);
    expect((await query({ patient: 'Nobody Such', event: '110103' })).total).toBe(0);
  });

  it('names in other scripts match without regard to case, and only what is there', async () => {
    for (const patient of ['rüdiger', 'ÄNEAS', 'neas rüd', 'Äneas^Rüdiger', 'scsgerm']) {
      expect(who((await query({ patient, event: '110103' })).entries), patient).toEqual(['u-rad-carol@11:30']);
    }
    expect((await query({ patient: 'ruediger', event: '110103' })).total).toBe(0);
  });

  it('by user, by study (UID, accession, description), by time', async () => {
    expect(who((await query({ user: 'u-phys-bob', event: '110103' })).entries)).toEqual(['u-phys-bob@11:00', 'u-phys-bob@11:00', 'u-phys-bob@10:00', 'u-phys-bob@10:00']);
    expect(who((await query({ user: 'alice' })).entries)).toEqual(['u-rad-alice@09:00', 'u-rad-alice@09:00']);
    for (const study of [PHANTOM_STUDY_UID, 'acc0001', 'phantom chest']) {
      expect(who((await query({ study, event: '110103' })).entries), study).toEqual(['u-phys-bob@11:00', 'u-phys-bob@11:00', 'u-rad-alice@09:00', 'u-rad-alice@09:00']);
    }
    expect(who((await query({ patient: 'PH-0001', event: '110103', from: T0 + 2.5 * HOUR, to: T0 + 3.5 * HOUR })).entries)).toEqual(['u-phys-bob@11:00', 'u-phys-bob@11:00']);
    // The import that brought the phantom in also names it (110107), at 08:00.
    expect(who((await query({ patient: 'PH-0001', event: '110107' })).entries)).toEqual(['u-admin@08:00']);
  });

  it('pages are disjoint and the total is the number of matches', async () => {
    const a = await query({ patient: 'PH-0001', event: '110103', limit: 2, offset: 0 });
    const b = await query({ patient: 'PH-0001', event: '110103', limit: 2, offset: 2 });
    expect(a.total).toBe(4);
    expect(b.total).toBe(4);
    expect([...a.entries, ...b.entries].map((e) => e.seq)).toEqual([...new Set([...a.entries, ...b.entries].map((e) => e.seq))].sort((x, y) => y - x));
    expect((await query({ patient: 'PH-0001', event: '110103', limit: 2, offset: 4 })).entries).toEqual([]);
  });

  it('a refusal is found by outcome and by its event type', async () => {
    app.gate.as('auditor', 'u-privacy-officer');
    expect(await app.call('series:open', { seriesId: phantom.seriesId })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const byOutcome = await query({ outcome: 4 });
    expect(byOutcome.entries[0]).toMatchObject({ eventId: '110113', eventType: '110132', userId: 'u-privacy-officer', detail: { channel: 'series:open', permission: 'view' } });
    expect((await query({ event: '110132' })).entries.map((e) => e.seq)).toEqual(byOutcome.entries.filter((e) => e.eventType === '110132').map((e) => e.seq));
  });

  it('every query is itself recorded as Audit Log Used (110101), by whom, with which filters, and no typed text', async () => {
    const before = app.headSeq();
    await query({ patient: 'Phantom Patricia', user: 'bob', from: T0 });
    const [row] = app.auditAfter(before);
    expect(row).toMatchObject({ event_id: '110101', user_id: 'u-privacy-officer', outcome: 0 });
    expect(JSON.parse(row!.detail_json)).toEqual({ op: 'query', byUser: true, byPatient: true, byStudy: false, byEvent: false, byOutcome: false, byTime: true });
    expect(row!.detail_json).not.toMatch(/phantom|patricia|bob/i);
  });

  it('audit:verify re-checks the whole chain and is recorded', async () => {
    app.gate.as('auditor', 'u-privacy-officer');
    const head = app.headSeq();
    expect(await app.value('audit:verify', {})).toEqual({ ok: true, entries: head, firstBad: null });
    expect(app.auditAfter(head)).toMatchObject([{ event_id: '110101', detail_json: JSON.stringify({ op: 'verify', intact: true }) }]);
  });
});

describe('alerts for administrators, from the trail', () => {
  it('restricted-study attempt, break-glass, lockout, bulk export and a broken trail; newest first', async () => {
    app.gate.as('admin');
    await app.value('studies:restrict', { studyId: phantom.studyId, users: ['u-rad-alice'], roles: [] });
    now = T0 + 5 * HOUR;
    app.gate.as('physician', 'u-phys-bob');
    expect(await app.call('series:open', { seriesId: phantom.seriesId })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    // What the accounts service records (its actions are tested with it): emergency access, an account locked.
    now = T0 + 6 * HOUR;
    app.store.audit.record({ kind: 'securityAlert', eventType: 'emergencyOverrideStarted', action: 'E', outcome: 'success', user: 'u-phys-bob', detail: { minutes: 60 } });
    now = T0 + 7 * HOUR;
    app.store.audit.record({ kind: 'userAuthentication', eventType: 'login', action: 'E', outcome: 'minorFailure', user: 'u-rad-alice', detail: { code: 'ACCOUNT_LOCKED', failures: 5 } });
    // Exports (as the export service records them): Bob 3 x 8 studies within 40 minutes; Alice 2 x 15 two hours apart.
    const exported = (user: string, studies: number) => app.store.audit.record({ kind: 'export', action: 'R', outcome: 'success', user, detail: { exportKind: 'export', studies } });
    for (const m of [0, 20, 40]) {
      now = T0 + 8 * HOUR + m * 60_000;
      exported('u-phys-bob', 8);
    }
    now = T0 + 8 * HOUR;
    exported('u-rad-alice', 15);
    now = T0 + 10 * HOUR;
    exported('u-rad-alice', 15);

    app.gate.as('admin');
    const before = await app.value('audit:alerts', { limit: 50 });
    expect(before.map((a) => a.kind)).toEqual(['bulkExport', 'lockout', 'breakGlass', 'restrictedAttempt']);
    expect(before[0]).toMatchObject({ userId: 'u-phys-bob', time: T0 + 8 * HOUR + 40 * 60_000 });
    expect(before[0]!.summary).toContain(`24 studies within an hour (more than ${BULK_EXPORT_STUDIES_PER_HOUR})`);
    expect(before[3]).toMatchObject({ userId: 'u-phys-bob', time: T0 + 5 * HOUR });
    expect(await app.value('audit:alerts', { limit: 2 })).toEqual(before.slice(0, 2));

    // Someone with the database key edits an entry (dropping the append-only trigger first): verification fails.
    now = T0 + 11 * HOUR;
    const db = app.store.database;
    db.exec('DROP TRIGGER audit_no_update');
    const victim = (db.prepare("SELECT seq FROM audit WHERE event_type = '110127'").get() as { seq: number }).seq;
    db.prepare('UPDATE audit SET detail_json = ? WHERE seq = ?').run(JSON.stringify({ minutes: 1 }), victim);
    app.gate.as('auditor', 'u-privacy-officer');
    expect(await app.value('audit:verify', {})).toMatchObject({ ok: false, firstBad: { seq: victim, code: 'entry_changed' } });
    const after = await app.value('audit:alerts', { limit: 50 });
    expect(after[0]).toMatchObject({ kind: 'auditBroken', time: T0 + 11 * HOUR });
    expect(after[0]!.summary).toContain(`entry ${victim}`);
  });
});

import { describe, expect, it } from 'vitest';
import { AUDIT_EVENT_IDS } from '../../../src-shared/audit/auditEvents';
import { AppError } from '../../../src-shared/errors';
import { makeTempStore } from '../store/fixtures/tempStore';

describe('audit service', () => {
  it('appends PS3.15 A.5 events with opaque ids, in order, and they survive reopening', async () => {
    let now = Date.parse('2026-11-21T10:00:00Z');
    const t = await makeTempStore({ now: () => now });
    try {
      const store = await t.open();
      now += 1000;
      const seq = store.audit.record({ kind: 'import', action: 'C', outcome: 'success', objects: [{ type: 'importJob', id: 'job-0123abcd' }], detail: { added: 3, skipped: 1 } });
      store.audit.record({ kind: 'securityAlert', action: 'E', outcome: 'seriousFailure', objects: [{ type: 'instance', id: 'in-00ff' }], detail: { code: 'INTEGRITY_TAMPERED' } });
      await store.close();

      const again = await t.open();
      const events = again.audit.list();
      // init: store created, start, stop; then start, our two, stop; then start (this open).
      expect(events.map((e) => e.eventId)).toEqual(['110100', '110100', '110100', '110100', '110107', '110113', '110100', '110100']);
      // A Security Alert always carries its CID 403 type (PS3.15 A.5.3.11): a tampered instance is 110135.
      expect(events.map((e) => e.eventType)).toEqual(['110120', '110129', '110121', '110120', null, '110135', '110121', '110120']);
      const imp = events.find((e) => e.seq === seq)!;
      expect(imp).toMatchObject({ action: 'C', outcome: 0, user: 'local', time: '2026-11-21T10:00:01.000Z', detail: { added: 3, skipped: 1 } });
      expect(events.find((e) => e.eventId === AUDIT_EVENT_IDS.securityAlert.code)!.outcome).toBe(8);
      expect(events.at(-1)!.detail).toEqual({ unlock: 'recovery' });
      await again.close();
    } finally {
      t.cleanup();
    }
  });

  it('refuses events that could carry PHI: UIDs, names or free text as ids or details', async () => {
    const t = await makeTempStore();
    try {
      const store = await t.open();
      const bad = [
        { objects: [{ type: 'study' as const, id: '1.2.826.0.1.3680043.10.1234.1' }] },
        { objects: [{ type: 'patient' as const, id: 'Phantom^Patricia' }] },
        { detail: { note: 'Patient Phantom^Patricia' } },
        { user: 'Dr Smith' },
      ];
      for (const b of bad) {
        let err: unknown;
        try {
          store.audit.record({ kind: 'instancesAccessed', action: 'R', outcome: 'success', ...b });
        } catch (e) {
          err = e;
        }
        expect((err as AppError).code).toBe('INVALID_REQUEST');
      }
      expect(store.audit.list().filter((e) => e.eventId === '110103')).toEqual([]);
      await store.close();
    } finally {
      t.cleanup();
    }
  });
});

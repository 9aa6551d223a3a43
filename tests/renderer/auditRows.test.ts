// The audit review's query and rows: what the auditor types becomes a query main's schema accepts (or a
// sentence saying why not), the time range is inclusive to the minute, and a "who opened this patient"
// entry reads as the user, the patient and the study.
import { describe, expect, it } from 'vitest';
import { requestSchemas, type AuditEntryView } from '../../src-shared/ipc/contract';
import { auditQueryOf, auditRowOf, NO_FILTERS } from '../../src-renderer/audit/auditRows';

describe('audit query', () => {
  it('sends only what was filled in, and main accepts it', () => {
    const q = auditQueryOf({ ...NO_FILTERS, patient: '  PH-0001 ', event: '110103', outcome: '0' }, 50, 100);
    expect(q).toEqual({ patient: 'PH-0001', event: '110103', outcome: 0, limit: 50, offset: 100 });
    expect(requestSchemas['audit:query'].safeParse(q).success).toBe(true);
    expect(auditQueryOf(NO_FILTERS, 50, 0)).toEqual({ limit: 50, offset: 0 });
  });
  it('reads the time range in local time, the end minute included (main reads [from, to))', () => {
    const q = auditQueryOf({ ...NO_FILTERS, from: '2026-12-03T10:00', to: '2026-12-03T10:05' }, 50, 0);
    expect(q).toMatchObject({ from: new Date(2026, 11, 3, 10, 0).getTime(), to: new Date(2026, 11, 3, 10, 6).getTime() });
    expect(auditQueryOf({ ...NO_FILTERS, from: '2026-12-03T10:06', to: '2026-12-03T10:05' }, 50, 0)).toEqual({ invalid: 'The start time is after the end time.' });
  });
  it('drops control characters and caps text at 128 so main does not refuse it', () => {
    const q = auditQueryOf({ ...NO_FILTERS, user: 'dr\u0007.house' + 'x'.repeat(200) }, 50, 0);
    expect(requestSchemas['audit:query'].safeParse(q).success).toBe(true);
    expect((q as { user: string }).user.startsWith('dr.house')).toBe(true);
  });
});

describe('audit rows', () => {
  const entry: AuditEntryView = {
    seq: 42, time: new Date(2026, 11, 3, 9, 7, 5).getTime(), eventId: '110103', eventName: 'DICOM Instances Accessed', eventType: null, action: 'R', outcome: 0,
    userId: 'u-rad', userName: 'rad1',
    objects: [{ type: 'patient', id: 'p1', patientId: 'PH-0001', name: 'Phantom^Patricia' }, { type: 'study', id: 's1', uid: '1.2.826.0.1.3680043.10.1234', patientId: 'PH-0001' }],
    detail: { series: 1, instances: 64 },
  };
  it('says who opened which patient\'s study, when', () => {
    expect(auditRowOf(entry)).toEqual({
      seq: 42, time: '2026-12-03 09:07:05', event: 'DICOM Instances Accessed', outcome: 'Success', failed: false,
      user: 'rad1 (u-rad)', patient: 'PH-0001 (Phantom, Patricia)', study: '1.2.826.0.1.3680043.10.1234', detail: 'series: 1; instances: 64',
    });
  });
  it('names the event type and marks failures', () => {
    const row = auditRowOf({ ...entry, eventId: '110113', eventName: 'Security Alert', eventType: '110132', outcome: 4, objects: [] });
    expect(row.event).toBe('Security Alert: Use of Restricted Function');
    expect(row.outcome).toBe('Minor failure');
    expect(row.failed).toBe(true);
  });
});

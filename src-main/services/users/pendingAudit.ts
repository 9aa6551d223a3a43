// Account events that happened while the store was closed (a failed login, a lockout: no key, no trail) wait in
// keys.json (userWraps.ts) and are written to the encrypted trail at the next opening, in order, each with the time
// it happened. This survives the app quitting and covers the command line, which exits before any store opens.
import type { AuditSink } from './authAudit';
import type { UserWraps } from './userWraps';

export async function flushPendingAudit(wraps: Pick<UserWraps, 'takePending'>, audit: AuditSink): Promise<number> {
  const { events, dropped } = await wraps.takePending();
  let invalid = 0;
  for (const { at, event } of events) {
    try {
      audit.record({ ...event, detail: { ...event.detail, occurredAt: new Date(at).toISOString() } });
    } catch {
      // The file is outside the encryption: an entry someone altered into a bad shape is counted, not written.
      invalid++;
    }
  }
  if (dropped > 0 || invalid > 0) {
    audit.record({ kind: 'securityAlert', eventType: 'auditRecordingStopped', action: 'E', outcome: 'minorFailure', user: 'system', detail: { op: 'pendingAuthEventsLost', dropped, invalid } });
  }
  return events.length - invalid;
}

// The audit trail, first form: rows appended to the encrypted store's `audit` table (triggers forbid
// UPDATE and DELETE). Events name objects by opaque ids only; the shape check refuses anything else.
// Hash chaining, signatures, review and export come with a later issue.
import {
  AUDIT_EVENT_IDS,
  AUDIT_EVENT_TYPES,
  AUDIT_OUTCOMES,
  auditEventProblem,
  type AuditEventInput,
  type AuditRecord,
} from '../../../src-shared/audit/auditEvents';
import { AppError } from '../../../src-shared/errors';
import type { Db } from '../db/database';

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

interface AuditRow {
  seq: number;
  time: string;
  event_id: string;
  event_type: string | null;
  action: string;
  outcome: number;
  user_id: string;
  objects_json: string;
  detail_json: string;
}

export class AuditService {
  private readonly insert;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock = systemClock,
    private readonly defaultUser = 'local',
  ) {
    this.insert = db.prepare(
      `INSERT INTO audit (time, event_id, event_type, action, outcome, user_id, objects_json, detail_json)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  /** Appends one event and returns its sequence number. Throws INVALID_REQUEST for an event that could carry PHI. */
  record(event: AuditEventInput): number {
    const problem = auditEventProblem(event);
    if (problem) throw new AppError('INVALID_REQUEST', `Audit event refused: ${problem}.`);
    const r = this.insert.run(
      new Date(this.clock.now()).toISOString(),
      AUDIT_EVENT_IDS[event.kind].code,
      event.eventType ? AUDIT_EVENT_TYPES[event.eventType].code : null,
      event.action,
      AUDIT_OUTCOMES[event.outcome],
      event.user ?? this.defaultUser,
      JSON.stringify(event.objects ?? []),
      JSON.stringify(event.detail ?? {}),
    );
    return Number(r.lastInsertRowid);
  }

  /** Events in order, from `afterSeq` on (for review and tests). */
  list(afterSeq = 0, limit = 1000): AuditRecord[] {
    const rows = this.db
      .prepare('SELECT * FROM audit WHERE seq > ? ORDER BY seq LIMIT ?')
      .all(afterSeq, Math.max(1, Math.min(limit, 100_000))) as AuditRow[];
    return rows.map((r) => ({
      seq: r.seq,
      time: r.time,
      eventId: r.event_id as AuditRecord['eventId'],
      eventType: r.event_type,
      action: r.action as AuditRecord['action'],
      outcome: r.outcome,
      user: r.user_id,
      objects: JSON.parse(r.objects_json) as AuditRecord['objects'],
      detail: JSON.parse(r.detail_json) as AuditRecord['detail'],
    }));
  }
}

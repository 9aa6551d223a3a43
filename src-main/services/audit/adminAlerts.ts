// What an administrator must not miss (issue 11, item 12), derived from the trail itself so nothing can be
// alerted without being recorded: accounts locked after failed logins, emergency access started, attempts on
// restricted studies, bulk export (more than BULK_EXPORT_STUDIES_PER_HOUR studies by one user within an hour)
// and audit verification failures. Newest first.
//
// What each producer records for its alert to be found:
// - lockout: any 110114 or 110113 entry with detail code=ACCOUNT_LOCKED (or lockout=true);
// - break-glass: 110113 with type 110127 Emergency Override Started;
// - restricted attempt: 110113 with type 110132 and detail restricted=true (permissionGuard.ts);
// - bulk export: successful 110106 entries; each counts its study objects, else detail studies=N, else 1;
// - audit broken: 110113 with type 110133 and detail code=AUDIT_CHAIN_BROKEN (AuditService.verify).
import type { AuditRecord } from '../../../src-shared/audit/auditEvents';
import type { AdminAlert } from '../../../src-shared/ipc/contract';
import type { Db } from '../db/database';
import { CHAIN_COLUMNS } from './auditChain';
import { toRecord, type StoredRow } from './auditService';

/** More studies than this exported by one user within BULK_EXPORT_WINDOW_MS raises an alert. */
export const BULK_EXPORT_STUDIES_PER_HOUR = 20;
export const BULK_EXPORT_WINDOW_MS = 3_600_000;

const who = (r: AuditRecord) => r.actor.userName ?? r.actor.userId ?? r.user;

function alert(r: AuditRecord, kind: AdminAlert['kind'], summary: string): AdminAlert {
  return { seq: r.seq, time: Date.parse(r.time), kind, userId: r.user, summary };
}

function single(r: AuditRecord): AdminAlert | null {
  const d = r.detail;
  if ((r.eventId === '110114' || r.eventId === '110113') && (d['code'] === 'ACCOUNT_LOCKED' || d['lockout'] === true)) {
    return alert(r, 'lockout', `Account locked after failed logins (${who(r)}).`);
  }
  if (r.eventId !== '110113') return null;
  if (r.eventType === '110127') return alert(r, 'breakGlass', `Emergency access started by ${who(r)}.`);
  if (r.eventType === '110132' && d['restricted'] === true) {
    return alert(r, 'restrictedAttempt', `${who(r)} tried to open a restricted study (${String(d['channel'] ?? 'request')}).`);
  }
  if (r.eventType === '110133' && d['code'] === 'AUDIT_CHAIN_BROKEN') {
    return alert(r, 'auditBroken', `Audit trail verification failed at entry ${String(d['firstBad'])} (${String(d['reason'])}).`);
  }
  return null;
}

function studiesIn(r: AuditRecord): number {
  const ids = new Set(r.objects.filter((o) => o.type === 'study').map((o) => o.id));
  if (ids.size > 0) return ids.size;
  const n = r.detail['studies'];
  return typeof n === 'number' && n > 0 ? n : 1;
}

/** Tracks each user's exports over a sliding hour; one alert per burst (the window restarts after it). */
class BulkExportWatch {
  private readonly windows = new Map<string, { time: number; studies: number }[]>();

  see(r: AuditRecord): AdminAlert | null {
    if (r.eventId !== '110106' || r.outcome !== 0) return null;
    const t = Date.parse(r.time);
    const w = (this.windows.get(r.user) ?? []).filter((e) => t - e.time < BULK_EXPORT_WINDOW_MS);
    w.push({ time: t, studies: studiesIn(r) });
    const total = w.reduce((s, e) => s + e.studies, 0);
    if (total <= BULK_EXPORT_STUDIES_PER_HOUR) {
      this.windows.set(r.user, w);
      return null;
    }
    this.windows.set(r.user, []);
    return alert(r, 'bulkExport', `${who(r)} exported ${total} studies within an hour (more than ${BULK_EXPORT_STUDIES_PER_HOUR}).`);
  }
}

/** The newest `limit` alerts in the trail. */
export function adminAlerts(db: Db, limit: number): AdminAlert[] {
  const rows = db.prepare(`SELECT ${CHAIN_COLUMNS}, hash FROM audit WHERE event_id IN ('110106', '110113', '110114') ORDER BY seq`).iterate() as IterableIterator<StoredRow>;
  const bulk = new BulkExportWatch();
  const out: AdminAlert[] = [];
  for (const row of rows) {
    const r = toRecord(row);
    const a = single(r) ?? bulk.see(r);
    if (a) out.push(a);
  }
  return out.reverse().slice(0, limit);
}

// The handlers of the privacy officer's and administrator's channels: study restrictions (issue 11, item 7),
// the audit review, on-demand verification and the alerts (items 10 and 12). Who may call them is the
// permission guard's business (channelRules.ts); these only act and audit.
// - Each audit:query is recorded as Audit Log Used (110101) before it runs: every question asked of the trail is
//   itself in the trail (which filters were used, never the text typed). audit:verify is recorded the same way.
//   audit:alerts is not: the administrator's banner asks for it repeatedly, and it reveals no patient.
// - Restricting or lifting a restriction is a Security Alert (110113) of type Object Security Attributes Changed
//   (110135), naming the study (so its patient) and the users named on it.
import { AppError } from '../../../src-shared/errors';
import type { AuditQuery } from '../../../src-shared/ipc/contract';
import { adminAlerts } from '../audit/adminAlerts';
import { queryAuditTrail } from '../audit/auditReview';
import type { AuditService } from '../audit/auditService';
import type { Db } from '../db/database';
import type { Handlers } from '../ipc/dispatch';
import type { StudyRestrictions } from '../store/studyRestrictions';

/** What these handlers need of the open encrypted cache (EncryptedStudyStore has it). */
export interface SecurityStore {
  readonly audit: AuditService;
  readonly database: Db;
  readonly restrictions: StudyRestrictions;
}

export interface SecurityHandlerDeps {
  /** The open encrypted cache; throws (STORE_LOCKED) when there is none. */
  store(): SecurityStore;
  /** The acting user's opaque id for the entries these write; undefined: the trail's own user source. */
  actingUser(): string | undefined;
}

export type SecurityChannels = 'studies:restriction' | 'studies:restrict' | 'audit:query' | 'audit:verify' | 'audit:alerts';

function filtersUsed(q: AuditQuery): Record<string, boolean> {
  return {
    byUser: q.user !== undefined,
    byPatient: q.patient !== undefined,
    byStudy: q.study !== undefined,
    byEvent: q.event !== undefined,
    byOutcome: q.outcome !== undefined,
    byTime: q.from !== undefined || q.to !== undefined,
  };
}

export function securityHandlers(d: SecurityHandlerDeps): Pick<Handlers, SecurityChannels> {
  const user = () => {
    const u = d.actingUser();
    return u === undefined ? {} : { user: u };
  };
  const studyIn = (s: SecurityStore, studyId: string) => {
    if (!s.restrictions.hasStudy(studyId)) throw new AppError('NOT_FOUND', 'Study not found in the cache (only cached studies can be restricted).');
  };
  return {
    'studies:restriction': async ({ studyId }) => {
      const s = d.store();
      studyIn(s, studyId);
      return s.restrictions.get(studyId);
    },
    'studies:restrict': async ({ studyId, users, roles }) => {
      const s = d.store();
      studyIn(s, studyId);
      const uniqueUsers = [...new Set(users)].sort();
      const uniqueRoles = [...new Set(roles)].sort();
      const before = s.restrictions.get(studyId);
      const after = s.restrictions.set(studyId, uniqueUsers, uniqueRoles, d.actingUser() ?? 'local');
      s.audit.record({
        kind: 'securityAlert',
        eventType: 'objectSecurityAttributesChanged',
        action: 'U',
        outcome: 'success',
        ...user(),
        objects: [{ type: 'study', id: studyId }, ...uniqueUsers.filter((u) => /^[a-z0-9_-]{4,80}$/.test(u)).map((id) => ({ type: 'user' as const, id }))],
        detail: { restriction: after ? (before ? 'changed' : 'set') : 'lifted', users: uniqueUsers.length, roles: uniqueRoles.join('.') },
      });
      return after;
    },
    'audit:query': async (q) => {
      const s = d.store();
      s.audit.record({ kind: 'auditLogUsed', action: 'R', outcome: 'success', ...user(), objects: [{ type: 'auditLog', id: 'audit-trail' }], detail: { op: 'query', ...filtersUsed(q) } });
      return queryAuditTrail(s.database, q);
    },
    'audit:verify': async () => {
      const s = d.store();
      const v = await s.audit.verify('demand');
      s.audit.record({ kind: 'auditLogUsed', action: 'R', outcome: v.ok ? 'success' : 'minorFailure', ...user(), objects: [{ type: 'auditLog', id: 'audit-trail' }], detail: { op: 'verify', intact: v.ok } });
      return { ok: v.ok, entries: v.entries, firstBad: v.firstBad ? { seq: v.firstBad.seq, code: v.firstBad.code } : null };
    },
    'audit:alerts': async ({ limit }) => adminAlerts(d.store().database, limit),
  };
}

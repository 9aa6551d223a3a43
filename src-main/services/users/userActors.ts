// The audit trail's ActorDirectory once accounts exist: an event by a user carries their user name (ATNA
// UserName) beside the stable opaque id; 'system' and 'local' keep their meaning (auditActors.ts).
import type { AuditActor } from '../../../src-shared/audit/auditEvents';
import { localActorDirectory, type ActorDirectory } from '../audit/auditActors';
import type { UserRows } from './userRows';

export function userActorDirectory(users: Pick<UserRows, 'byId'>, fallback: ActorDirectory = localActorDirectory()): ActorDirectory {
  return {
    actorOf(userId): AuditActor {
      const u = userId.startsWith('u-') ? users.byId(userId) : null;
      return u ? { userId, userName: u.username, requestor: true, kind: 'person' } : fallback.actorOf(userId);
    },
  };
}

// Who an audit event names as its active participant. Until accounts exist the requestor is the person logged in
// to the operating system ('local'), and Enclave itself acts as 'system' (updates, network gate). The accounts work
// plugs its user directory in here: the trail stores whatever actorOf returns, inside the encryption.
import os from 'node:os';
import type { AuditActor } from '../../../src-shared/audit/auditEvents';

export interface ActorDirectory {
  actorOf(userId: string): AuditActor;
}

function osUserName(): string {
  try {
    return os.userInfo().username || 'unknown';
  } catch {
    return 'unknown';
  }
}

export const APPLICATION_ACTOR: AuditActor = { userId: 'enclave', userName: 'Enclave', requestor: false, kind: 'application' };

/** 'local' is the OS user at this machine; 'system' is the application; any other id is passed through as is. */
export function localActorDirectory(osUser: string = osUserName()): ActorDirectory {
  return {
    actorOf(userId) {
      if (userId === 'system') return APPLICATION_ACTOR;
      if (userId === 'local') return { userId: osUser, userName: 'local user', requestor: true, kind: 'person' };
      return { userId, requestor: true, kind: 'person' };
    },
  };
}

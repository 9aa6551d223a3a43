// The audit events of accounts and sessions (DICOM PS3.15 A.5.3): User Authentication 110114 with Login 110122 /
// Logout 110123 (failures outcome 4), Security Alert 110113 with Security Roles Changed 110136, User Security
// Attributes Changed 110137, Emergency Override Started 110127 / Stopped 110138. A lock or logout the application
// decides (idle, lifetime) names the application as actor and the user as the object.
import type { AuditDetail, AuditEventInput } from '../../../src-shared/audit/auditEvents';
import { STATED_REASON_KEY } from '../../../src-shared/audit/auditEvents';

export interface AuditSink {
  record(event: AuditEventInput): unknown;
}

/** The actor of a failed login whose user name matches no account (the name typed is not kept: it may be a password). */
export const UNKNOWN_USER = 'unknown-user';

const userObject = (userId: string) => [{ type: 'user' as const, id: userId }];

export function loginEvent(userId: string, detail: AuditDetail): AuditEventInput {
  return { kind: 'userAuthentication', eventType: 'login', action: 'E', outcome: 'success', user: userId, objects: userObject(userId), detail };
}

export type LoginFailure = 'badPassword' | 'unknownUser' | 'accountLocked' | 'disabled' | 'mfaInvalid' | 'mfaReplay' | 'unknownAccount';

export function loginFailedEvent(userId: string | null, reason: LoginFailure, detail: AuditDetail = {}): AuditEventInput {
  const user = userId ?? UNKNOWN_USER;
  return { kind: 'userAuthentication', eventType: 'login', action: 'E', outcome: 'minorFailure', user, objects: userObject(user), detail: { reason, ...detail } };
}

/** `by`: 'user' when the person logged out or locked; 'application' when idle time or the lifetime ended it. */
export function logoutEvent(userId: string, by: 'user' | 'application', reason: 'logout' | 'manual' | 'idle' | 'lifetime', client?: string): AuditEventInput {
  return {
    kind: 'userAuthentication',
    eventType: 'logout',
    action: 'E',
    outcome: 'success',
    user: by === 'user' ? userId : 'system',
    objects: userObject(userId),
    detail: { reason, ...(client ? { client } : {}) },
  };
}

export function rolesChangedEvent(actor: string, target: string, detail: AuditDetail): AuditEventInput {
  return { kind: 'securityAlert', eventType: 'securityRolesChanged', action: 'E', outcome: 'success', user: actor, objects: userObject(target), detail };
}

export function userAttributesEvent(actor: string, target: string, detail: AuditDetail, outcome: AuditEventInput['outcome'] = 'success'): AuditEventInput {
  return { kind: 'securityAlert', eventType: 'userSecurityAttributesChanged', action: 'E', outcome, user: actor, objects: userObject(target), detail };
}

export function breakGlassStartedEvent(userId: string, reason: string, minutes: number): AuditEventInput {
  return {
    kind: 'securityAlert',
    eventType: 'emergencyOverrideStarted',
    action: 'E',
    outcome: 'success',
    user: userId,
    objects: userObject(userId),
    detail: { op: 'breakGlassStarted', minutes, [STATED_REASON_KEY]: reason },
  };
}

export function breakGlassStoppedEvent(userId: string, ended: 'manual' | 'expired' | 'logout', usedMs: number): AuditEventInput {
  return {
    kind: 'securityAlert',
    eventType: 'emergencyOverrideStopped',
    action: 'E',
    outcome: 'success',
    user: ended === 'manual' ? userId : 'system',
    objects: userObject(userId),
    detail: { op: 'breakGlassStopped', ended, usedSeconds: Math.round(usedMs / 1000) },
  };
}

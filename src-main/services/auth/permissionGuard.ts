// Main enforces the permission matrix on every IPC request and every pixel or preview request (issue 11,
// item 1); the renderer only hides what it cannot do. Every channel's rule is in src-shared/auth/channelRules.ts.
// Order of checks: the channel's rule against the session (no session: AUTH_REQUIRED, locked: SESSION_LOCKED),
// the role's permissions (FORBIDDEN), then the study's restriction for requests that name a study, series or
// instance of the encrypted cache (FORBIDDEN). Each FORBIDDEN is audited as a Security Alert (110113) of type
// Use of Restricted Function (110132), with the channel and the missing permission (or restricted=true) as detail.
//
// Break-glass does not lift a restriction: emergency access grants the rights a role lacks (BREAK_GLASS_GRANTS),
// while a restriction is a decision about one patient's study (consent, a VIP, a member of staff) that an
// administrator made on purpose; whoever needs it in an emergency asks an administrator, who can name them.
import type { AuditEventInput, AuditObject } from '../../../src-shared/audit/auditEvents';
import { CHANNEL_RULES, PERMISSION_LABELS, type ChannelRule } from '../../../src-shared/auth/channelRules';
import { ROLE_LABELS } from '../../../src-shared/auth/permissions';
import { AppError } from '../../../src-shared/errors';
import type { Channel, RequestOf } from '../../../src-shared/ipc/contract';
import type { Handlers } from '../ipc/dispatch';
import type { StudyRef, StudyRestrictions } from '../store/studyRestrictions';
import type { AuthGate, Principal } from '../users/authGate';

export interface GuardAudit {
  record(event: AuditEventInput): unknown;
}

export interface PermissionGuardOptions {
  auth: AuthGate;
  /** The open cache's audit trail, where refusals are recorded; null when no trail is open. */
  audit(): GuardAudit | null;
  /** The open cache's restrictions; null when none applies (no cache open, or a store without them). */
  restrictions(): StudyRestrictions | null;
}

/** The study a request names, for the channels that open a study's contents. */
const STUDY_OF_REQUEST: { [C in Channel]?: (r: RequestOf<C>) => StudyRef } = {
  'series:list': (r) => ({ studyId: r.studyId }),
  'series:open': (r) => ({ seriesId: r.seriesId }),
  'annotations:list': (r) => ({ seriesId: r.seriesId }),
  'annotations:save': (r) => ({ seriesId: r.seriesId }),
  'instance:tags': (r) => ({ instanceId: r.instanceId }),
};

/** What the pixel protocol serves: slices and previews, both of one series. */
export type ProtocolResource = 'pixels' | 'thumbs';

function refuse(o: PermissionGuardOptions, who: Principal | null, what: string, detail: AuditEventInput['detail'], objects: AuditObject[], message: string): AppError {
  o.audit()?.record({
    kind: 'securityAlert',
    eventType: 'useOfRestrictedFunction',
    action: 'E',
    outcome: 'minorFailure',
    ...(who ? { user: who.userId } : {}),
    objects,
    detail: { channel: what, ...detail },
  });
  return new AppError('FORBIDDEN', message);
}

/** The refusal for `rule` in the session's present state, or the principal allowed to go on. */
function checkRule(o: PermissionGuardOptions, what: string, rule: ChannelRule): { error: AppError } | { principal: Principal | null } {
  if (rule === 'public') return { principal: o.auth.principal() };
  const state = o.auth.state();
  if (rule === 'setup') {
    if (state === 'setup') return { principal: null };
    return { error: refuse(o, o.auth.principal(), what, { permission: 'setup', state }, [], 'First-run setup is done: an administrator already exists.') };
  }
  if (state === 'locked') return { error: new AppError('SESSION_LOCKED', 'The session is locked: unlock it to go on.') };
  const p = o.auth.principal();
  if (!p || state !== 'active') return { error: new AppError('AUTH_REQUIRED', 'Log in first.') };
  if (rule === 'session' || p.permissions.includes(rule)) return { principal: p };
  return {
    error: refuse(o, p, what, { permission: rule }, [], `Not allowed: this needs the right to ${PERMISSION_LABELS[rule]}, which the ${ROLE_LABELS[p.role]} role does not have.`),
  };
}

/** FORBIDDEN (audited) when the study `ref` belongs to is restricted and `p` is not named on it. */
function checkRestriction(o: PermissionGuardOptions, what: string, p: Principal | null, ref: StudyRef): AppError | null {
  const r = o.restrictions();
  if (!r || !p) return null;
  const studyId = r.studyOf(ref);
  if (studyId === null || r.mayOpen(studyId, p.userId, p.role)) return null;
  return refuse(o, p, what, { restricted: true }, [{ type: 'study', id: studyId }], 'This study is restricted to named users. The attempt was recorded.');
}

/** Throws the refusal for one IPC request, or returns when it may go to its handler. */
export function checkRequest<C extends Channel>(o: PermissionGuardOptions, channel: C, request: RequestOf<C>): void {
  const rule = checkRule(o, channel, CHANNEL_RULES[channel]);
  if ('error' in rule) throw rule.error;
  const ref = STUDY_OF_REQUEST[channel]?.(request);
  const restricted = ref ? checkRestriction(o, channel, rule.principal, ref) : null;
  if (restricted) throw restricted;
}

/** The handlers, each behind the guard: nothing runs before its channel's rule and the study's restriction pass. */
export function guardRequests(handlers: Handlers, o: PermissionGuardOptions): Handlers {
  const guarded: Partial<Record<Channel, (r: unknown) => Promise<unknown>>> = {};
  // Every channel of the contract, whatever `handlers` holds: none is reachable around the guard.
  for (const channel of Object.keys(CHANNEL_RULES) as Channel[]) {
    const handler = handlers[channel] as ((r: unknown) => Promise<unknown>) | undefined;
    guarded[channel] = async (request) => {
      checkRequest(o, channel, request as RequestOf<typeof channel>);
      if (!handler) throw new AppError('INTERNAL', `No handler for ${channel}.`);
      return handler(request);
    };
  }
  return guarded as Handlers;
}

/** The pixel protocol's check: slices and previews need an active session with 'view', and an open study. */
export function authorizeSeriesResource(o: PermissionGuardOptions, resource: ProtocolResource, seriesId: string): AppError | null {
  const rule = checkRule(o, resource, 'view');
  if ('error' in rule) return rule.error;
  return checkRestriction(o, resource, rule.principal, { seriesId });
}

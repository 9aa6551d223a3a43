// What each IPC channel needs before main runs it (issue 11, item 1). Main's guard reads this table on every
// request (src-main/services/auth/permissionGuard.ts); the renderer may read it to hide what it cannot do.
// `Record<Channel, ChannelRule>` is the type-level check: a channel added to the contract without a rule here
// does not compile, and neither does a rule for a channel that does not exist.
import type { Channel } from '../ipc/contract';
import type { Permission } from './permissions';

/**
 * - 'public': no session needed (what the login and first-run screens call, and what reveals nothing).
 * - 'setup': only while no administrator exists yet (auth state 'setup'); afterwards refused as FORBIDDEN.
 * - 'session': any logged-in, unlocked user, whatever their role.
 * - a Permission: a logged-in, unlocked user whose role (plus break-glass grants) holds it.
 */
export type ChannelRule = 'public' | 'setup' | 'session' | Permission;

export const CHANNEL_RULES: Record<Channel, ChannelRule> = {
  'app:info': 'public',
  'store:status': 'public',
  // The pre-accounts first run; with accounts auth:setup creates the cache, and this stays a first-run door.
  'store:init': 'setup',
  // The recovery key is itself the credential (IT's way in when the keychain is locked); opening the cache
  // still shows nothing without a login.
  'store:unlock': 'public',
  // Quick view shows a CD or folder in memory and stores nothing: it is viewing, not importing. So 'view', which
  // break-glass grants: an emergency reader may open the CD the patient brought.
  'quickview:chooseFolder': 'view',
  'quickview:close': 'session',
  'import:paths': 'import',
  'import:chooseFolder': 'import',
  'import:cancel': 'import',
  'studies:list': 'view',
  'studies:search': 'view',
  'studies:purge': 'purge',
  'studies:purgeAll': 'purge',
  'series:list': 'view',
  'series:open': 'view',
  'annotations:list': 'view',
  'annotations:save': 'annotate',
  'instance:tags': 'view',
  // Reads what IT locked and the network state; no patient data. Writing settings has no channel yet:
  // when one comes it takes 'changeSettings'.
  'settings:status': 'session',
  'auth:status': 'public',
  'auth:setup': 'setup',
  'auth:login': 'public',
  // Ending a session never needs rights, and the lock screen must be able to sign its user out.
  'auth:logout': 'public',
  'auth:lock': 'session',
  // The password (and TOTP) in the request is the credential; the accounts service checks a locked session exists.
  'auth:unlock': 'public',
  'auth:activity': 'session',
  'auth:changePassword': 'session',
  'mfa:begin': 'session',
  'mfa:confirm': 'session',
  'users:list': 'manageUsers',
  'users:create': 'manageUsers',
  'users:update': 'manageUsers',
  'users:remove': 'manageUsers',
  'users:unlock': 'manageUsers',
  'users:resetPassword': 'manageUsers',
  'users:resetMfa': 'manageUsers',
  'breakglass:start': 'breakGlass',
  'breakglass:stop': 'session',
  // Who may see a study is access-control administration, like who may log in: the user manager's right.
  'studies:restriction': 'manageUsers',
  'studies:restrict': 'manageUsers',
  'audit:query': 'readAudit',
  'audit:verify': 'readAudit',
  'audit:alerts': 'readAudit',
  // Export: the role's right; main's export service also applies policy (ExportAllowedRoles, de-identification).
  'export:review': 'export',
  'export:run': 'export',
  'export:cancel': 'export',
  // PACS: whether nodes exist is no secret; a query shows patients (view); a retrieve stores studies (import).
  'pacs:status': 'session',
  'pacs:find': 'view',
  'pacs:series': 'view',
  'pacs:retrieve': 'import',
  'pacs:cancel': 'import',
};

/** How a refusal names what was missing. */
export const PERMISSION_LABELS: Record<Permission, string> = {
  view: 'view images',
  annotate: 'measure and annotate',
  import: 'import studies',
  export: 'export studies',
  deidentify: 'de-identify studies',
  purge: 'delete studies',
  manageUsers: 'manage users',
  readAudit: 'read the audit trail',
  changeSettings: 'change settings',
  breakGlass: 'use emergency access',
};

export function ruleOf(channel: Channel): ChannelRule {
  return CHANNEL_RULES[channel];
}

/** Whether a user holding `permissions` may call `channel` (for the renderer: hide what main would refuse). */
export function mayCall(channel: Channel, permissions: readonly Permission[]): boolean {
  const rule = CHANNEL_RULES[channel];
  if (rule === 'public' || rule === 'session') return true;
  if (rule === 'setup') return false;
  return permissions.includes(rule);
}

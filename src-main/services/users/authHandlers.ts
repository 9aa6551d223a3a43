// The IPC handlers of the accounts channels (auth:*, mfa:*, users:*, breakglass:*), over AuthSession and UserAdmin.
// The dispatcher validated each request against its zod schema; the permission guard (dispatch) decides who may
// call users:* (manageUsers) and breakglass:start (breakGlass); the services check again for their own safety.
import { PERMISSIONS } from '../../../src-shared/auth/permissions';
import { AppError } from '../../../src-shared/errors';
import type { AuthStatus } from '../../../src-shared/ipc/contract';
import type { Handlers } from '../ipc/dispatch';
import type { AuthGate } from './authGate';
import type { AuthSession } from './authSession';
import { UserAdmin } from './userAdmin';

export type AuthChannel =
  | 'auth:status'
  | 'auth:setup'
  | 'auth:login'
  | 'auth:logout'
  | 'auth:lock'
  | 'auth:unlock'
  | 'auth:activity'
  | 'auth:changePassword'
  | 'mfa:begin'
  | 'mfa:confirm'
  | 'users:list'
  | 'users:create'
  | 'users:update'
  | 'users:remove'
  | 'users:unlock'
  | 'users:resetPassword'
  | 'users:resetMfa'
  | 'breakglass:start'
  | 'breakglass:stop';

export type AuthHandlers = Pick<Handlers, AuthChannel>;

export function createAuthHandlers(auth: AuthSession): AuthHandlers {
  const admin = new UserAdmin(auth);
  return {
    'auth:status': async () => auth.status(),
    'auth:setup': async (r) => auth.setup(r),
    'auth:login': async (r) => auth.login(r),
    'auth:logout': async () => auth.logout(),
    'auth:lock': async () => auth.lock(),
    'auth:unlock': async (r) => auth.unlock(r),
    'auth:activity': async () => auth.activity(),
    'auth:changePassword': async (r) => auth.changePassword(r),
    'mfa:begin': async () => auth.beginMfa(),
    'mfa:confirm': async ({ code }) => auth.confirmMfa(code),
    'users:list': async () => admin.list(),
    'users:create': async (r) => admin.create(r),
    'users:update': async (r) => admin.update(r),
    'users:remove': async ({ userId }) => admin.remove(userId),
    'users:unlock': async ({ userId }) => admin.unlock(userId),
    'users:resetPassword': async ({ userId, password }) => admin.resetPassword(userId, password),
    'users:resetMfa': async ({ userId }) => admin.resetMfa(userId),
    'breakglass:start': async ({ reason }) => auth.startBreakGlass(reason),
    'breakglass:stop': async () => auth.stopBreakGlass(),
  };
}

/**
 * A build with no accounts (the browser harness over a memory store, tests of other features): one local user with
 * every right, always active. Electron's main.ts never uses it; it passes an AuthSession.
 */
export function noAccountsHandlers(): AuthHandlers {
  const refuse = async (): Promise<never> => {
    throw new AppError('INVALID_REQUEST', 'This session has no user accounts.');
  };
  return {
    'auth:status': async () => LOCAL_STATUS,
    'auth:setup': refuse,
    'auth:login': refuse,
    'auth:logout': async () => LOCAL_STATUS,
    'auth:lock': async () => LOCAL_STATUS,
    'auth:unlock': async () => LOCAL_STATUS,
    'auth:activity': async () => ({ idleLockAt: null }),
    'auth:changePassword': refuse,
    'mfa:begin': refuse,
    'mfa:confirm': refuse,
    'users:list': async () => [],
    'users:create': refuse,
    'users:update': refuse,
    'users:remove': refuse,
    'users:unlock': refuse,
    'users:resetPassword': refuse,
    'users:resetMfa': refuse,
    'breakglass:start': refuse,
    'breakglass:stop': async () => LOCAL_STATUS,
  };
}

const LOCAL_STATUS: AuthStatus = {
  state: 'active',
  user: { userId: 'local', username: 'local', displayName: 'Local user', role: 'admin', mfaEnrolled: false },
  permissions: [...PERMISSIONS],
  breakGlass: null,
  mfaRequired: false,
  idleLockMinutes: 0,
  sessionEndsAt: null,
};

/** The gate of a build with no accounts: the local user, every right. */
export function noAccountsGate(): AuthGate {
  return {
    principal: () => ({ userId: 'local', username: 'local', role: 'admin', permissions: PERMISSIONS, breakGlass: false }),
    state: () => 'active',
  };
}

// What the permission guard asks the session: who is acting now, with which rights. The accounts service
// (authSession.ts) implements it; the dispatcher's guard and the pixel protocol read it on every request.
import type { Permission, Role } from '../../../src-shared/auth/permissions';
import type { AuthStatus } from '../../../src-shared/ipc/contract';

export interface Principal {
  userId: string;
  username: string;
  role: Role;
  /** Role rights plus break-glass grants while emergency access lasts (permissionsOf). */
  permissions: readonly Permission[];
  breakGlass: boolean;
}

export interface AuthGate {
  /** The active, unlocked session's user; null when nobody is logged in or the session is locked or expired. */
  principal(): Principal | null;
  state(): AuthStatus['state'];
}

// What an administrator does to accounts: list, create, change role or name, disable, remove, unlock, reset the
// password or the second factor. Each change is audited (Security Alert 110113 with 110136 Security Roles Changed
// for who-has-which-role, 110137 User Security Attributes Changed for the rest). The administrator's open session
// holds the data key, so a new or reset password gets its own wrap here; removing a user removes their wrap.
// The last enabled administrator cannot be removed, demoted or disabled (nobody could manage users again).
import type { Role } from '../../../src-shared/auth/permissions';
import { AppError } from '../../../src-shared/errors';
import type { UserSummary } from '../../../src-shared/ipc/contract';
import type { PasswordWrap } from '../keys/keyFile';
import { rolesChangedEvent, userAttributesEvent } from './authAudit';
import type { AuthSession } from './authSession';
import type { Principal } from './authGate';
import { checkPasswordLength } from './passwordKdf';
import { newUserId, type UserRow } from './userRows';
import { passwordWraps } from './userWraps';

export class UserAdmin {
  constructor(private readonly auth: AuthSession) {}

  async list(): Promise<UserSummary[]> {
    this.admin();
    const wraps = passwordWraps(await this.auth.wraps.read());
    return this.auth.users().list().map((u) => summary(u, wraps.find((w) => w.user === u.userId), this.auth.now()));
  }

  create(req: { username: string; displayName: string; role: Role; password: string }): Promise<UserSummary> {
    return this.auth.serial(async () => {
      const me = this.admin();
      checkPasswordLength(req.password);
      const users = this.auth.users();
      const userId = newUserId();
      users.insert({ userId, username: req.username, displayName: req.displayName, role: req.role, createdAt: this.auth.now() });
      try {
        await this.auth.wraps.setPassword(this.auth.dataKeyForAdmin(), userId, req.username, req.password);
      } catch (e) {
        users.remove(userId);
        throw e;
      }
      this.auth.record(rolesChangedEvent(me.userId, userId, { op: 'userCreated', role: req.role }));
      return this.summaryOf(userId);
    });
  }

  update(req: { userId: string; displayName?: string | undefined; role?: Role | undefined; disabled?: boolean | undefined }): Promise<UserSummary> {
    return this.auth.serial(async () => {
      const me = this.admin();
      const users = this.auth.users();
      const before = users.require(req.userId);
      const demotes = req.role !== undefined && req.role !== 'admin' && before.role === 'admin';
      const disables = req.disabled === true && !before.disabled;
      if ((demotes || disables) && before.role === 'admin' && !before.disabled && users.countAdmins() <= 1) {
        throw new AppError('INVALID_REQUEST', 'This is the last administrator: make another administrator first.');
      }
      users.update(req.userId, req);
      if (req.role !== undefined && req.role !== before.role) {
        this.auth.record(rolesChangedEvent(me.userId, req.userId, { op: 'roleChanged', from: before.role, to: req.role }));
      }
      if (req.disabled !== undefined && req.disabled !== before.disabled) {
        await this.auth.wraps.setDisabled(req.userId, req.disabled);
        this.auth.record(userAttributesEvent(me.userId, req.userId, { op: req.disabled ? 'userDisabled' : 'userEnabled' }));
      }
      if (req.displayName !== undefined && req.displayName !== before.displayName) {
        this.auth.record(userAttributesEvent(me.userId, req.userId, { op: 'displayNameChanged' }));
      }
      const out = await this.summaryOf(req.userId);
      // Last: disabling the logged-in user's own account ends this session (and closes the store).
      await this.auth.accountChanged(req.userId, { ...(req.role ? { role: req.role } : {}), ...(req.displayName !== undefined ? { displayName: req.displayName } : {}), ...(req.disabled ? { disabled: true } : {}) });
      return out;
    });
  }

  remove(userId: string): Promise<{ removed: true }> {
    return this.auth.serial(async () => {
      const me = this.admin();
      if (userId === me.userId) throw new AppError('INVALID_REQUEST', 'You cannot remove your own account.');
      const users = this.auth.users();
      const u = users.require(userId);
      if (u.role === 'admin' && !u.disabled && users.countAdmins() <= 1) throw new AppError('INVALID_REQUEST', 'This is the last administrator.');
      // Audited while the row still names the user; the wrap goes first so a crash never leaves a working login.
      this.auth.record(rolesChangedEvent(me.userId, userId, { op: 'userRemoved', role: u.role }));
      await this.auth.wraps.remove(userId);
      users.remove(userId);
      return { removed: true as const };
    });
  }

  unlock(userId: string): Promise<UserSummary> {
    return this.auth.serial(async () => {
      const me = this.admin();
      this.auth.users().require(userId);
      await this.auth.wraps.unlock(userId);
      this.auth.record(userAttributesEvent(me.userId, userId, { op: 'accountUnlocked' }));
      return this.summaryOf(userId);
    });
  }

  resetPassword(userId: string, password: string): Promise<UserSummary> {
    return this.auth.serial(async () => {
      const me = this.admin();
      checkPasswordLength(password);
      const u = this.auth.users().require(userId);
      await this.auth.wraps.setPassword(this.auth.dataKeyForAdmin(), userId, u.username, password);
      this.auth.record(userAttributesEvent(me.userId, userId, { op: 'passwordReset' }));
      return this.summaryOf(userId);
    });
  }

  resetMfa(userId: string): Promise<UserSummary> {
    return this.auth.serial(async () => {
      const me = this.admin();
      const users = this.auth.users();
      users.require(userId);
      users.resetMfa(userId);
      this.auth.record(userAttributesEvent(me.userId, userId, { op: 'mfaReset' }));
      await this.auth.accountChanged(userId, { mfaReset: true });
      return this.summaryOf(userId);
    });
  }

  /** The acting administrator (the dispatcher's guard checks manageUsers too; this keeps the service safe alone). */
  private admin(): Principal {
    const p = this.auth.requireActive();
    if (!p.permissions.includes('manageUsers')) throw new AppError('FORBIDDEN', 'Only an administrator manages users.');
    return p;
  }

  private async summaryOf(userId: string): Promise<UserSummary> {
    return summary(this.auth.users().require(userId), (await this.auth.wraps.byUser(userId)) ?? undefined, this.auth.now());
  }
}

function summary(u: UserRow, w: PasswordWrap | undefined, now: number): UserSummary {
  const until = w?.lockout.lockedUntil ?? null;
  return {
    userId: u.userId,
    username: u.username,
    displayName: u.displayName,
    role: u.role,
    mfaEnrolled: u.mfaSecret !== null,
    disabled: u.disabled,
    lockedUntil: until !== null && until > now ? until : null,
    failedLogins: w?.lockout.failures ?? 0,
    createdAt: u.createdAt,
  };
}

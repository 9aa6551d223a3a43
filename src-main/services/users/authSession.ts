// Who is using Enclave now (issue 11): login, logout, lock and unlock, idle lock, the absolute session lifetime and
// emergency (break-glass) access. It implements AuthGate, which the dispatcher's permission guard and the pixel
// protocol ask on every request. Time comes from an injectable clock and is checked on every principal()/state()
// call, so a session that is past its idle time or lifetime is locked or ended even if no timer ever fired; the
// timer only tells the renderer (onChange) at the right moment.
//
// Login: the password unwraps the data key (userWraps.ts) and the store opens with it. Then, from the users table:
// a user with MFA enrolled must give a TOTP code (or a recovery code), else MFA_REQUIRED; a user whose role the
// policy requires MFA for but who has not enrolled yet gets a session with NO permissions until mfa:begin/confirm
// succeeds (AuthStatus: mfaRequired true, user.mfaEnrolled false: the renderer shows enrolment). Logout closes the
// store and forgets the data key; a lock keeps it open (the same user's password unlocks).
import { permissionsOf, type Role } from '../../../src-shared/auth/permissions';
import { AppError } from '../../../src-shared/errors';
import type { AuthStatus, AuthUser } from '../../../src-shared/ipc/contract';
import type { StoreSession } from '../app/storeSession';
import { HeldAudit } from '../app/policyWiring';
import { systemClock, type Clock } from '../audit/auditService';
import { POLICY_DEFAULTS, type EffectivePolicy } from '../policy/policySchema';
import type { EncryptedStudyStore } from '../store/encryptedStudyStore';
import {
  breakGlassStartedEvent,
  breakGlassStoppedEvent,
  loginEvent,
  loginFailedEvent,
  logoutEvent,
  rolesChangedEvent,
  userAttributesEvent,
  type AuditSink,
  type LoginFailure,
} from './authAudit';
import type { AuthGate, Principal } from './authGate';
import { flushPendingAudit } from './pendingAudit';
import { checkPasswordLength, type PasswordKdfCost } from './passwordKdf';
import { qrSvg } from './qrSvg';
import { newRecoveryCodes, recoveryCodeHash } from './recoveryCodes';
import { matchTotp, newTotpSecret, totpBase32, totpUri } from './totp';
import { userActorDirectory } from './userActors';
import { newUserId, UserRows, type UserRow } from './userRows';
import { isLocked, UserWraps } from './userWraps';

export interface AuthSessionOptions {
  cache: StoreSession;
  /** The machine policy (IdleLockMinutes, SessionLifetimeMinutes, MfaRequiredRoles, LockoutThreshold, BreakGlassMinutes). */
  policy?: EffectivePolicy;
  /**
   * Where events go: the app passes policyWiring's HeldAudit (attached while the store is open, holding events while
   * it is closed). Default: a HeldAudit of its own, attached whenever the store opens.
   */
  audit?: AuditSink;
  clock?: Clock;
  /** Lower argon2id cost: tests only. Production: PASSWORD_KDF_PRODUCTION. */
  kdfCost?: PasswordKdfCost;
  /** Who is logging in, for the audit detail ('cli' from the command line); absent in the app. */
  client?: string;
  /** Timers to announce idle lock, lifetime end and break-glass expiry (default true; correctness never depends on them). */
  timers?: boolean;
}

export interface Credentials {
  password: string;
  totp?: string | undefined;
  recoveryCode?: string | undefined;
}

type EndReason = NonNullable<AuthStatus['reason']>;

interface Session {
  user: AuthUser;
  startedAt: number;
  endsAt: number;
  lastActivity: number;
  locked: 'idle' | 'manual' | null;
  breakGlass: { startedAt: number; until: number } | null;
  /** The policy requires MFA for this role and the user has not enrolled: no permissions until they do. */
  mfaPending: boolean;
}

const MINUTE = 60_000;

export class AuthSession implements AuthGate {
  readonly wraps: UserWraps;
  private readonly policy: EffectivePolicy;
  private readonly audit: AuditSink;
  private readonly clock: Clock;
  private session: Session | null = null;
  private accounts = false;
  /** Who opens the store during a login (its Application Start event is theirs). */
  private acting: string | null = null;
  private lastReason: EndReason | undefined;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly changeListeners: ((s: AuthStatus) => void)[] = [];
  private readonly endListeners: (() => void)[] = [];
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly o: AuthSessionOptions) {
    this.wraps = new UserWraps(o.cache.keyFilePath, o.kdfCost);
    this.policy = o.policy ?? POLICY_DEFAULTS;
    this.clock = o.clock ?? systemClock;
    // First: events held while the store was closed are written with the user directory already in place.
    o.cache.beforeOpen((store) => this.storeOpened(store));
    if (o.audit) this.audit = o.audit;
    else {
      const held = new HeldAudit();
      this.audit = held;
      o.cache.beforeOpen((store) => {
        held.attach(store.audit);
        store.onClose(async () => held.detach(store.audit));
      });
    }
  }

  /** Reads whether accounts exist (after StoreSession.start()). */
  async start(): Promise<AuthStatus> {
    this.accounts = await this.wraps.hasAny().catch(() => false);
    // A cache opened before accounts existed (keychain, no users): plug the directory in now.
    const store = this.o.cache.encrypted();
    if (store) this.storeOpened(store);
    return this.status();
  }

  /** Called with the new status whenever the session changes (the app emits 'auth:changed'). */
  onChange(f: (s: AuthStatus) => void): void {
    this.changeListeners.push(f);
  }

  /** Called when a session locks or ends: decoded images must be dropped (SeriesService.closeAll). */
  onSessionEnd(f: () => void): void {
    this.endListeners.push(f);
  }

  // ------------------------------------------------------------------ AuthGate

  principal(): Principal | null {
    this.tick();
    const s = this.session;
    if (!s || s.locked) return null;
    const breakGlass = s.breakGlass !== null;
    return {
      userId: s.user.userId,
      username: s.user.username,
      role: s.user.role,
      permissions: s.mfaPending ? [] : permissionsOf(s.user.role, breakGlass),
      breakGlass,
    };
  }

  state(): AuthStatus['state'] {
    this.tick();
    if (this.session) return this.session.locked ? 'locked' : 'active';
    const st = this.o.cache.current();
    if (st.state === 'uninitialized') return 'setup';
    if (this.accounts) return st.state === 'error' ? 'unavailable' : 'login';
    return st.state === 'open' ? 'setup' : 'unavailable';
  }

  status(): AuthStatus {
    const state = this.state();
    const s = this.session;
    const p = state === 'active' ? this.principal() : null;
    return {
      state,
      user: s ? { ...s.user } : null,
      permissions: p ? [...p.permissions] : [],
      breakGlass: s?.breakGlass ? { ...s.breakGlass } : null,
      mfaRequired: s ? this.mfaRequiredFor(s.user.role) : false,
      idleLockMinutes: this.policy.IdleLockMinutes,
      sessionEndsAt: s?.endsAt ?? null,
      ...(this.lastReason ? { reason: this.lastReason } : {}),
    };
  }

  /** The open store's users (for the administrator's screen and the CLI); STORE_LOCKED when closed. */
  users(): UserRows {
    const store = this.o.cache.encrypted();
    if (!store) throw new AppError('STORE_LOCKED', 'The study cache is locked.');
    return new UserRows(store.database);
  }

  /** The data key of the open store: only an active session may wrap it for someone's password. */
  dataKeyForAdmin(): Buffer {
    const k = this.o.cache.dataKey();
    if (!k) throw new AppError('STORE_LOCKED', 'The study cache is locked.');
    return k;
  }

  record(event: Parameters<AuditSink['record']>[0]): void {
    this.audit.record(event);
  }

  // ------------------------------------------------------------------ first run

  /** Creates the cache when there is none (recovery key returned once) and the first administrator, logged in. */
  setup(req: { username: string; displayName: string; password: string }): Promise<{ status: AuthStatus; recoveryKey: string | null; keychain: boolean }> {
    return this.serial(async () => {
      checkPasswordLength(req.password);
      if (this.state() !== 'setup') throw new AppError('STORE_EXISTS', 'Enclave is already set up: log in.');
      let recoveryKey: string | null = null;
      let keychain: boolean;
      if (this.o.cache.current().state === 'uninitialized') {
        const created = await this.o.cache.init();
        recoveryKey = created.recoveryKey;
        keychain = created.keychain;
      } else {
        keychain = (await this.wraps.read()).wraps.some((w) => w.type === 'keychain');
      }
      const users = this.users();
      const userId = newUserId();
      const now = this.clock.now();
      users.insert({ userId, username: req.username, displayName: req.displayName, role: 'admin', createdAt: now });
      try {
        await this.wraps.setPassword(this.dataKeyForAdmin(), userId, req.username, req.password);
      } catch (e) {
        users.remove(userId);
        throw e;
      }
      this.accounts = true;
      this.audit.record(rolesChangedEvent(userId, userId, { op: 'userCreated', role: 'admin', firstRun: true }));
      this.begin(users.require(userId), now, { method: 'setup' });
      return { status: this.status(), recoveryKey, keychain };
    });
  }

  // ------------------------------------------------------------------ login, lock, logout

  login(req: Credentials & { username: string }): Promise<AuthStatus> {
    return this.serial(async () => {
      this.tick();
      if (this.session) throw new AppError('INVALID_REQUEST', this.session.locked ? 'The session is locked: unlock it, or log out first.' : 'Someone is logged in: log out first.');
      if (!this.accounts) throw new AppError('INVALID_REQUEST', 'No account exists yet: set Enclave up first.');
      const { kf, wrap } = await this.wraps.byName(req.username);
      if (!wrap) {
        await this.wraps.burn(req.password);
        await this.recordAuth(loginFailedEvent(null, 'unknownUser'));
        throw authFailed();
      }
      const now = this.clock.now();
      if (isLocked(wrap, now)) {
        await this.recordAuth(loginFailedEvent(wrap.user, 'accountLocked'));
        throw accountLocked(wrap.lockout.lockedUntil!, now);
      }
      const dataKey = await this.wraps.tryPassword(kf, wrap, req.password);
      if (!dataKey) return this.failure(wrap.user, 'badPassword');
      if (wrap.disabled) {
        dataKey.fill(0);
        await this.recordAuth(loginFailedEvent(wrap.user, 'disabled'));
        throw new AppError('AUTH_FAILED', 'This account is disabled: ask an administrator.');
      }
      const wasOpen = this.o.cache.encrypted() !== null;
      this.acting = wrap.user;
      try {
        await this.o.cache.openWithDataKey(dataKey);
      } finally {
        dataKey.fill(0);
        this.acting = null;
      }
      try {
        await flushPendingAudit(this.wraps, this.audit);
        const user = this.users().byId(wrap.user);
        // A wrap whose account is gone (a removed user's wrap copied back into keys.json) opens nothing.
        if (!user) {
          this.audit.record(loginFailedEvent(wrap.user, 'unknownAccount'));
          throw authFailed();
        }
        if (user.disabled) {
          this.audit.record(loginFailedEvent(user.userId, 'disabled'));
          throw new AppError('AUTH_FAILED', 'This account is disabled: ask an administrator.');
        }
        const method = await this.secondFactor(user, req);
        await this.wraps.recordSuccess(user.userId);
        // Failures before this success are counted in keys.json even when their held events were lost (app quit).
        this.begin(user, this.clock.now(), { method, ...(wrap.lockout.failures > 0 ? { failedBefore: wrap.lockout.failures } : {}) });
        return this.status();
      } catch (e) {
        if (!wasOpen && !this.session) await this.o.cache.close();
        throw e;
      }
    });
  }

  unlock(req: Credentials): Promise<AuthStatus> {
    return this.serial(async () => {
      this.tick();
      const s = this.session;
      if (!s) throw new AppError('AUTH_REQUIRED', 'Nobody is logged in.');
      if (!s.locked) return this.status();
      const { kf, wrap } = await this.wraps.byName(s.user.username);
      const now = this.clock.now();
      if (!wrap || wrap.user !== s.user.userId) throw authFailed();
      if (isLocked(wrap, now)) {
        await this.recordAuth(loginFailedEvent(wrap.user, 'accountLocked', { op: 'unlock' }));
        throw accountLocked(wrap.lockout.lockedUntil!, now);
      }
      const key = await this.wraps.tryPassword(kf, wrap, req.password);
      if (!key) return this.failure(wrap.user, 'badPassword', { op: 'unlock' });
      key.fill(0);
      // The lifetime may have run out while the password was being checked: then there is nothing to unlock.
      this.tick();
      if (this.session !== s) throw new AppError('AUTH_REQUIRED', 'The session ended: log in again.');
      const user = this.users().byId(s.user.userId);
      if (!user || user.disabled) {
        await this.end('logout', 'application');
        throw authFailed();
      }
      const method = await this.secondFactor(user, req, true);
      await this.wraps.recordSuccess(user.userId);
      s.locked = null;
      s.lastActivity = this.clock.now();
      this.lastReason = undefined;
      this.audit.record(loginEvent(user.userId, { op: 'unlock', method }));
      this.changed();
      return this.status();
    });
  }

  logout(): Promise<AuthStatus> {
    return this.serial(async () => {
      this.tick();
      if (this.session) await this.end('logout', 'user');
      return this.status();
    });
  }

  lock(): AuthStatus {
    this.tick();
    const s = this.session;
    if (s && !s.locked) {
      s.locked = 'manual';
      this.lastReason = 'manual';
      this.audit.record(logoutEvent(s.user.userId, 'user', 'manual'));
      this.ended();
      this.changed();
    }
    return this.status();
  }

  /** The renderer saw input: the idle clock starts again. */
  activity(): { idleLockAt: number | null } {
    this.tick();
    const s = this.session;
    if (!s || s.locked) return { idleLockAt: null };
    s.lastActivity = this.clock.now();
    this.schedule();
    return { idleLockAt: s.lastActivity + this.idleMs() };
  }

  changePassword(req: { currentPassword: string; newPassword: string }): Promise<{ changed: true }> {
    return this.serial(async () => {
      const p = this.requireActive();
      checkPasswordLength(req.newPassword);
      const { kf, wrap } = await this.wraps.byName(p.username);
      if (!wrap) throw authFailed();
      const now = this.clock.now();
      if (isLocked(wrap, now)) throw accountLocked(wrap.lockout.lockedUntil!, now);
      const key = await this.wraps.tryPassword(kf, wrap, req.currentPassword);
      if (!key) return this.failure(wrap.user, 'badPassword', { op: 'changePassword' });
      key.fill(0);
      await this.wraps.setPassword(this.dataKeyForAdmin(), p.userId, p.username, req.newPassword);
      this.audit.record(userAttributesEvent(p.userId, p.userId, { op: 'passwordChanged' }));
      return { changed: true as const };
    });
  }

  // ------------------------------------------------------------------ MFA enrolment

  beginMfa(): Promise<{ secret: string; otpauthUri: string; qrSvg: string }> {
    return this.serial(async () => {
      const s = this.requireSession();
      const users = this.users();
      if (users.require(s.user.userId).mfaSecret) throw new AppError('INVALID_REQUEST', 'A second factor is already set up: an administrator can reset it.');
      const secret = newTotpSecret();
      users.setPendingMfa(s.user.userId, secret);
      const uri = totpUri(secret, s.user.username);
      return { secret: totpBase32(secret), otpauthUri: uri, qrSvg: await qrSvg(uri) };
    });
  }

  confirmMfa(code: string): Promise<{ recoveryCodes: string[] }> {
    return this.serial(async () => {
      const s = this.requireSession();
      const users = this.users();
      const row = users.require(s.user.userId);
      if (!row.mfaPendingSecret) throw new AppError('INVALID_REQUEST', 'Start the set-up first (mfa:begin).');
      const step = matchTotp({ secret: row.mfaPendingSecret }, code, this.clock.now());
      if (step === null) {
        this.audit.record(userAttributesEvent(s.user.userId, s.user.userId, { op: 'mfaEnrolFailed' }, 'minorFailure'));
        throw new AppError('MFA_INVALID', 'That code is not right: check the time on your phone and try the next code.');
      }
      const codes = newRecoveryCodes();
      users.enableMfa(s.user.userId, row.mfaPendingSecret, step, codes.map(recoveryCodeHash));
      s.user.mfaEnrolled = true;
      s.mfaPending = false;
      this.audit.record(userAttributesEvent(s.user.userId, s.user.userId, { op: 'mfaEnrolled', recoveryCodes: codes.length }));
      this.changed();
      return { recoveryCodes: codes };
    });
  }

  // ------------------------------------------------------------------ break-glass

  startBreakGlass(reason: string): AuthStatus {
    const p = this.requireActive();
    const s = this.session!;
    if (!permissionsOf(p.role, false).includes('breakGlass')) throw new AppError('FORBIDDEN', 'Your role cannot open emergency access.');
    const text = reason.trim();
    if (text.length < 10 || text.length > 500) throw new AppError('INVALID_REQUEST', 'Say why emergency access is needed (10 to 500 characters).');
    const now = this.clock.now();
    if (s.breakGlass) this.stopBreakGlassNow('manual');
    s.breakGlass = { startedAt: now, until: now + this.policy.BreakGlassMinutes * MINUTE };
    this.audit.record(breakGlassStartedEvent(p.userId, text, this.policy.BreakGlassMinutes));
    this.changed();
    return this.status();
  }

  stopBreakGlass(): AuthStatus {
    this.requireActive();
    if (this.session?.breakGlass) {
      this.stopBreakGlassNow('manual');
      this.changed();
    }
    return this.status();
  }

  // ------------------------------------------------------------------ for userAdmin.ts

  /** The active principal, or AUTH_REQUIRED / SESSION_LOCKED. */
  requireActive(): Principal {
    const s = this.requireSession();
    const p = this.principal();
    if (!p) throw new AppError('SESSION_LOCKED', 'The session is locked.');
    if (s.mfaPending) throw new AppError('MFA_REQUIRED', 'Set up your second factor first.');
    return p;
  }

  /** An administrator changed the logged-in user's own account: apply it to this session now. */
  async accountChanged(userId: string, change: { role?: Role; displayName?: string; disabled?: boolean; removed?: boolean; mfaReset?: boolean }): Promise<void> {
    const s = this.session;
    if (!s || s.user.userId !== userId) return;
    if (change.disabled || change.removed) {
      await this.end('logout', 'application');
      return;
    }
    if (change.role) s.user.role = change.role;
    if (change.displayName !== undefined) s.user.displayName = change.displayName;
    if (change.mfaReset) {
      s.user.mfaEnrolled = false;
      s.mfaPending = this.mfaRequiredFor(s.user.role);
    }
    this.changed();
  }

  now(): number {
    return this.clock.now();
  }

  accountsExist(): boolean {
    return this.accounts;
  }

  /** Runs `f` after every earlier account operation (the key file is read-modify-written). */
  serial<T>(f: () => Promise<T>): Promise<T> {
    const run = this.queue.then(f);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Stops the timer and closes nothing (the app closes the cache itself at quit). */
  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  // ------------------------------------------------------------------ internals

  private storeOpened(store: EncryptedStudyStore): void {
    const users = new UserRows(store.database);
    store.audit.setActors(userActorDirectory(users));
    store.audit.setUserSource(() => this.session?.user.userId ?? this.acting ?? (this.accounts ? 'system' : 'local'));
  }

  private requireSession(): Session {
    this.tick();
    const s = this.session;
    if (!s) throw new AppError('AUTH_REQUIRED', 'Log in first.');
    if (s.locked) throw new AppError('SESSION_LOCKED', 'The session is locked.');
    return s;
  }

  private mfaRequiredFor(role: Role): boolean {
    return this.policy.MfaRequiredRoles.includes(role);
  }

  private idleMs(): number {
    return this.policy.IdleLockMinutes * MINUTE;
  }

  /**
   * TOTP (once per step) or a recovery code when the user has MFA; returns how they proved it. Unlocking a locked
   * session asks for it only where the policy requires MFA for the role (AuthStatus.mfaRequired says so).
   */
  private async secondFactor(user: UserRow, c: Credentials, unlocking = false): Promise<string> {
    if (!user.mfaSecret || (unlocking && !this.mfaRequiredFor(user.role))) return 'password';
    const now = this.clock.now();
    const users = this.users();
    if (c.totp) {
      const step = matchTotp({ secret: user.mfaSecret }, c.totp, now);
      if (step === null) return this.failure(user.userId, 'mfaInvalid');
      if (!users.useTotpStep(user.userId, step)) return this.failure(user.userId, 'mfaReplay');
      return 'password-totp';
    }
    if (c.recoveryCode) {
      if (!users.useRecoveryCode(user.userId, recoveryCodeHash(c.recoveryCode))) return this.failure(user.userId, 'mfaInvalid', { factor: 'recoveryCode' });
      this.audit.record(userAttributesEvent(user.userId, user.userId, { op: 'recoveryCodeUsed', left: users.recoveryCodesLeft(user.userId) }));
      return 'password-recoveryCode';
    }
    throw new AppError('MFA_REQUIRED', 'Enter the 6-digit code from your authenticator app.');
  }

  /** To the trail when the store is open; else into keys.json until it opens (pendingAudit.ts). */
  private async recordAuth(event: Parameters<AuditSink['record']>[0]): Promise<void> {
    if (this.o.cache.encrypted()) this.audit.record(event);
    else await this.wraps.appendPending(event, this.clock.now());
  }

  /** Counts a failure (locking at the policy's threshold), audits it, and throws the matching error. */
  private async failure(userId: string, reason: LoginFailure, detail: Record<string, string> = {}): Promise<never> {
    const now = this.clock.now();
    const r = await this.wraps.recordFailure(userId, now, this.policy.LockoutThreshold);
    await this.recordAuth(loginFailedEvent(userId, reason, { ...detail, failures: r.failures }));
    if (r.justLocked) {
      await this.recordAuth(userAttributesEvent('system', userId, { op: 'accountLocked', failures: r.failures, lockedSeconds: Math.round((r.lockedUntil! - now) / 1000) }));
    }
    if (reason === 'mfaInvalid' || reason === 'mfaReplay') {
      throw new AppError('MFA_INVALID', reason === 'mfaReplay' ? 'That code was already used: wait for the next one.' : 'That code is not right.');
    }
    throw authFailed();
  }

  private begin(user: UserRow, now: number, detail: Record<string, string | number>): void {
    const mfaPending = user.mfaSecret === null && this.mfaRequiredFor(user.role);
    // Audited first: a login the trail refuses does not happen.
    this.audit.record(loginEvent(user.userId, { ...detail, ...(mfaPending ? { mfaEnrolmentRequired: true } : {}), ...(this.o.client ? { client: this.o.client } : {}) }));
    this.session = {
      user: { userId: user.userId, username: user.username, displayName: user.displayName, role: user.role, mfaEnrolled: user.mfaSecret !== null },
      startedAt: now,
      endsAt: now + this.policy.SessionLifetimeMinutes * MINUTE,
      lastActivity: now,
      locked: null,
      breakGlass: null,
      mfaPending,
    };
    this.lastReason = undefined;
    this.changed();
  }

  /** Ends the session: audit, drop decoded data, close the store (the data key leaves memory). */
  private async end(reason: 'logout' | 'lifetime', by: 'user' | 'application'): Promise<void> {
    if (!this.endNow(reason, by)) return;
    await this.o.cache.close();
  }

  /** The synchronous part of ending: from here on no request passes. False when there was no session. */
  private endNow(reason: 'logout' | 'lifetime', by: 'user' | 'application'): boolean {
    const s = this.session;
    if (!s) return false;
    if (s.breakGlass) this.stopBreakGlassNow('logout');
    this.audit.record(logoutEvent(s.user.userId, by, reason, this.o.client));
    this.session = null;
    this.lastReason = reason;
    this.ended();
    this.changed();
    return true;
  }

  private stopBreakGlassNow(ended: 'manual' | 'expired' | 'logout'): void {
    const s = this.session!;
    const bg = s.breakGlass!;
    const end = Math.min(this.clock.now(), bg.until);
    s.breakGlass = null;
    this.audit.record(breakGlassStoppedEvent(s.user.userId, ended, end - bg.startedAt));
  }

  /** Applies the clock: break-glass expiry, lifetime end (logout), idle lock. */
  private tick(): void {
    const s = this.session;
    if (!s) return;
    const now = this.clock.now();
    let changed = false;
    if (s.breakGlass && now >= s.breakGlass.until) {
      this.stopBreakGlassNow('expired');
      changed = true;
    }
    if (now >= s.endsAt) {
      // The state changes now (no request passes once the lifetime is over); the store closes in turn after.
      this.endNow('lifetime', 'application');
      void this.serial(() => this.o.cache.close()).catch(() => undefined);
      return;
    }
    if (!s.locked && now - s.lastActivity >= this.idleMs()) {
      s.locked = 'idle';
      this.lastReason = 'idle';
      this.audit.record(logoutEvent(s.user.userId, 'application', 'idle'));
      this.ended();
      changed = true;
    }
    if (changed) this.changed();
  }

  private ended(): void {
    for (const f of this.endListeners) f();
  }

  private changed(): void {
    this.schedule();
    if (this.changeListeners.length === 0) return;
    const st = this.status();
    for (const f of this.changeListeners) f(st);
  }

  /** One timer for the next moment something changes by itself. */
  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const s = this.session;
    if (!s || this.o.timers === false) return;
    const moments = [s.endsAt];
    if (!s.locked) moments.push(s.lastActivity + this.idleMs());
    if (s.breakGlass) moments.push(s.breakGlass.until);
    const delay = Math.max(0, Math.min(...moments) - this.clock.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.tick();
      this.schedule();
    }, Math.min(delay + 50, 2 ** 31 - 1));
    this.timer.unref?.();
  }
}

function authFailed(): AppError {
  // One message for a wrong name and a wrong password.
  return new AppError('AUTH_FAILED', 'The user name or password is not right.');
}

function accountLocked(until: number, now: number): AppError {
  const minutes = Math.max(1, Math.ceil((until - now) / MINUTE));
  return new AppError('ACCOUNT_LOCKED', `Too many failed attempts: this account is locked for ${minutes} more minute(s), or until an administrator unlocks it.`);
}

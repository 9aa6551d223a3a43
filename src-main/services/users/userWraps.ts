// The users' part of keys.json: one password wrap of the data key per account, and beside it the account's
// lockout counters and disabled flag, which must work before the store is open. Every change is a whole-file
// atomic write (writeFileAtomic), one at a time through this object's queue.
import { createHash } from 'node:crypto';
import type { AuditEventInput } from '../../../src-shared/audit/auditEvents';
import { AppError } from '../../../src-shared/errors';
import { readKeyFile, unwrapWithPasswordKey, wrapWithPasswordKey, writeKeyFile, type KeyFile, type LockoutState, type PasswordWrap } from '../keys/keyFile';
import { newKdfParams, passwordKey, type PasswordKdfCost } from './passwordKdf';

/** First lock 1 minute, doubling with each further lock, at most an hour. */
export const LOCK_BASE_MS = 60_000;
export const LOCK_MAX_MS = 3_600_000;

export function lockDuration(lockouts: number): number {
  return Math.min(LOCK_BASE_MS * 2 ** Math.min(lockouts, 20), LOCK_MAX_MS);
}

/** The login form's key into keys.json: the store id and the lowercased name, hashed (no names in the file). */
export function nameHash(storeId: string, username: string): string {
  return createHash('sha256').update(`enclave-user/v1|${storeId}|${username.toLowerCase()}`).digest('hex');
}

export function passwordWraps(kf: KeyFile): PasswordWrap[] {
  return kf.wraps.filter((w): w is PasswordWrap => w.type === 'password');
}

export interface FailureResult {
  failures: number;
  /** Set when this failure locked the account. */
  lockedUntil: number | null;
  justLocked: boolean;
}

export class UserWraps {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly keyFilePath: string,
    private readonly cost?: PasswordKdfCost,
  ) {}

  async read(): Promise<KeyFile> {
    const kf = await readKeyFile(this.keyFilePath);
    if (!kf) throw new AppError('STORE_NOT_INITIALIZED', 'There is no key file in this data directory.');
    return kf;
  }

  async hasAny(): Promise<boolean> {
    const kf = await readKeyFile(this.keyFilePath);
    return kf !== null && passwordWraps(kf).length > 0;
  }

  async byName(username: string): Promise<{ kf: KeyFile; wrap: PasswordWrap | null }> {
    const kf = await this.read();
    const h = nameHash(kf.storeId, username);
    return { kf, wrap: passwordWraps(kf).find((w) => w.name === h) ?? null };
  }

  async byUser(userId: string): Promise<PasswordWrap | null> {
    return passwordWraps(await this.read()).find((w) => w.user === userId) ?? null;
  }

  /** The data key when `password` is this wrap's, else null. */
  async tryPassword(kf: KeyFile, wrap: PasswordWrap, password: string): Promise<Buffer | null> {
    const k = await passwordKey(password, wrap.kdf);
    try {
      return unwrapWithPasswordKey(wrap, kf.storeId, k);
    } finally {
      k.fill(0);
    }
  }

  /** Spends the same time as a real check, for a user name that has no wrap (no timing tells names apart). */
  async burn(password: string): Promise<void> {
    (await passwordKey(password, newKdfParams(this.cost))).fill(0);
  }

  /** Wraps the data key for this user's (new) password, replacing any wrap they had; lockout starts clean. */
  async setPassword(dataKey: Buffer, userId: string, username: string, password: string): Promise<void> {
    const kdf = newKdfParams(this.cost);
    const k = await passwordKey(password, kdf);
    await this.mutate((kf) => {
      const old = passwordWraps(kf).find((w) => w.user === userId);
      const wrap = wrapWithPasswordKey(dataKey, kf.storeId, { user: userId, name: nameHash(kf.storeId, username), kdf }, k);
      if (old?.disabled) wrap.disabled = true;
      return { ...kf, wraps: [...kf.wraps.filter((w) => !(w.type === 'password' && w.user === userId)), wrap] };
    }).finally(() => k.fill(0));
  }

  async remove(userId: string): Promise<boolean> {
    let found = false;
    await this.mutate((kf) => {
      found = passwordWraps(kf).some((w) => w.user === userId);
      return { ...kf, wraps: kf.wraps.filter((w) => !(w.type === 'password' && w.user === userId)) };
    });
    return found;
  }

  async setDisabled(userId: string, disabled: boolean): Promise<void> {
    await this.update(userId, (w) => ({ ...w, disabled }));
  }

  async recordSuccess(userId: string): Promise<void> {
    await this.update(userId, (w) => (w.lockout.failures === 0 && w.lockout.lockouts === 0 && w.lockout.lockedUntil === null ? null : { ...w, lockout: clean() }));
  }

  async unlock(userId: string): Promise<void> {
    await this.update(userId, (w) => ({ ...w, lockout: clean() }));
  }

  /**
   * One more consecutive failure; at `threshold` the account locks for lockDuration(lockouts). After a lock runs
   * out, the next failure locks again at once, for twice as long: an attacker gets one guess per lock period.
   */
  async recordFailure(userId: string, now: number, threshold: number): Promise<FailureResult> {
    let result: FailureResult = { failures: 0, lockedUntil: null, justLocked: false };
    await this.update(userId, (w) => {
      const failures = w.lockout.failures + 1;
      let lockout: LockoutState = { ...w.lockout, failures };
      if (failures >= threshold) {
        const lockedUntil = now + lockDuration(w.lockout.lockouts);
        lockout = { failures, lockouts: w.lockout.lockouts + 1, lockedUntil };
        result = { failures, lockedUntil, justLocked: true };
      } else {
        result = { failures, lockedUntil: null, justLocked: false };
      }
      return { ...w, lockout };
    });
    return result;
  }

  /** Keeps an account event for the trail while the store is closed (at most 500; beyond, they are counted). */
  async appendPending(event: AuditEventInput, at: number): Promise<void> {
    await this.mutate((kf) => {
      const pending = kf.pendingAudit ?? [];
      if (pending.length >= 500) return { ...kf, pendingDropped: (kf.pendingDropped ?? 0) + 1 };
      return { ...kf, pendingAudit: [...pending, { at, event: event as unknown as Record<string, unknown> }] };
    });
  }

  /** The waiting events (oldest first) and how many were dropped; removes them from the file. */
  async takePending(): Promise<{ events: { at: number; event: AuditEventInput }[]; dropped: number }> {
    let out: { events: { at: number; event: AuditEventInput }[]; dropped: number } = { events: [], dropped: 0 };
    await this.mutate((kf) => {
      if (!kf.pendingAudit?.length && !kf.pendingDropped) return null;
      out = { events: (kf.pendingAudit ?? []).map((p) => ({ at: p.at, event: p.event as unknown as AuditEventInput })), dropped: kf.pendingDropped ?? 0 };
      const { pendingAudit: _p, pendingDropped: _d, ...rest } = kf;
      return rest;
    });
    return out;
  }

  private async update(userId: string, f: (w: PasswordWrap) => PasswordWrap | null): Promise<void> {
    await this.mutate((kf) => {
      let changed = false;
      const wraps = kf.wraps.map((w) => {
        if (w.type !== 'password' || w.user !== userId) return w;
        const n = f(w);
        if (n) changed = true;
        return n ?? w;
      });
      return changed ? { ...kf, wraps } : null;
    });
  }

  /** Read, change, write atomically; one change at a time so two logins never lose each other's counters. */
  private mutate(f: (kf: KeyFile) => KeyFile | null): Promise<void> {
    const run = this.queue.then(async () => {
      const kf = await this.read();
      const next = f(kf);
      if (next) await writeKeyFile(this.keyFilePath, next);
    });
    this.queue = run.catch(() => undefined);
    return run;
  }
}

function clean(): LockoutState {
  return { failures: 0, lockouts: 0, lockedUntil: null };
}

export function isLocked(w: PasswordWrap, now: number): boolean {
  return w.lockout.lockedUntil !== null && w.lockout.lockedUntil > now;
}

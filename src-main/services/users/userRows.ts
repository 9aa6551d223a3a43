// The users table (migration 0060) of an open store: the only code that reads or writes it.
import { randomBytes } from 'node:crypto';
import { isRole, type Role } from '../../../src-shared/auth/permissions';
import { AppError } from '../../../src-shared/errors';
import type { Db } from '../db/database';

export interface UserRow {
  userId: string;
  username: string;
  displayName: string;
  role: Role;
  disabled: boolean;
  createdAt: number;
  mfaSecret: Buffer | null;
  mfaPendingSecret: Buffer | null;
  totpLastStep: number | null;
}

interface RawRow {
  user_id: string;
  username: string;
  display_name: string;
  role: string;
  disabled: number;
  created_at: number;
  mfa_secret: Buffer | null;
  mfa_pending_secret: Buffer | null;
  totp_last_step: number | null;
}

const COLUMNS = 'user_id, username, display_name, role, disabled, created_at, mfa_secret, mfa_pending_secret, totp_last_step';

function toRow(r: RawRow): UserRow {
  if (!isRole(r.role)) throw new AppError('DB_CORRUPT', 'A user has an unknown role.');
  return {
    userId: r.user_id,
    username: r.username,
    displayName: r.display_name,
    role: r.role,
    disabled: r.disabled === 1,
    createdAt: r.created_at,
    mfaSecret: r.mfa_secret,
    mfaPendingSecret: r.mfa_pending_secret,
    totpLastStep: r.totp_last_step,
  };
}

export function newUserId(): string {
  return `u-${randomBytes(16).toString('hex')}`;
}

export class UserRows {
  constructor(private readonly db: Db) {}

  list(): UserRow[] {
    return (this.db.prepare(`SELECT ${COLUMNS} FROM users ORDER BY username`).all() as RawRow[]).map(toRow);
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n;
  }

  countAdmins(): number {
    return (this.db.prepare("SELECT count(*) AS n FROM users WHERE role = 'admin' AND disabled = 0").get() as { n: number }).n;
  }

  byId(userId: string): UserRow | null {
    const r = this.db.prepare(`SELECT ${COLUMNS} FROM users WHERE user_id = ?`).get(userId) as RawRow | undefined;
    return r ? toRow(r) : null;
  }

  byName(username: string): UserRow | null {
    const r = this.db.prepare(`SELECT ${COLUMNS} FROM users WHERE username = ?`).get(username) as RawRow | undefined;
    return r ? toRow(r) : null;
  }

  insert(u: { userId: string; username: string; displayName: string; role: Role; createdAt: number }): void {
    if (this.byName(u.username)) throw new AppError('INVALID_REQUEST', 'That user name is taken.');
    this.db
      .prepare('INSERT INTO users (user_id, username, display_name, role, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(u.userId, u.username, u.displayName, u.role, u.createdAt);
  }

  update(userId: string, p: { displayName?: string; role?: Role; disabled?: boolean }): void {
    const cur = this.require(userId);
    this.db
      .prepare('UPDATE users SET display_name = ?, role = ?, disabled = ? WHERE user_id = ?')
      .run(p.displayName ?? cur.displayName, p.role ?? cur.role, (p.disabled ?? cur.disabled) ? 1 : 0, userId);
  }

  remove(userId: string): void {
    this.db.prepare('DELETE FROM users WHERE user_id = ?').run(userId);
  }

  setPendingMfa(userId: string, secret: Buffer | null): void {
    this.db.prepare('UPDATE users SET mfa_pending_secret = ? WHERE user_id = ?').run(secret, userId);
  }

  /** Enables the pending secret with its recovery-code hashes, in one transaction. */
  enableMfa(userId: string, secret: Buffer, step: number, codeHashes: Buffer[]): void {
    this.db.transaction(() => {
      this.db.prepare('UPDATE users SET mfa_secret = ?, mfa_pending_secret = NULL, totp_last_step = ? WHERE user_id = ?').run(secret, step, userId);
      this.db.prepare('DELETE FROM user_recovery_codes WHERE user_id = ?').run(userId);
      const ins = this.db.prepare('INSERT INTO user_recovery_codes (user_id, code_hash) VALUES (?, ?)');
      for (const h of codeHashes) ins.run(userId, h);
    })();
  }

  resetMfa(userId: string): void {
    this.db.transaction(() => {
      this.db.prepare('UPDATE users SET mfa_secret = NULL, mfa_pending_secret = NULL, totp_last_step = NULL WHERE user_id = ?').run(userId);
      this.db.prepare('DELETE FROM user_recovery_codes WHERE user_id = ?').run(userId);
    })();
  }

  /**
   * Records that a TOTP step was used, only if it is later than the last one: false when it was not (a replay,
   * or an older code after a newer one), so the check and the update are one statement.
   */
  useTotpStep(userId: string, step: number): boolean {
    const r = this.db.prepare('UPDATE users SET totp_last_step = ? WHERE user_id = ? AND (totp_last_step IS NULL OR totp_last_step < ?)').run(step, userId, step);
    return r.changes === 1;
  }

  /** Consumes one recovery code (true) or finds none with that hash (false). */
  useRecoveryCode(userId: string, codeHash: Buffer): boolean {
    return this.db.prepare('DELETE FROM user_recovery_codes WHERE user_id = ? AND code_hash = ?').run(userId, codeHash).changes === 1;
  }

  recoveryCodesLeft(userId: string): number {
    return (this.db.prepare('SELECT count(*) AS n FROM user_recovery_codes WHERE user_id = ?').get(userId) as { n: number }).n;
  }

  require(userId: string): UserRow {
    const u = this.byId(userId);
    if (!u) throw new AppError('NOT_FOUND', 'No such user.');
    return u;
  }
}

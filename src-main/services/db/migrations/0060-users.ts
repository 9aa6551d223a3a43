// User accounts (issue 11), inside the encrypted store: who may log in, with which role, and their second
// factor. Passwords are not here: each user's password wraps the data key in keys.json (users/userWraps.ts),
// which is also where the lockout counters live (they must work before the store opens). The TOTP secret and the
// recovery-code hashes are here, inside the encryption. totp_last_step makes each code usable once per step.
import type { Migration } from './migration';

export const migration0060: Migration = {
  version: 60,
  name: 'users',
  up(db) {
    db.exec(`
      CREATE TABLE users (
        user_id            TEXT PRIMARY KEY CHECK (user_id GLOB 'u-*' AND length(user_id) = 34),
        username           TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(username) BETWEEN 1 AND 64),
        display_name       TEXT NOT NULL CHECK (length(display_name) <= 128),
        role               TEXT NOT NULL CHECK (role IN ('admin', 'radiologist', 'physician', 'technologist', 'auditor')),
        disabled           INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
        created_at         INTEGER NOT NULL,
        mfa_secret         BLOB CHECK (mfa_secret IS NULL OR length(mfa_secret) BETWEEN 16 AND 64),
        mfa_pending_secret BLOB CHECK (mfa_pending_secret IS NULL OR length(mfa_pending_secret) BETWEEN 16 AND 64),
        totp_last_step     INTEGER
      ) STRICT;

      CREATE TABLE user_recovery_codes (
        user_id   TEXT NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
        code_hash BLOB NOT NULL CHECK (length(code_hash) = 32),
        PRIMARY KEY (user_id, code_hash)
      ) STRICT, WITHOUT ROWID;
    `);
  },
};

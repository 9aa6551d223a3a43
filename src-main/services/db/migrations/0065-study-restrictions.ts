// Restricted studies (issue 11, item 7): an administrator names the users and roles that may see a study
// (patient consent, a VIP, a member of staff). One row per name; a study with no row is unrestricted. Rows go
// with their study (ON DELETE CASCADE), so purge and retention need not know this table. Names are user ids
// and role names chosen by main from its own lists (the contract bounds them), never free text.
import type { Migration } from './migration';

export const migration0065: Migration = {
  version: 65,
  name: 'study-restrictions',
  up(db) {
    db.exec(`
      CREATE TABLE study_restrictions (
        study_id   TEXT NOT NULL REFERENCES studies(study_id) ON DELETE CASCADE,
        kind       TEXT NOT NULL CHECK (kind IN ('user', 'role')),
        name       TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
        created_at INTEGER NOT NULL,
        created_by TEXT NOT NULL,
        PRIMARY KEY (study_id, kind, name)
      ) STRICT, WITHOUT ROWID;
    `);
  },
};

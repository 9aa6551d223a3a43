// A few small values the app must remember between runs inside the encrypted store, one row each: today the
// digest of the machine policy last audited (a policy change is audited once, at the next start after it).
// Keys are short machine words chosen by the code (settingsRows.ts names them), never user input.
import type { Migration } from './migration';

export const migration0040: Migration = {
  version: 40,
  name: 'settings',
  up(db) {
    db.exec(`
      CREATE TABLE settings (
        key        TEXT PRIMARY KEY CHECK (length(key) BETWEEN 1 AND 64),
        value      TEXT NOT NULL CHECK (length(value) <= 4096),
        updated_at INTEGER NOT NULL
      ) STRICT;
    `);
  },
};

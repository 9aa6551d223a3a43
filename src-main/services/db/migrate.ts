// Brings a database up to this build's schema, one transaction per migration, and refuses a database
// written by a newer Enclave (its schema may mean things this build does not know).
import { AppError } from '../../../src-shared/errors';
import type { Db } from './database';
import { MIGRATIONS } from './migrations/index';
import type { Migration } from './migrations/migration';

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

export function migrate(db: Db, migrations: readonly Migration[] = MIGRATIONS): { from: number; to: number } {
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i]!.version <= migrations[i - 1]!.version) throw new AppError('INTERNAL', 'Migrations are out of order.');
  }
  const from = schemaVersion(db);
  const latest = migrations.at(-1)?.version ?? 0;
  if (from > latest) {
    throw new AppError(
      'DB_NEWER_VERSION',
      `This store was written by a newer version of Enclave (schema ${from}, this version knows up to ${latest}). Update Enclave to open it.`,
    );
  }
  for (const m of migrations) {
    if (m.version <= from) continue;
    db.transaction(() => {
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
  return { from, to: schemaVersion(db) };
}

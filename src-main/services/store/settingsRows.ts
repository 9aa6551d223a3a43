// The store's `settings` table (migration 0040): small values the app remembers between runs, encrypted
// with everything else. The names are fixed here, so no caller can write an arbitrary key.
import type { Clock } from '../audit/auditService';
import type { Db } from '../db/database';

export type SettingName =
  /** The digest (effectivePolicy.ts) of the machine policy last written to the audit trail. */
  | 'policy.lastAuditedDigest'
  /** The installation's de-identification secret (hex, 32 bytes): UID remapping and date shifts of app exports. */
  | 'deid.secret';

export class SettingsRows {
  constructor(private readonly db: Db, private readonly clock: Clock) {}

  get(name: SettingName): string | null {
    // Prepared per call: a store object may exist over a database not yet migrated to 0040 (upgrade tests).
    const row = this.db.prepare('SELECT value FROM settings WHERE key = ?').get(name) as { value: string } | undefined;
    return row?.value ?? null;
  }

  set(name: SettingName, value: string): void {
    this.db
      .prepare('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at')
      .run(name, value, this.clock.now());
  }
}

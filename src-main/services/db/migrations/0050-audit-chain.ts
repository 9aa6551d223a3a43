// The audit trail becomes a hash chain (see services/audit/auditChain.ts): every row gets the active
// participant (actor_json) and its chain hash. Rows already there are chained in seq order here, so an upgraded
// cache verifies from entry 1. The UPDATE trigger is lifted only inside this transaction to write those hashes.
// audit_checkpoints keeps every signed checkpoint (C2SP signed-note text); like the trail, it is append-only.
import { CHAIN_COLUMNS, entryHash, GENESIS_HASH, type AuditChainRow } from '../../audit/auditChain';
import type { Migration } from './migration';

export const migration0050: Migration = {
  version: 50,
  name: 'audit-chain',
  up(db) {
    db.exec(`
      DROP TRIGGER audit_no_update;
      ALTER TABLE audit ADD COLUMN actor_json TEXT NOT NULL DEFAULT '{}';
      ALTER TABLE audit ADD COLUMN hash BLOB;
    `);
    const rows = db.prepare(`SELECT ${CHAIN_COLUMNS} FROM audit ORDER BY seq`).iterate() as IterableIterator<AuditChainRow>;
    const set = db.prepare('UPDATE audit SET hash = ? WHERE seq = ?');
    let prev = GENESIS_HASH;
    for (const r of [...rows]) {
      prev = entryHash(prev, r);
      set.run(prev, r.seq);
    }
    db.exec(`
      CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
        BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;

      CREATE TABLE audit_checkpoints (
        size         INTEGER PRIMARY KEY CHECK (size >= 0),
        head         BLOB NOT NULL CHECK (length(head) = 32),
        time         TEXT NOT NULL,
        note         TEXT NOT NULL
      ) STRICT;
      CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
        BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;
      CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
        BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;
    `);
  },
};

// The outbox of audit forwarding (syslog over TLS, services/network/syslog/): which entries and checkpoints are
// still to be sent, in order. Rows name the trail by sequence number (an entry), size (a checkpoint) or a range
// (a gap: entries not queued because the outbox was full); the messages are rendered from the trail when sent, so
// nothing identifying is copied and the outbox stays small. audit_outbox_state holds the watermarks up to which
// the trail has been queued: everything appended after them is queued by the next catch-up, whichever connection
// appended it, and a crash between an append and its queueing loses nothing. Starting at 0 means the first
// forwarding sends the trail from its beginning (up to the outbox's bound).
import type { Migration } from './migration';

export const migration0070: Migration = {
  version: 70,
  name: 'audit-outbox',
  up(db) {
    db.exec(`
      CREATE TABLE audit_outbox (
        id      INTEGER PRIMARY KEY,
        kind    TEXT NOT NULL CHECK (kind IN ('entry', 'checkpoint', 'gap')),
        ref     INTEGER NOT NULL CHECK (ref >= 0),
        ref_to  INTEGER CHECK (ref_to IS NULL OR ref_to >= ref),
        sent_at TEXT
      ) STRICT;
      CREATE INDEX audit_outbox_unsent ON audit_outbox (id) WHERE sent_at IS NULL;

      CREATE TABLE audit_outbox_state (
        id              INTEGER PRIMARY KEY CHECK (id = 1),
        entry_seq       INTEGER NOT NULL CHECK (entry_seq >= 0),
        checkpoint_size INTEGER NOT NULL CHECK (checkpoint_size >= 0),
        dropped         INTEGER NOT NULL CHECK (dropped >= 0)
      ) STRICT;
      INSERT INTO audit_outbox_state (id, entry_seq, checkpoint_size, dropped) VALUES (1, 0, 0, 0);
    `);
  },
};

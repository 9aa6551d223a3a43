// The persistent outbox of audit forwarding, in the encrypted store (migration 0070). It queues the trail by
// reference: catchUp() appends a row for every entry and checkpoint past the watermarks, in one transaction, so an
// entry appended by any connection (an import worker's too) is queued at the next catch-up and a crash loses
// nothing. Rows are sent in id order and marked sent; sent rows beyond the newest KEEP_SENT are pruned.
// Bounded: at most `maxUnsent` rows wait. Past that, entries are not queued one by one: a single 'gap' row at the
// tail names the range left out (sent like any message, so the receiver learns of it), the local trail keeps
// them (it is authoritative), and queueing resumes after the gap once the receiver has taken the backlog.
// Checkpoints are always queued: they are few and they let the receiver check what it holds.
import type { Db } from '../../db/database';

export type OutboxKind = 'entry' | 'checkpoint' | 'gap';

export interface OutboxItem {
  id: number;
  kind: OutboxKind;
  /** Entry: its seq. Checkpoint: its size. Gap: the first seq left out. */
  ref: number;
  /** Gap: the last seq left out. */
  refTo: number | null;
}

export interface OutboxStats {
  unsent: number;
  /** Entries never queued because the outbox was full (each range also went out as a gap message). */
  dropped: number;
  /** Entry seq up to which the trail has been queued. */
  queuedThrough: number;
}

/** Default bound on waiting rows: ~100,000 entries is days of heavy use; a row is a few dozen bytes. */
export const DEFAULT_MAX_UNSENT = 100_000;
const KEEP_SENT = 1000;

interface Row {
  id: number;
  kind: OutboxKind;
  ref: number;
  ref_to: number | null;
}

export class AuditOutbox {
  constructor(
    private readonly db: Db,
    private readonly maxUnsent = DEFAULT_MAX_UNSENT,
  ) {}

  /** Queues what the trail gained since the last call; returns how many rows were added. */
  catchUp(): number {
    // Cheap when nothing is new (the forwarder also polls for entries other connections appended): no write lock.
    const behind = this.db
      .prepare('SELECT (SELECT coalesce(max(seq), 0) FROM audit) > entry_seq OR (SELECT coalesce(max(size), 0) FROM audit_checkpoints) > checkpoint_size AS b FROM audit_outbox_state WHERE id = 1')
      .get() as { b: number };
    if (!behind.b) return 0;
    return this.db.transaction(() => {
      const state = this.db.prepare('SELECT entry_seq, checkpoint_size FROM audit_outbox_state WHERE id = 1').get() as { entry_seq: number; checkpoint_size: number };
      const head = (this.db.prepare('SELECT coalesce(max(seq), 0) AS n FROM audit').get() as { n: number }).n;
      const sizes = (this.db.prepare('SELECT size FROM audit_checkpoints WHERE size > ? AND size <= ? ORDER BY size').all(state.checkpoint_size, head) as { size: number }[]).map((r) => r.size);
      let through = state.entry_seq;
      let added = 0;
      // Each checkpoint right after the entry it covers, so a receiver can check what it holds up to there.
      for (const size of sizes) {
        added += this.queueEntries(through, size);
        through = Math.max(through, size);
        this.db.prepare("INSERT INTO audit_outbox (kind, ref) VALUES ('checkpoint', ?)").run(size);
        added++;
      }
      added += this.queueEntries(through, head);
      through = Math.max(through, head);
      this.db.prepare('UPDATE audit_outbox_state SET entry_seq = ?, checkpoint_size = ? WHERE id = 1').run(through, sizes.at(-1) ?? state.checkpoint_size);
      return added;
    }).immediate();
  }

  /** Entries (after, to] as rows while there is room; the rest as one gap row. */
  private queueEntries(after: number, to: number): number {
    if (to <= after) return 0;
    const last = this.db.prepare('SELECT id, kind, sent_at FROM audit_outbox ORDER BY id DESC LIMIT 1').get() as { id: number; kind: OutboxKind; sent_at: string | null } | undefined;
    // While a gap still waits at the tail, new entries join it: queueing them after it would reorder the trail.
    const open = last?.kind === 'gap' && last.sent_at === null ? last : null;
    const take = open ? 0 : Math.min(Math.max(0, this.maxUnsent - this.unsentCount()), to - after);
    let added = 0;
    if (take > 0) {
      added += this.db.prepare("INSERT INTO audit_outbox (kind, ref) SELECT 'entry', seq FROM audit WHERE seq > ? ORDER BY seq LIMIT ?").run(after, take).changes;
    }
    if (after + take < to) {
      if (open) this.db.prepare('UPDATE audit_outbox SET ref_to = ? WHERE id = ?').run(to, open.id);
      else {
        this.db.prepare("INSERT INTO audit_outbox (kind, ref, ref_to) VALUES ('gap', ?, ?)").run(after + take + 1, to);
        added++;
      }
      this.db.prepare('UPDATE audit_outbox_state SET dropped = dropped + ? WHERE id = 1').run(to - after - take);
    }
    return added;
  }

  /** The oldest unsent rows, in order. */
  next(limit: number): OutboxItem[] {
    const rows = this.db.prepare('SELECT id, kind, ref, ref_to FROM audit_outbox WHERE sent_at IS NULL ORDER BY id LIMIT ?').all(Math.max(1, limit)) as Row[];
    return rows.map((r) => ({ id: r.id, kind: r.kind, ref: r.ref, refTo: r.ref_to }));
  }

  /** Marks every unsent row up to `throughId` sent (they were written in one batch) and prunes old sent rows. */
  markSent(throughId: number, at: string): void {
    this.db.transaction(() => {
      this.db.prepare('UPDATE audit_outbox SET sent_at = ? WHERE id <= ? AND sent_at IS NULL').run(at, throughId);
      this.db.prepare('DELETE FROM audit_outbox WHERE sent_at IS NOT NULL AND id <= ?').run(throughId - KEEP_SENT);
    })();
  }

  /** A checkpoint's signed note and time, by its size. */
  checkpoint(size: number): { note: string; time: string } | null {
    return (this.db.prepare('SELECT note, time FROM audit_checkpoints WHERE size = ?').get(size) as { note: string; time: string } | undefined) ?? null;
  }

  stats(): OutboxStats {
    const s = this.db.prepare('SELECT entry_seq, dropped FROM audit_outbox_state WHERE id = 1').get() as { entry_seq: number; dropped: number };
    return { unsent: this.unsentCount(), dropped: s.dropped, queuedThrough: s.entry_seq };
  }

  private unsentCount(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM audit_outbox WHERE sent_at IS NULL').get() as { n: number }).n;
  }
}

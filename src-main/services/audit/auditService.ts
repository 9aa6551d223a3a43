// The audit trail: rows appended to the encrypted store's `audit` table by main only (triggers forbid UPDATE and
// DELETE), each chained to the one before by SHA-256 (auditChain.ts), with Ed25519-signed checkpoints every
// `checkpointEvery` entries and at stop (auditCheckpoint.ts), the latest also kept outside the database
// (auditAnchor.ts). Callers name objects by opaque ids only; the real UIDs, patient ID and name are looked up
// here (auditObjects.ts) and stay inside the encryption. Verification runs at start (attachTrail) and on demand;
// a break is recorded as a Security Alert and stays visible (integrity()) until an administrator acknowledges it.
import {
  AUDIT_EVENT_IDS,
  AUDIT_EVENT_TYPES,
  AUDIT_OUTCOMES,
  auditEventProblem,
  type AuditActor,
  type AuditEventInput,
  type AuditEventTypeKind,
  type AuditRecord,
} from '../../../src-shared/audit/auditEvents';
import { AppError } from '../../../src-shared/errors';
import type { Db } from '../db/database';
import { localActorDirectory, type ActorDirectory } from './auditActors';
import type { CheckpointAnchor } from './auditAnchor';
import { CHAIN_COLUMNS, entryHash, GENESIS_HASH, type AuditChainRow } from './auditChain';
import { openCheckpoint, signCheckpoint } from './auditCheckpoint';
import { AuditObjectResolver } from './auditObjects';
import type { AuditSigningKey } from './auditSigningKey';
import { verifyAuditTrail, type AuditVerification, type ParallelVerify } from './auditVerifier';

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export const DEFAULT_CHECKPOINT_EVERY = 1000;

export interface AuditTrailParts {
  key: AuditSigningKey;
  anchor: CheckpointAnchor;
  /** A signed checkpoint after this many entries (default 1000); one is also written at stop. */
  checkpointEvery?: number;
  /** The database file and key, so a long trail is verified on several threads. */
  parallel?: ParallelVerify;
}

type AttachedTrail = AuditTrailParts & { checkpointEvery: number };

/** What the UI reads: the last verification, and whether an unacknowledged break stands. */
export interface AuditIntegrity {
  verification: AuditVerification | null;
  /** True from a failed verification until acknowledgeBreak(); never cleared by a later event. */
  alert: boolean;
}

export interface StoredRow extends AuditChainRow {
  hash: Buffer | null;
}

/** CID 403 type for a Security Alert recorded without one (PS3.15 makes EventTypeCode mandatory there). */
export function securityAlertType(detail: AuditEventInput['detail']): AuditEventTypeKind {
  const code = detail?.['code'];
  if (code === 'AUDIT_CHAIN_BROKEN') return 'auditRecordingStopped';
  if (code === 'INTEGRITY_TAMPERED') return 'objectSecurityAttributesChanged';
  if (detail?.['updateStep'] !== undefined) return 'softwareConfiguration';
  return 'useOfRestrictedFunction';
}

export class AuditService {
  private readonly insert;
  private readonly chained: boolean;
  private readonly headStmt;
  private readonly resolver: AuditObjectResolver;
  private trail: AttachedTrail | null = null;
  private readonly appended = new Set<() => void>();
  private lastCheckpointSize = 0;
  private pending: Promise<void> = Promise.resolve();
  private state: AuditIntegrity = { verification: null, alert: false };
  private userSource: () => string;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock = systemClock,
    private readonly defaultUser = 'local',
    private actors: ActorDirectory = localActorDirectory(),
  ) {
    this.userSource = () => this.defaultUser;
    // A store object over a database not yet at migration 0050 (only tests that build an older cache make one)
    // writes the old row shape; 0050 chains those rows when it runs.
    this.chained = (db.prepare('SELECT name FROM pragma_table_info(?)').all('audit') as { name: string }[]).some((c) => c.name === 'hash');
    this.insert = this.chained
      ? db.prepare(
          `INSERT INTO audit (seq, time, event_id, event_type, action, outcome, user_id, actor_json, objects_json, detail_json, hash)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
      : db.prepare('INSERT INTO audit (seq, time, event_id, event_type, action, outcome, user_id, objects_json, detail_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    this.headStmt = db.prepare(`SELECT seq, ${this.chained ? 'hash' : 'NULL AS hash'} FROM audit ORDER BY seq DESC LIMIT 1`);
    this.resolver = new AuditObjectResolver(db);
  }

  /**
   * Turns on checkpoints and verifies the whole trail before anything else is appended. A break is recorded as a
   * Security Alert (110113) and raised in integrity(); the checkpoint outside the database is then left as it is,
   * so the evidence survives until an administrator acknowledges the break.
   */
  async attachTrail(parts: AuditTrailParts, o: { verify?: boolean } = {}): Promise<AuditVerification | null> {
    this.trail = { checkpointEvery: DEFAULT_CHECKPOINT_EVERY, ...parts };
    const last = this.db.prepare('SELECT max(size) AS n FROM audit_checkpoints').get() as { n: number | null };
    this.lastCheckpointSize = last.n ?? 0;
    return o.verify === false ? null : this.verify('start');
  }

  /** Re-verifies everything now (start, `enclave audit verify`, the review screen's button). */
  async verify(why: 'start' | 'demand' = 'demand'): Promise<AuditVerification> {
    const t = this.requireTrail();
    const v = await verifyAuditTrail(this.db, t.key.publicKey, await t.anchor.read(), () => this.clock.now(), t.parallel);
    this.state = { verification: v, alert: this.state.alert || !v.ok };
    if (!v.ok) {
      this.record({
        kind: 'securityAlert',
        eventType: 'auditRecordingStopped',
        action: 'E',
        outcome: 'majorFailure',
        user: 'system',
        objects: [{ type: 'auditLog', id: 'audit-trail' }],
        detail: { code: 'AUDIT_CHAIN_BROKEN', firstBad: v.firstBad!.seq, reason: v.firstBad!.code, entries: v.entries, when: why },
      });
    }
    return v;
  }

  /** The accounts plug their user directory in here (users/userActors.ts): entries then carry the user's name. */
  setActors(actors: ActorDirectory): void {
    this.actors = actors;
  }

  /** Who acts when an event names nobody: the logged-in user once accounts exist (users/authSession.ts). */
  setUserSource(source: () => string): void {
    this.userSource = source;
  }

  integrity(): AuditIntegrity {
    return this.state;
  }

  /**
   * An administrator has looked at a break: recorded (with who), and the outside checkpoint moves to the current
   * head so new breaks can be told from this one. The entries already broken stay as they are (append-only).
   */
  async acknowledgeBreak(user = this.userSource()): Promise<void> {
    const v = this.state.verification;
    if (!this.state.alert || !v?.firstBad) throw new AppError('INVALID_REQUEST', 'There is no audit trail break to acknowledge.');
    this.record({
      kind: 'securityAlert',
      eventType: 'auditRecordingStarted',
      action: 'E',
      outcome: 'success',
      user,
      objects: [{ type: 'auditLog', id: 'audit-trail' }],
      detail: { code: 'AUDIT_BREAK_ACKNOWLEDGED', firstBad: v.firstBad.seq, reason: v.firstBad.code },
    });
    this.checkpoint(true);
    await this.flush();
    this.state = { ...this.state, alert: false };
  }

  /** Appends one event and returns its sequence number. Throws INVALID_REQUEST for an event that could carry PHI. */
  record(event: AuditEventInput): number {
    const problem = auditEventProblem(event);
    if (problem) throw new AppError('INVALID_REQUEST', `Audit event refused: ${problem}.`);
    const user = event.user ?? this.userSource();
    const eventType = event.eventType ?? (event.kind === 'securityAlert' ? securityAlertType(event.detail) : undefined);
    const outer = this.db.inTransaction;
    const seq = this.db.transaction(() => {
      // The head is read inside the write transaction: an import worker's connection appends to the same chain.
      const head = this.headStmt.get() as { seq: number; hash: Buffer | null } | undefined;
      const row: AuditChainRow = {
        seq: (head?.seq ?? 0) + 1,
        time: new Date(this.clock.now()).toISOString(),
        event_id: AUDIT_EVENT_IDS[event.kind].code,
        event_type: eventType ? AUDIT_EVENT_TYPES[eventType].code : null,
        action: event.action,
        outcome: AUDIT_OUTCOMES[event.outcome],
        user_id: user,
        actor_json: JSON.stringify(this.actors.actorOf(user)),
        objects_json: JSON.stringify([
          ...this.resolver.resolve(event.objects ?? []),
          ...(event.query ? [{ type: 'query', id: 'query', uid: event.query.sopClassUid, query: event.query.base64 }] : []),
        ]),
        detail_json: JSON.stringify(event.detail ?? {}),
      };
      // A head without a hash is itself a break; chaining from it keeps the new entry checkable from there on.
      const hash = entryHash(head?.hash ?? GENESIS_HASH, row);
      if (this.chained) this.insert.run(row.seq, row.time, row.event_id, row.event_type, row.action, row.outcome, row.user_id, row.actor_json, row.objects_json, row.detail_json, hash);
      else this.insert.run(row.seq, row.time, row.event_id, row.event_type, row.action, row.outcome, row.user_id, row.objects_json, row.detail_json);
      return row.seq;
    }).immediate();
    // Never inside the caller's transaction: it could still roll back and leave a checkpoint of nothing.
    if (!outer && this.trail && seq - this.lastCheckpointSize >= this.trail.checkpointEvery) this.checkpoint();
    this.notifyAppended();
    return seq;
  }

  /**
   * Calls `listener` after every append and checkpoint (the syslog forwarder wakes on it and reads the trail itself,
   * so a listener gets no content). Returns the unsubscribe. A listener's error never fails the append.
   */
  onAppended(listener: () => void): () => void {
    this.appended.add(listener);
    return () => this.appended.delete(listener);
  }

  private notifyAppended(): void {
    for (const f of this.appended) {
      try {
        f();
      } catch {
        // The entry is stored; waking a reader is best effort.
      }
    }
  }

  /**
   * Signs the current head into audit_checkpoints and (asynchronously, in order) outside the database. The
   * outside copy only moves forward, and only when the chain still extends it: after a break it keeps the
   * evidence until acknowledgeBreak() passes `force`.
   */
  checkpoint(force = false): void {
    const t = this.trail;
    if (!t?.key.privateKey || this.db.inTransaction) return;
    const head = this.headStmt.get() as { seq: number; hash: Buffer | null } | undefined;
    if (!head?.hash || head.seq <= this.lastCheckpointSize) return;
    const note = signCheckpoint({ origin: t.key.origin, size: head.seq, head: head.hash, time: new Date(this.clock.now()).toISOString() }, t.key.privateKey);
    this.db.prepare('INSERT OR IGNORE INTO audit_checkpoints (size, head, time, note) VALUES (?, ?, ?, ?)').run(head.seq, head.hash, new Date(this.clock.now()).toISOString(), note);
    this.lastCheckpointSize = head.seq;
    this.notifyAppended();
    const size = head.seq;
    this.pending = this.pending
      .then(async () => {
        if (!force && !(await this.extendsAnchor(t, size))) return;
        await t.anchor.write(note);
      })
      .catch(() => undefined);
  }

  /** Whether the newest outside checkpoint is a prefix of our chain (so replacing it loses no evidence). */
  private async extendsAnchor(t: AttachedTrail, size: number): Promise<boolean> {
    if (this.state.alert) return false;
    for (const a of await t.anchor.read()) {
      const p = openCheckpoint(a.note, t.key.publicKey);
      if (!p.ok) return false;
      if (p.checkpoint.size > size) return false;
      const r = this.db.prepare('SELECT hash FROM audit WHERE seq = ?').get(p.checkpoint.size) as { hash: Buffer | null } | undefined;
      if (p.checkpoint.size > 0 && !r?.hash?.equals(p.checkpoint.head)) return false;
    }
    return true;
  }

  /** Waits for outside-checkpoint writes in flight (call before closing). */
  async flush(): Promise<void> {
    await this.pending;
  }

  /** Events in order, from `afterSeq` on (for review, export and tests). */
  list(afterSeq = 0, limit = 1000): AuditRecord[] {
    const rows = this.db
      .prepare(`SELECT ${CHAIN_COLUMNS}, hash FROM audit WHERE seq > ? ORDER BY seq LIMIT ?`)
      .all(afterSeq, Math.max(1, Math.min(limit, 100_000))) as StoredRow[];
    return rows.map(toRecord);
  }

  /** Events whose time is in [from, to) (ISO 8601 UTC strings compare in time order), in pages. */
  *between(from: string | null, to: string | null, page = 5000): Generator<AuditRecord> {
    const stmt = this.db.prepare(
      `SELECT ${CHAIN_COLUMNS}, hash FROM audit WHERE seq > ? AND (? IS NULL OR time >= ?) AND (? IS NULL OR time < ?) ORDER BY seq LIMIT ?`,
    );
    let after = 0;
    for (;;) {
      const rows = stmt.all(after, from, from, to, to, page) as StoredRow[];
      for (const r of rows) yield toRecord(r);
      if (rows.length < page) return;
      after = rows.at(-1)!.seq;
    }
  }

  private requireTrail(): AttachedTrail {
    if (!this.trail) throw new AppError('INTERNAL', 'The audit trail has no signing key attached.');
    return this.trail;
  }
}

/** One stored row as a record (the review reads rows with its own filters). */
export function toRecord(r: StoredRow): AuditRecord {
  const actor = JSON.parse(r.actor_json) as Partial<AuditActor>;
  return {
    seq: r.seq,
    time: r.time,
    eventId: r.event_id as AuditRecord['eventId'],
    eventType: r.event_type,
    action: r.action as AuditRecord['action'],
    outcome: r.outcome,
    user: r.user_id,
    // Rows from before migration 0050 know only the user id.
    actor: actor.userId ? (actor as AuditActor) : { userId: r.user_id, requestor: r.user_id !== 'system', kind: r.user_id === 'system' ? 'application' : 'person' },
    objects: JSON.parse(r.objects_json) as AuditRecord['objects'],
    detail: JSON.parse(r.detail_json) as AuditRecord['detail'],
    hash: r.hash ? r.hash.toString('hex') : '',
  };
}

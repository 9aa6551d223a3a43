// The hash chain over the audit table. Each entry's hash is SHA-256(previous hash || canonical content), where
// the canonical content is the JSON array of the row's stored column values in a fixed order: the JSON columns
// enter as the exact text stored, so what is hashed is byte for byte what an auditor reads back, and no
// re-serialisation can make two readers disagree. The first entry chains from a fixed genesis value.
import { createHash, hash } from 'node:crypto';

/** The columns an entry's hash covers, as stored. */
export interface AuditChainRow {
  seq: number;
  time: string;
  event_id: string;
  event_type: string | null;
  action: string;
  outcome: number;
  user_id: string;
  actor_json: string;
  objects_json: string;
  detail_json: string;
}

export const CHAIN_COLUMNS = 'seq, time, event_id, event_type, action, outcome, user_id, actor_json, objects_json, detail_json';

/** What the first entry's "previous hash" is: a constant that names the format. */
export const GENESIS_HASH: Buffer = createHash('sha256').update('enclave/audit-chain/v1').digest();

export function canonicalEntry(r: AuditChainRow): string {
  return JSON.stringify([r.seq, r.time, r.event_id, r.event_type, r.action, r.outcome, r.user_id, r.actor_json, r.objects_json, r.detail_json]);
}

export function entryHash(prev: Buffer, r: AuditChainRow): Buffer {
  return createHash('sha256').update(prev).update(canonicalEntry(r), 'utf8').digest();
}

/**
 * The same hash over a row read in raw mode (the CHAIN_COLUMNS values in order, then anything else): verifying
 * a million entries spends most of its time building row objects, so the verifier reads arrays.
 */
export function rawEntryHash(prev: Buffer, values: readonly unknown[]): Buffer {
  // One-shot hash of one buffer: a Hash object per entry costs more than the hashing itself.
  const text = JSON.stringify(values.slice(0, CHAIN_COLUMN_COUNT));
  const buf = Buffer.allocUnsafe(prev.length + Buffer.byteLength(text, 'utf8'));
  prev.copy(buf, 0);
  buf.write(text, prev.length, 'utf8');
  return hash('sha256', buf, 'buffer');
}

const CHAIN_COLUMN_COUNT = CHAIN_COLUMNS.split(',').length;

// One stretch of the chain, re-hashed on its own: the entries after `after` up to `last`, starting from the hash
// stored for entry `after` (or genesis when `after` is 0). Stretches verified side by side (auditVerifier.ts)
// join soundly because each one compares every stored hash it meets: the stretch that ends at `after` has checked
// the hash the next stretch starts from.
import type { Db } from '../db/database';
import { CHAIN_COLUMNS, rawEntryHash } from './auditChain';

export interface ChainRange {
  /** The entry before the stretch (0: none, start from genesis). */
  after: number;
  /** That entry's stored hash (genesis when `after` is 0). */
  prev: Buffer;
  /** The last entry of the stretch (inclusive). */
  last: number;
  /** Entry numbers whose computed hash the caller needs (checkpoints). */
  wanted: readonly number[];
}

/** The first break in a stretch, in the words auditVerifier reports. */
export interface ChainBreak {
  seq: number;
  code: 'entry_changed' | 'entry_missing';
  problem: string;
}

export interface ChainRangeResult {
  /** Rows read in the stretch (all of them, also past a break). */
  entries: number;
  firstBad: ChainBreak | null;
  /** [seq, computed hash] for each wanted entry verified before any break. */
  hashes: [number, Buffer][];
  /** The last entry verified in order (the stretch's `after` when the first one is already bad). */
  end: number;
}

export function checkChainRange(db: Db, r: ChainRange): ChainRangeResult {
  const wanted = new Set(r.wanted);
  const hashes: [number, Buffer][] = [];
  const rows = db.prepare(`SELECT ${CHAIN_COLUMNS}, hash FROM audit WHERE seq > ? AND seq <= ? ORDER BY seq`).raw(true).iterate(r.after, r.last) as IterableIterator<unknown[]>;
  let prev = r.prev;
  let expected = r.after + 1;
  let entries = 0;
  let firstBad: ChainBreak | null = null;
  for (const values of rows) {
    entries++;
    if (firstBad) continue;
    const seq = values[0] as number;
    const stored = values[values.length - 1] as Buffer | null;
    if (seq !== expected) {
      firstBad = {
        seq: expected,
        code: 'entry_missing',
        problem: seq - expected === 1 ? `Entry ${expected} is missing (deleted).` : `Entries ${expected} to ${seq - 1} are missing (deleted).`,
      };
      continue;
    }
    const h = rawEntryHash(prev, values);
    if (!stored || !h.equals(stored)) {
      firstBad = { seq, code: 'entry_changed', problem: `Entry ${seq} does not match its hash: it was changed (or an entry before it was replaced).` };
      continue;
    }
    if (wanted.has(seq)) hashes.push([seq, h]);
    prev = h;
    expected++;
  }
  return { entries, firstBad, hashes, end: firstBad ? firstBad.seq - 1 : expected - 1 };
}

// Verification of the whole trail: re-hash every entry in order, check every signed checkpoint inside the
// database against the chain, then the checkpoint kept outside it. The result names the FIRST bad entry:
// - an entry whose stored hash is not the hash of its content and its predecessor's (edited with the key in hand);
// - a missing sequence number (an entry deleted from the middle, or the first ones);
// - entries the outside checkpoint covers but the database lacks (tail deleted, older copy restored);
// - entries that differ from what the outside checkpoint signed (older copy restored, then written to).
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Db } from '../db/database';
import { resolveWorkerScript, workerExecArgv } from '../workers/workerScript';
import type { AuditVerifyInput } from '../workers/auditVerifyWorker';
import { GENESIS_HASH } from './auditChain';
import { checkChainRange, type ChainRange, type ChainRangeResult } from './auditChainRange';
import type { AnchoredNote } from './auditAnchor';
import { openCheckpoint, type Checkpoint } from './auditCheckpoint';

export interface AuditBreak {
  /** The first entry that cannot be trusted (sequence number). */
  seq: number;
  /** One sentence for the administrator. */
  problem: string;
  /** A short machine word (audit detail, UI switch). */
  code: 'entry_changed' | 'entry_missing' | 'tail_missing' | 'diverged' | 'checkpoint_invalid' | 'anchor_missing' | 'anchor_invalid';
}

export interface AuditVerification {
  ok: boolean;
  entries: number;
  checkpoints: number;
  /** The newest valid checkpoint found outside the database. */
  anchor: { size: number; time: string; source: 'file' | 'keychain' } | null;
  firstBad: AuditBreak | null;
  /** ISO time the verification ran. */
  at: string;
  ms: number;
  /** Threads that re-hashed the chain (1: this one alone). */
  threads: number;
}

interface CheckpointRow {
  size: number;
  head: Buffer;
  note: string;
}

function earlier(a: AuditBreak | null, b: AuditBreak): AuditBreak {
  return a === null || b.seq < a.seq ? b : a;
}

/** How to check stretches of the chain on other threads: the database file, its key, the verifier worker. */
export interface ParallelVerify {
  file: string;
  key: Buffer;
  /** The auditVerifyWorker script; default: found beside the running bundle (workers/workerScript.ts). */
  workerScript?: string;
  /** Stretches checked at once (default: the cores, at most 4). */
  threads?: number;
  /** Below this many entries one thread is quicker than starting others (default 50,000). */
  minEntries?: number;
}

export async function verifyAuditTrail(
  db: Db,
  publicKey: Buffer,
  anchors: readonly AnchoredNote[],
  now: () => number = Date.now,
  parallel?: ParallelVerify,
): Promise<AuditVerification> {
  const t0 = performance.now();
  const checkpoints = db.prepare('SELECT size, head, note FROM audit_checkpoints ORDER BY size').all() as CheckpointRow[];
  const outside: { cp: Checkpoint; source: AnchoredNote['source'] }[] = [];
  let anchorProblem: AuditBreak | null = null;
  for (const a of anchors) {
    const p = openCheckpoint(a.note, publicKey);
    if (p.ok) outside.push({ cp: p.checkpoint, source: a.source });
    else anchorProblem ??= { seq: 1, code: 'anchor_invalid', problem: `The checkpoint kept outside the database (${a.source}) is not valid: ${p.problem}.` };
  }
  // Hashes we must compare at given sizes: every checkpoint's.
  const wanted = [...new Set<number>([...checkpoints.map((c) => c.size), ...outside.map((o) => o.cp.size)])];

  // 1. The chain: stretches side by side, joined in order; the first break of the first broken stretch stands.
  const chain = await checkChain(db, wanted, parallel);
  const entries = chain.entries;
  let firstBad: AuditBreak | null = chain.firstBad;
  const hashAt = chain.hashAt;
  const chainEnd = chain.end;

  // 2. Signed checkpoints inside the database: each must verify and agree with the chain.
  let lastGoodInside = 0;
  for (const c of checkpoints) {
    const p = openCheckpoint(c.note, publicKey);
    if (!p.ok || p.checkpoint.size !== c.size || !p.checkpoint.head.equals(c.head)) {
      firstBad = earlier(firstBad, { seq: Math.max(1, c.size), code: 'checkpoint_invalid', problem: `The checkpoint at entry ${c.size} is not validly signed (${p.ok ? 'its row disagrees with its note' : p.problem}).` });
      continue;
    }
    if (c.size > chainEnd) continue; // already reported through the chain break (or beyond it)
    if (c.size > 0 && !hashAt.get(c.size)?.equals(c.head)) {
      firstBad = earlier(firstBad, { seq: c.size, code: 'entry_changed', problem: `Entry ${c.size} differs from what its signed checkpoint recorded.` });
      continue;
    }
    lastGoodInside = c.size;
  }

  // 3. The checkpoint outside the database: the newest valid copy decides.
  outside.sort((a, b) => b.cp.size - a.cp.size);
  const anchor = outside[0] ?? null;
  if (anchor) {
    const a = anchor.cp;
    if (a.size > entries && a.size > chainEnd) {
      const from = Math.min(chainEnd, entries) + 1;
      firstBad = earlier(firstBad, {
        seq: from,
        code: 'tail_missing',
        problem: `Entries ${from} to ${a.size} are missing: the checkpoint kept outside the database (signed ${a.time}) covers ${a.size} entries. The database was truncated or an older copy was restored.`,
      });
    } else if (a.size > 0 && a.size <= chainEnd && !hashAt.get(a.size)?.equals(a.head)) {
      const from = lastGoodInside < a.size ? lastGoodInside + 1 : a.size;
      firstBad = earlier(firstBad, {
        seq: from,
        code: 'diverged',
        problem: `Entries from ${from} on are not the ones the checkpoint kept outside the database (signed ${a.time}, ${a.size} entries) recorded: an older copy of the database was restored and written to, or the trail was rewritten.`,
      });
    }
  } else if (checkpoints.length > 0) {
    anchorProblem ??= { seq: checkpoints.at(-1)!.size + 1, code: 'anchor_missing', problem: 'The checkpoint kept outside the database is missing (audit-checkpoint.txt deleted).' };
  }
  if (anchorProblem) firstBad = earlier(firstBad, anchorProblem);
  if (firstBad) firstBad = earlierRecordedBreak(db, firstBad, chainEnd);

  return {
    ok: firstBad === null,
    entries,
    checkpoints: checkpoints.length,
    anchor: anchor ? { size: anchor.cp.size, time: anchor.cp.time, source: anchor.source } : null,
    firstBad,
    at: new Date(now()).toISOString(),
    ms: performance.now() - t0,
    threads: chain.threads,
  };
}

/**
 * A break found before and not acknowledged stays the first bad entry: after an older copy is restored the trail
 * keeps growing (the alert itself, the next starts), and only the alert recorded at the first verification still
 * knows where the copy ended. Alerts are read from the verified part of the chain only.
 */
function earlierRecordedBreak(db: Db, now: AuditBreak, chainEnd: number): AuditBreak {
  const rows = db
    .prepare(`SELECT seq, time, detail_json FROM audit WHERE event_id = '110113' AND seq <= ? AND detail_json LIKE '%"AUDIT\\_%' ESCAPE '\\' ORDER BY seq`)
    .all(chainEnd) as { seq: number; time: string; detail_json: string }[];
  let open: { firstBad: number; reason: string; time: string } | null = null;
  for (const r of rows) {
    const d = JSON.parse(r.detail_json) as { code?: string; firstBad?: number; reason?: string };
    if (d.code === 'AUDIT_BREAK_ACKNOWLEDGED') open = null;
    else if (d.code === 'AUDIT_CHAIN_BROKEN' && typeof d.firstBad === 'number' && open === null) open = { firstBad: d.firstBad, reason: String(d.reason), time: r.time };
  }
  if (!open || open.firstBad >= now.seq) return now;
  return {
    seq: open.firstBad,
    code: (open.reason as AuditBreak['code']) ?? now.code,
    problem: `The trail broke at entry ${open.firstBad} (${open.reason}, found ${open.time}) and the break was not acknowledged. Now: ${now.problem}`,
  };
}

interface ChainCheck {
  entries: number;
  firstBad: AuditBreak | null;
  hashAt: Map<number, Buffer>;
  /** The last entry verified in order from the first. */
  end: number;
  threads: number;
}

async function checkChain(db: Db, wanted: readonly number[], parallel: ParallelVerify | undefined): Promise<ChainCheck> {
  const top = (db.prepare('SELECT max(seq) AS n FROM audit').get() as { n: number | null }).n ?? 0;
  const parts = parallel && top >= (parallel.minEntries ?? 50_000) ? Math.min(parallel.threads ?? availableParallelism(), 4) : 1;
  const ranges = splitChain(db, top, parts, wanted);
  // The first stretch here, the others on workers at the same time (a worker that cannot run is redone here).
  let threads = 1;
  const others = ranges.slice(1).map((r) =>
    checkOnWorker(r, parallel!).then(
      (res) => (threads++, res),
      () => checkChainRange(db, r),
    ),
  );
  const results = [checkChainRange(db, ranges[0]!), ...(await Promise.all(others))];
  const hashAt = new Map<number, Buffer>();
  let entries = 0;
  let firstBad: AuditBreak | null = null;
  let end = 0;
  results.forEach((r, i) => {
    entries += r.entries;
    if (firstBad) return;
    for (const [seq, h] of r.hashes) hashAt.set(seq, Buffer.from(h));
    end = r.end;
    firstBad = r.firstBad;
    // A stretch that stops short of the entry the next one starts from (rows gone since the cut).
    if (!firstBad && i < ranges.length - 1 && r.end !== ranges[i]!.last) firstBad = { seq: r.end + 1, code: 'entry_missing', problem: `Entry ${r.end + 1} is missing (deleted).` };
  });
  return { entries, firstBad, hashAt, end, threads };
}

/**
 * Cuts 1..top into stretches of about equal length, each ending on an entry that exists; the next one starts from
 * that entry's stored hash. A gap or a changed entry at a cut is still found: by the stretch that contains it, or
 * by the one before, which ends on the entry after the gap.
 */
function splitChain(db: Db, top: number, parts: number, wanted: readonly number[]): ChainRange[] {
  const at = db.prepare('SELECT seq, hash FROM audit WHERE seq <= ? ORDER BY seq DESC LIMIT 1');
  const ranges: ChainRange[] = [];
  let after = 0;
  let prev = GENESIS_HASH;
  for (let i = 1; i < parts; i++) {
    const cut = at.get(Math.floor((top * i) / parts)) as { seq: number; hash: Buffer | null } | undefined;
    if (!cut || cut.seq <= after || !cut.hash) continue;
    ranges.push({ after, prev, last: cut.seq, wanted: wanted.filter((w) => w > after && w <= cut.seq) });
    after = cut.seq;
    prev = cut.hash;
  }
  ranges.push({ after, prev, last: Math.max(top, after), wanted: wanted.filter((w) => w > after) });
  return ranges;
}

function checkOnWorker(range: ChainRange, p: ParallelVerify): Promise<ChainRangeResult> {
  return new Promise((resolve, reject) => {
    const script = p.workerScript ?? resolveWorkerScript('auditVerifyWorker');
    const input: AuditVerifyInput = { file: p.file, key: p.key, range };
    const worker = new Worker(script, { workerData: input, execArgv: workerExecArgv(script) });
    worker.once('message', (r: ChainRangeResult) => resolve(r));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`audit verifier thread stopped (${code})`)));
  });
}

// The privacy officer's questions to the trail (issue 11, item 10): "who opened this patient's images, and
// when", filtered by user, patient, study, event, outcome and time. The identifiers an auditor types are matched
// in SQL inside the encrypted store against what each entry resolved when it was written (auditObjects.ts), so a
// purged study's events still answer by patient and Study Instance UID; only a study description needs the study
// to still be in the cache (entries carry its id and UID, not its description). Newest entries first.
import { AUDIT_EVENT_IDS, AUDIT_EVENT_TYPES, type AuditObjectRecord, type AuditRecord } from '../../../src-shared/audit/auditEvents';
import type { AuditEntryView, AuditQuery, AuditQueryResult } from '../../../src-shared/ipc/contract';
import type { Db } from '../db/database';
import { normaliseName, normaliseText } from '../store/studySearch';
import { CHAIN_COLUMNS } from './auditChain';
import { toRecord, type StoredRow } from './auditService';

const MEANING = new Map<string, string>([...Object.values(AUDIT_EVENT_IDS), ...Object.values(AUDIT_EVENT_TYPES)].map((c) => [c.code, c.meaning]));

// SQLite's upper() folds ASCII only; names in the trail are any script, matched as the study browser matches them
// (normaliseName, normaliseText). One JavaScript call per row and filter reads the row's JSON once: matching a
// patient in a trail of 100,000 entries costs a fraction of a second, where json_each and a call per field took
// seconds.
const PATIENT_FN = 'enclave_audit_patient';
const STUDY_FN = 'enclave_audit_study';
const USER_FN = 'enclave_audit_user';
const registered = new WeakSet<Db>();

const includes = (value: string | undefined, needle: string, fold: (s: string) => string) => needle !== '' && value !== undefined && fold(value).includes(needle);

function parseObjects(json: unknown): AuditObjectRecord[] {
  try {
    const v = JSON.parse(String(json)) as unknown;
    return Array.isArray(v) ? (v as AuditObjectRecord[]) : [];
  } catch {
    return [];
  }
}

function registerFunctions(db: Db): void {
  if (registered.has(db)) return;
  const opts = { deterministic: true, varargs: false };
  // A patient by name (any part, '^' read as a space) or Patient ID, on patient objects and on the studies that carry theirs.
  db.function(PATIENT_FN, opts, (json: unknown, name: unknown, id: unknown) =>
    parseObjects(json).some((o) => {
      const patientName = o.patientName ?? (o.type === 'patient' ? o.name : undefined);
      const patientId = o.patientId ?? (o.type === 'patient' ? o.uid : undefined);
      return includes(patientName, String(name), normaliseName) || includes(patientId, String(id), normaliseText);
    }) ? 1 : 0,
  );
  // A study by (part of) its Study Instance UID or accession number, or by id (the studies whose description matched).
  let idSet = { key: '', ids: new Set<string>() };
  db.function(STUDY_FN, opts, (json: unknown, uid: unknown, text: unknown, ids: unknown) => {
    if (idSet.key !== String(ids)) idSet = { key: String(ids), ids: new Set(String(ids).split(',').filter(Boolean)) };
    const byDescription = idSet.ids;
    return parseObjects(json).some(
      (o) => o.type === 'study' && ((o.uid !== undefined && String(uid) !== '' && o.uid.includes(String(uid))) || includes(o.accession, String(text), normaliseText) || byDescription.has(o.id)),
    ) ? 1 : 0;
  });
  // A user by (part of) the opaque id, or the user name the entry was written with (accounts' directory), or the OS user's.
  db.function(USER_FN, opts, (userId: unknown, actorJson: unknown, q: unknown) => {
    let actor: { userId?: string; userName?: string } = {};
    try {
      actor = JSON.parse(String(actorJson)) as typeof actor;
    } catch {
      /* legacy rows carry '{}' */
    }
    const needle = String(q);
    return includes(String(userId), needle, normaliseText) || includes(actor.userName, needle, normaliseText) || includes(actor.userId, needle, normaliseText) ? 1 : 0;
  });
  registered.add(db);
}

/**
 * A cheap test in C before the JavaScript matcher, exact for rows of printable ASCII: a match there implies the
 * row's JSON text, upper-cased, contains the longest word of each needle (normalising only turns '^', '=', ',' and
 * white space into single spaces and folds case). Rows with any other character (names in other scripts, 'ß'
 * whose upper case is 'SS') always go on to the matcher. Null when a needle has no such word.
 */
function prefilter(column: string, needles: string[]): { sql: string; args: string[] } | null {
  const words: string[] = [];
  for (const n of needles) {
    const word = n.split(' ').reduce((a, w) => (w.length > a.length ? w : a), '');
    if (word === '' || !/^[!#-[\]-~]+$/.test(word)) return null; // printable ASCII without '"' and '\\' (JSON escapes them)
    words.push(word);
  }
  const any = words.map(() => `instr(upper(${column}), ?) > 0`);
  return { sql: `(${any.join(' OR ')} OR ${column} GLOB '*[^ -~]*')`, args: words };
}

/** WHERE terms and arguments for a query (every field given must match). `db` resolves study descriptions. */
export function auditFilterSql(db: Db, q: Omit<AuditQuery, 'limit' | 'offset'>): { where: string; args: (string | number)[] } {
  const terms: string[] = [];
  const args: (string | number)[] = [];
  // The cheap column tests first: SQLite evaluates AND terms in order, so the JavaScript matchers see fewer rows.
  if (q.event !== undefined) {
    // An event id (110103) or an event type (110132: every Use of Restricted Function alert).
    terms.push('(a.event_id = ? OR a.event_type = ?)');
    args.push(q.event, q.event);
  }
  if (q.outcome !== undefined) {
    terms.push('a.outcome = ?');
    args.push(q.outcome);
  }
  // [from, to) in ms since the epoch; stored times are ISO 8601 UTC, which compare as text in time order.
  if (q.from !== undefined) {
    terms.push('a.time >= ?');
    args.push(new Date(q.from).toISOString());
  }
  if (q.to !== undefined) {
    terms.push('a.time < ?');
    args.push(new Date(q.to).toISOString());
  }
  const matcher = (sql: string, margs: string[], pre: ReturnType<typeof prefilter>) => {
    if (pre) {
      terms.push(pre.sql);
      args.push(...pre.args);
    }
    terms.push(sql);
    args.push(...margs);
  };
  if (q.user !== undefined && normaliseText(q.user) !== '') {
    const u = normaliseText(q.user);
    matcher(`${USER_FN}(a.user_id, a.actor_json, ?)`, [u], prefilter("(a.user_id || ' ' || a.actor_json)", [u]));
  }
  if (q.patient !== undefined && (normaliseName(q.patient) !== '' || normaliseText(q.patient) !== '')) {
    const name = normaliseName(q.patient);
    const id = normaliseText(q.patient);
    matcher(`${PATIENT_FN}(a.objects_json, ?, ?)`, [name, id], prefilter('a.objects_json', [name, id].filter((n) => n !== '')));
  }
  if (q.study !== undefined && normaliseText(q.study) !== '') {
    // Descriptions are not in the entries: the cached studies whose description matches, by id.
    const t = normaliseText(q.study);
    const ids = (db.prepare('SELECT study_id FROM studies WHERE instr(description_norm, ?) > 0').all(t) as { study_id: string }[]).map((r) => r.study_id);
    // With descriptions matching, any entry naming one of those studies matches: no word to look for first.
    const uid = q.study.trim();
    matcher(`${STUDY_FN}(a.objects_json, ?, ?, ?)`, [uid, t, ids.join(',')], ids.length === 0 ? prefilter('a.objects_json', [t]) : null);
  }
  return { where: terms.length ? `WHERE ${terms.join(' AND ')}` : '', args };
}

function objectView(o: AuditObjectRecord): AuditEntryView['objects'][number] {
  const name = o.name ?? o.patientName;
  const patientId = o.type === 'patient' ? o.uid : o.patientId;
  return { type: o.type, id: o.id, ...(name !== undefined ? { name } : {}), ...(patientId !== undefined ? { patientId } : {}), ...(o.uid !== undefined ? { uid: o.uid } : {}) };
}

export function entryView(r: AuditRecord): AuditEntryView {
  return {
    seq: r.seq,
    time: Date.parse(r.time),
    eventId: r.eventId,
    eventName: MEANING.get(r.eventId) ?? r.eventId,
    eventType: r.eventType,
    action: r.action,
    outcome: r.outcome,
    userId: r.user,
    userName: r.actor.userName ?? r.actor.userId,
    objects: r.objects.map(objectView),
    detail: r.detail,
  };
}

/** One page of matching entries, newest first, and how many match in all. */
export function queryAuditTrail(db: Db, q: AuditQuery): AuditQueryResult {
  registerFunctions(db);
  const { where, args } = auditFilterSql(db, q);
  if (where === '') {
    const total = (db.prepare('SELECT count(*) AS n FROM audit').get() as { n: number }).n;
    const rows = db.prepare(`SELECT ${CHAIN_COLUMNS}, hash FROM audit ORDER BY seq DESC LIMIT ? OFFSET ?`).all(q.limit, q.offset) as StoredRow[];
    return { entries: rows.map((r) => entryView(toRecord(r))), total };
  }
  // One pass over the trail gives both the count and the page (the matchers run once per row, not twice).
  const seqs = db.prepare(`SELECT a.seq FROM audit a ${where} ORDER BY a.seq DESC`).pluck().all(...args) as number[];
  const page = seqs.slice(q.offset, q.offset + q.limit);
  if (page.length === 0) return { entries: [], total: seqs.length };
  const rows = db.prepare(`SELECT ${CHAIN_COLUMNS}, hash FROM audit WHERE seq IN (SELECT value FROM json_each(?)) ORDER BY seq DESC`).all(JSON.stringify(page)) as StoredRow[];
  return { entries: rows.map((r) => entryView(toRecord(r))), total: seqs.length };
}

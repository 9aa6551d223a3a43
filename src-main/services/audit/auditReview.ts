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

// SQLite's upper() folds ASCII only; names in the trail are any script, matched as the study browser does.
const FOLD_NAME = 'enclave_audit_name';
const FOLD_TEXT = 'enclave_audit_text';
const registered = new WeakSet<Db>();

function registerFunctions(db: Db): void {
  if (registered.has(db)) return;
  db.function(FOLD_NAME, { deterministic: true }, (s: unknown) => (typeof s === 'string' ? normaliseName(s) : ''));
  db.function(FOLD_TEXT, { deterministic: true }, (s: unknown) => (typeof s === 'string' ? normaliseText(s) : ''));
  registered.add(db);
}

const obj = (path: string) => `json_extract(o.value, '$.${path}')`;

/** WHERE terms and arguments for a query (every field given must match). */
export function auditFilterSql(q: Omit<AuditQuery, 'limit' | 'offset'>): { where: string; args: (string | number)[] } {
  const terms: string[] = [];
  const args: (string | number)[] = [];
  if (q.user !== undefined && normaliseText(q.user) !== '') {
    // The opaque id, or the user name the entry was written with (accounts' directory), or the OS user.
    terms.push(`(instr(${FOLD_TEXT}(a.user_id), ?) > 0 OR instr(${FOLD_TEXT}(coalesce(json_extract(a.actor_json, '$.userName'), '')), ?) > 0
      OR instr(${FOLD_TEXT}(coalesce(json_extract(a.actor_json, '$.userId'), '')), ?) > 0)`);
    const u = normaliseText(q.user);
    args.push(u, u, u);
  }
  if (q.patient !== undefined) {
    // A patient by name (any part, '^' as a space) or by Patient ID, on patient objects and on studies (which carry theirs).
    const name = normaliseName(q.patient);
    const id = normaliseText(q.patient);
    const any: string[] = [];
    if (name !== '') {
      any.push(`instr(${FOLD_NAME}(coalesce(${obj('patientName')}, CASE WHEN ${obj('type')} = 'patient' THEN ${obj('name')} END, '')), ?) > 0`);
      args.push(name);
    }
    if (id !== '') {
      any.push(`instr(${FOLD_TEXT}(coalesce(${obj('patientId')}, CASE WHEN ${obj('type')} = 'patient' THEN ${obj('uid')} END, '')), ?) > 0`);
      args.push(id);
    }
    if (any.length > 0) terms.push(`EXISTS (SELECT 1 FROM json_each(a.objects_json) o WHERE ${any.join(' OR ')})`);
  }
  if (q.study !== undefined && normaliseText(q.study) !== '') {
    // A study by (part of) its Study Instance UID or accession number, or by its description while it is cached.
    const t = normaliseText(q.study);
    terms.push(`EXISTS (SELECT 1 FROM json_each(a.objects_json) o WHERE ${obj('type')} = 'study' AND (
      instr(coalesce(${obj('uid')}, ''), ?) > 0 OR instr(${FOLD_TEXT}(coalesce(${obj('accession')}, '')), ?) > 0
      OR ${obj('id')} IN (SELECT study_id FROM studies WHERE instr(description_norm, ?) > 0)))`);
    args.push(q.study.trim(), t, t);
  }
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
  const { where, args } = auditFilterSql(q);
  const total = (db.prepare(`SELECT count(*) AS n FROM audit a ${where}`).get(...args) as { n: number }).n;
  if (total <= q.offset) return { entries: [], total };
  const rows = db.prepare(`SELECT ${CHAIN_COLUMNS.split(',').map((c) => `a.${c.trim()}`).join(', ')}, a.hash FROM audit a ${where} ORDER BY a.seq DESC LIMIT ? OFFSET ?`).all(...args, q.limit, q.offset) as StoredRow[];
  return { entries: rows.map((r) => entryView(toRecord(r))), total };
}

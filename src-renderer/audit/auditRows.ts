// The audit review's filters and rows, pure so Node tests check them: the form's text becomes the query
// main validates (time range inclusive, in local time), and each entry becomes one row of plain text
// that answers "who did what to which patient's images, when, and did it work".
import { AUDIT_EVENT_IDS, AUDIT_EVENT_TYPES, AUDIT_OUTCOMES } from '../../src-shared/audit/auditEvents';
import type { AuditEntryView, AuditQuery } from '../../src-shared/ipc/contract';
import { formatTimestamp } from '../auth/authText';
import { formatName } from '../viewer/formatting';

export const EVENT_OPTIONS = Object.values(AUDIT_EVENT_IDS).map((e) => ({ code: e.code, label: `${e.meaning} (${e.code})` }));

export const OUTCOME_LABELS: Record<number, string> = {
  [AUDIT_OUTCOMES.success]: 'Success',
  [AUDIT_OUTCOMES.minorFailure]: 'Minor failure',
  [AUDIT_OUTCOMES.seriousFailure]: 'Serious failure',
  [AUDIT_OUTCOMES.majorFailure]: 'Major failure',
};

export interface AuditFilters {
  user: string;
  patient: string;
  study: string;
  /** '' or a six-digit event id. */
  event: string;
  /** '' or '0' | '4' | '8' | '12'. */
  outcome: string;
  /** <input type="datetime-local"> values ('YYYY-MM-DDTHH:MM'), '' for open. */
  from: string;
  to: string;
}

export const NO_FILTERS: AuditFilters = { user: '', patient: '', study: '', event: '', outcome: '', from: '', to: '' };

/** Free text as main accepts it: no control characters, 128 at most. */
function text(s: string): string | undefined {
  const t = [...s].filter((c) => c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) !== 0x7f).join('').trim().slice(0, 128);
  return t === '' ? undefined : t;
}

/** Milliseconds of a datetime-local value in local time; NaN when it is not one. */
function localMs(v: string): number {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(v) ? new Date(v).getTime() : NaN;
}

export function auditQueryOf(f: AuditFilters, limit: number, offset: number): AuditQuery | { invalid: string } {
  const from = f.from ? localMs(f.from) : undefined;
  // Main reads [from, to): "to 14:05" sends 14:06:00.000, so everything in that minute is included.
  const to = f.to ? localMs(f.to) + 60_000 : undefined;
  if (Number.isNaN(from) || Number.isNaN(to)) return { invalid: 'Enter the times as date and time.' };
  if (from !== undefined && to !== undefined && from >= to) return { invalid: 'The start time is after the end time.' };
  const outcome = f.outcome === '' ? undefined : Number(f.outcome);
  const q: AuditQuery = { limit, offset };
  const user = text(f.user);
  const patient = text(f.patient);
  const study = text(f.study);
  if (user) q.user = user;
  if (patient) q.patient = patient;
  if (study) q.study = study;
  if (/^\d{6}$/.test(f.event)) q.event = f.event;
  if (outcome === 0 || outcome === 4 || outcome === 8 || outcome === 12) q.outcome = outcome;
  if (from !== undefined) q.from = Math.max(0, from);
  if (to !== undefined) q.to = Math.max(0, to);
  return q;
}

export interface AuditRow {
  seq: number;
  time: string;
  event: string;
  outcome: string;
  failed: boolean;
  user: string;
  patient: string;
  study: string;
  detail: string;
}

const TYPE_MEANING = new Map<string, string>(Object.values(AUDIT_EVENT_TYPES).map((t) => [t.code, t.meaning]));

function unique(values: (string | undefined)[]): string {
  return [...new Set(values.filter((v): v is string => !!v))].join(', ');
}

export function auditRowOf(e: AuditEntryView): AuditRow {
  const type = e.eventType ? TYPE_MEANING.get(e.eventType) ?? e.eventType : null;
  // One mention per patient: its name where a patient object carries it, else the ID the study or series names.
  const patients = new Map<string, string>();
  for (const o of e.objects.filter((x) => x.type === 'patient')) {
    const pid = o.patientId ?? o.id;
    patients.set(pid, o.name ? `${pid} (${formatName(o.name)})` : pid);
  }
  for (const o of e.objects) if (o.patientId && !patients.has(o.patientId)) patients.set(o.patientId, o.patientId);
  return {
    seq: e.seq,
    time: formatTimestamp(e.time),
    event: type ? `${e.eventName}: ${type}` : e.eventName,
    outcome: OUTCOME_LABELS[e.outcome] ?? String(e.outcome),
    failed: e.outcome !== 0,
    user: e.userName && e.userName !== e.userId ? `${e.userName} (${e.userId})` : e.userId,
    patient: [...patients.values()].join(', '),
    study: unique(e.objects.filter((o) => o.type === 'study').map((o) => o.uid ?? o.id)),
    detail: Object.entries(e.detail).map(([k, v]) => `${k}: ${String(v)}`).join('; '),
  };
}

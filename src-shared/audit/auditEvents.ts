// DICOM PS3.15 Annex A.5 audit vocabulary (the ATNA event ids and outcomes), as plain data so the
// audit service, the CLI and a later review UI all speak the same codes. Pure: no node, no storage.

/** DCM event ids (PS3.15 A.5.1, CID 400 "Audit Event ID"). */
export const AUDIT_EVENT_IDS = {
  applicationActivity: { code: '110100', meaning: 'Application Activity' },
  auditLogUsed: { code: '110101', meaning: 'Audit Log Used' },
  instancesAccessed: { code: '110103', meaning: 'DICOM Instances Accessed' },
  instancesTransferred: { code: '110104', meaning: 'DICOM Instances Transferred' },
  studyDeleted: { code: '110105', meaning: 'DICOM Study Deleted' },
  export: { code: '110106', meaning: 'Export' },
  import: { code: '110107', meaning: 'Import' },
  query: { code: '110112', meaning: 'Query' },
  securityAlert: { code: '110113', meaning: 'Security Alert' },
  userAuthentication: { code: '110114', meaning: 'User Authentication' },
} as const;

export type AuditEventKind = keyof typeof AUDIT_EVENT_IDS;
export type AuditEventCode = (typeof AUDIT_EVENT_IDS)[AuditEventKind]['code'];

/** Event type codes (CID 401 "Audit Event Type Code") used so far. */
export const AUDIT_EVENT_TYPES = {
  applicationStart: { code: '110120', meaning: 'Application Start' },
  applicationStop: { code: '110121', meaning: 'Application Stop' },
  login: { code: '110122', meaning: 'Login' },
  logout: { code: '110123', meaning: 'Logout' },
  securityConfiguration: { code: '110129', meaning: 'Security Configuration' },
  useOfRestrictedFunction: { code: '110132', meaning: 'Use of Restricted Function' },
} as const;

export type AuditEventTypeKind = keyof typeof AUDIT_EVENT_TYPES;

/** EventActionCode (RFC 3881 / PS3.15 A.5.1): Create, Read, Update, Delete, Execute. */
export type AuditAction = 'C' | 'R' | 'U' | 'D' | 'E';

/** EventOutcomeIndicator: 0 success, 4 minor failure, 8 serious failure, 12 major failure. */
export const AUDIT_OUTCOMES = { success: 0, minorFailure: 4, seriousFailure: 8, majorFailure: 12 } as const;
export type AuditOutcome = keyof typeof AUDIT_OUTCOMES;

/** What an audited object is. Objects are always named by opaque ids, never by UIDs or names. */
export type AuditObjectType = 'patient' | 'study' | 'series' | 'instance' | 'importJob' | 'store' | 'user';

export interface AuditObject {
  type: AuditObjectType;
  /** An opaque id (keyed hash or random), never a DICOM UID, name or path. */
  id: string;
}

/** Free detail: short machine words and counts only (no text typed by or about a person). */
export type AuditDetail = Record<string, string | number | boolean>;

export interface AuditEventInput {
  kind: AuditEventKind;
  action: AuditAction;
  outcome: AuditOutcome;
  eventType?: AuditEventTypeKind;
  /** Who: 'local' until user accounts exist. */
  user?: string;
  objects?: AuditObject[];
  detail?: AuditDetail;
}

export interface AuditRecord {
  seq: number;
  /** ISO 8601 UTC. */
  time: string;
  eventId: AuditEventCode;
  eventType: string | null;
  action: AuditAction;
  outcome: number;
  user: string;
  objects: AuditObject[];
  detail: AuditDetail;
}

/** The default action per event id (PS3.15 A.5.3), so callers rarely have to think about it. */
export const DEFAULT_ACTIONS: Record<AuditEventKind, AuditAction> = {
  applicationActivity: 'E',
  auditLogUsed: 'R',
  instancesAccessed: 'R',
  instancesTransferred: 'R',
  studyDeleted: 'D',
  export: 'R',
  import: 'C',
  query: 'E',
  securityAlert: 'E',
  userAuthentication: 'E',
};

// Opaque ids are lowercase letters, digits, '-' and '_' (no dots: a UID would need them).
const OPAQUE_ID = /^[a-z0-9_-]{4,80}$/;
const DETAIL_KEY = /^[A-Za-z][A-Za-z0-9_]{0,40}$/;
const DETAIL_STRING = /^[A-Za-z0-9_:-]{0,64}$/;

/** Why an event would be refused, or null. Keeps UIDs, names and paths out of the audit trail by shape. */
export function auditEventProblem(e: AuditEventInput): string | null {
  if (!(e.kind in AUDIT_EVENT_IDS)) return 'unknown event kind';
  if (e.eventType !== undefined && !(e.eventType in AUDIT_EVENT_TYPES)) return 'unknown event type';
  if (!['C', 'R', 'U', 'D', 'E'].includes(e.action)) return 'bad action';
  if (!(e.outcome in AUDIT_OUTCOMES)) return 'bad outcome';
  if (e.user !== undefined && !OPAQUE_ID.test(e.user)) return 'user must be an opaque id';
  for (const o of e.objects ?? []) {
    if (!OPAQUE_ID.test(o.id)) return 'object ids must be opaque ids';
  }
  for (const [k, v] of Object.entries(e.detail ?? {})) {
    if (!DETAIL_KEY.test(k)) return 'bad detail key';
    if (typeof v === 'string' && !DETAIL_STRING.test(v)) return 'detail strings must be short machine words';
    if (typeof v === 'number' && !Number.isFinite(v)) return 'detail numbers must be finite';
  }
  return null;
}

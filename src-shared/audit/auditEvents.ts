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

/** Event type codes: CID 401 (Application Activity, User Authentication) and CID 403 "Security Alert Type". */
export const AUDIT_EVENT_TYPES = {
  applicationStart: { code: '110120', meaning: 'Application Start' },
  applicationStop: { code: '110121', meaning: 'Application Stop' },
  login: { code: '110122', meaning: 'Login' },
  logout: { code: '110123', meaning: 'Logout' },
  nodeAuthentication: { code: '110126', meaning: 'Node Authentication' },
  emergencyOverrideStarted: { code: '110127', meaning: 'Emergency Override Started' },
  networkConfiguration: { code: '110128', meaning: 'Network Configuration' },
  securityConfiguration: { code: '110129', meaning: 'Security Configuration' },
  softwareConfiguration: { code: '110131', meaning: 'Software Configuration' },
  useOfRestrictedFunction: { code: '110132', meaning: 'Use of Restricted Function' },
  auditRecordingStopped: { code: '110133', meaning: 'Audit Recording Stopped' },
  auditRecordingStarted: { code: '110134', meaning: 'Audit Recording Started' },
  objectSecurityAttributesChanged: { code: '110135', meaning: 'Object Security Attributes Changed' },
  securityRolesChanged: { code: '110136', meaning: 'Security Roles Changed' },
  userSecurityAttributesChanged: { code: '110137', meaning: 'User Security Attributes Changed' },
  emergencyOverrideStopped: { code: '110138', meaning: 'Emergency Override Stopped' },
} as const;

export type AuditEventTypeKind = keyof typeof AUDIT_EVENT_TYPES;

/** EventActionCode (RFC 3881 / PS3.15 A.5.1): Create, Read, Update, Delete, Execute. */
export type AuditAction = 'C' | 'R' | 'U' | 'D' | 'E';

/** EventOutcomeIndicator: 0 success, 4 minor failure, 8 serious failure, 12 major failure. */
export const AUDIT_OUTCOMES = { success: 0, minorFailure: 4, seriousFailure: 8, majorFailure: 12 } as const;
export type AuditOutcome = keyof typeof AUDIT_OUTCOMES;

/** What an audited object is. Objects are always named by opaque ids, never by UIDs or names. */
export type AuditObjectType = 'patient' | 'study' | 'series' | 'instance' | 'importJob' | 'store' | 'user' | 'auditLog' | 'query';

export interface AuditObject {
  type: AuditObjectType;
  /** An opaque id (keyed hash or random), never a DICOM UID, name or path. */
  id: string;
}

/** Free detail: short machine words and counts only (no text typed by or about a person, except STATED_REASON_KEY). */
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
  /** A Query event's query (PS3.15 A.5.3.12): kept only inside the encrypted trail, exported as ParticipantObjectQuery. */
  query?: AuditQuery;
}

export interface AuditQuery {
  /** The information model queried (e.g. Study Root FIND). */
  sopClassUid: string;
  /** The query itself, base64 (as ATNA carries it): it names a patient, so it never goes anywhere but the trail. */
  base64: string;
}

/** Who did it, as the ATNA ActiveParticipant names them (resolved by main; a user directory can plug in here). */
export interface AuditActor {
  userId: string;
  userName?: string;
  /** The person or process that asked for the action (UserIsRequestor). */
  requestor: boolean;
  /** 'person' for a human user, 'application' for Enclave acting by itself. */
  kind: 'person' | 'application';
}

/**
 * An audited object with the identifiers an auditor needs, resolved by main from the encrypted store when the
 * event is recorded (callers only ever pass opaque ids). Present only inside the encrypted trail and its exports.
 */
export interface AuditObjectRecord extends AuditObject {
  /** Study/Series/SOP Instance UID, or the DICOM Patient ID for a patient. */
  uid?: string;
  /** Patient's name for a patient object (ParticipantObjectName). */
  name?: string;
  /** The patient a study belongs to (so a study-only event still answers "which patient"). */
  patientId?: string;
  patientName?: string;
  /** SOP classes and instance counts of what was touched (ParticipantObjectDescription). */
  sopClasses?: { uid: string; instances: number }[];
  accession?: string;
  /** For a 'query' object: the query, base64 (ParticipantObjectQuery). */
  query?: string;
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
  /** The active participant; legacy rows (before migration 0050) carry only `user`. */
  actor: AuditActor;
  objects: AuditObjectRecord[];
  detail: AuditDetail;
  /** Lowercase hex SHA-256 of this entry's canonical content and the previous entry's hash. */
  hash: string;
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
// Details are machine words: dots allowed (the export service's 'export.dicomMedia', 'PS3.15-E.1-basic'), spaces
// and free text not. Identifiers belong in objects, resolved by main inside the encryption.
const DETAIL_KEY = /^[A-Za-z][A-Za-z0-9_.]{0,40}$/;
const DETAIL_STRING = /^[A-Za-z0-9_.:-]{0,64}$/;
/**
 * The one detail a person types: the reason given for emergency (break-glass) access. It is what the auditor must
 * read, so it is kept as typed, inside the encrypted trail, bounded in length and free of control characters.
 */
export const STATED_REASON_KEY = 'statedReason';
export const STATED_REASON_MAX = 500;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f]/;

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
  if (e.query !== undefined) {
    if (!/^[0-9]+(\.[0-9]+){1,40}$/.test(e.query.sopClassUid) || e.query.sopClassUid.length > 64) return 'query needs a SOP class UID';
    if (!/^[A-Za-z0-9+/]{0,16384}={0,2}$/.test(e.query.base64) || e.query.base64.length % 4 !== 0) return 'query must be base64 (at most 12 KiB)';
  }
  for (const [k, v] of Object.entries(e.detail ?? {})) {
    if (!DETAIL_KEY.test(k)) return 'bad detail key';
    if (k === STATED_REASON_KEY) {
      if (typeof v !== 'string' || v.length > STATED_REASON_MAX || CONTROL.test(v)) return 'a stated reason is text of at most 500 characters';
      continue;
    }
    if (typeof v === 'string' && !DETAIL_STRING.test(v)) return 'detail strings must be short machine words';
    if (typeof v === 'number' && !Number.isFinite(v)) return 'detail numbers must be finite';
  }
  return null;
}

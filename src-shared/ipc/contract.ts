// The one contract between the untrusted renderer and main (DESIGN.md section 2).
// Requests are validated with zod in main; responses are typed only (main is trusted).
import { dicomUid, pacsQuerySchema, type PacsSeries, type PacsStudy } from '../pacs/pacsQuery';
import { z } from 'zod';
import type { ErrorInfo } from '../errors';
import type { VolumeWarning } from '../dicom/types';
import type { SettingsStatus } from './settingsStatus';
import { exportRequestSchemas, type ExportEvents, type ExportResponses } from './exportContract';
import { ROLES, type Permission, type Role } from '../auth/permissions';

const id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);
const empty = z.object({}).strict();

export interface AppInfo {
  name: string;
  version: string;
  storeKind: 'memory' | 'encrypted';
}

/** The encrypted study cache as the UI must present it. */
export type StoreStatus =
  | { state: 'uninitialized' }
  | { state: 'locked'; error: ErrorInfo }
  | { state: 'error'; error: ErrorInfo }
  | { state: 'open' };

export interface StudyListItem {
  studyId: string;
  /** 'quickview': held in memory only for this session, never written to disk. */
  source: 'cache' | 'quickview';
  /** An administrator restricted this study to named users or roles (shown only to those allowed). */
  restricted?: boolean;
  patientName: string;
  patientId: string;
  patientBirthDate: string;
  studyDate: string;
  studyDescription: string;
  modalities: string[];
  seriesCount: number;
  instanceCount: number;
}

/** One row of the study browser: a study with what groups it under its patient. */
export interface StudySearchItem extends StudyListItem {
  /** Opaque; equal for the studies of one patient (same Patient ID, name and birth date) in one source. */
  patientKey: string;
  accessionNumber: string;
  studyTime: string;
}

export interface StudySearchResult {
  /** Quick-view studies first (they are what the user just opened), then the cache's, each in the requested order. */
  studies: StudySearchItem[];
  /** Matches in all sources, for paging. */
  total: number;
}

export const STUDY_SEARCH_MAX_LIMIT = 500;

export interface SeriesListItem {
  seriesId: string;
  seriesNumber: number | null;
  seriesDescription: string;
  modality: string;
  instanceCount: number;
}

export interface ImportSummary {
  jobId: string;
  filesSeen: number;
  added: number;
  duplicates: number;
  conflicts: number;
  skipped: { reason: string; count: number }[];
  studies: number;
  cancelled: boolean;
  /** Files a DICOMDIR references that are not on the media (an incomplete CD). */
  missing?: { dicomdir: string; fileId: string }[];
}

/** How slice pixels travel: stored values in their native type, little-endian; 'rgb8' is interleaved RGB bytes. */
export type PixelType = 'uint8' | 'int8' | 'uint16' | 'int16' | 'float32' | 'rgb8';

/** Stored value -> modality value (HU for CT). 'float32' series carry modality values already (identity). */
export type ModalityLutInfo =
  | { kind: 'linear'; slope: number; intercept: number }
  /** values[i] is the modality value of stored value firstMapped + i; values outside clamp to the ends. */
  | { kind: 'table'; firstMapped: number; values: number[] };

export type VoiFunctionName = 'LINEAR' | 'LINEAR_EXACT' | 'SIGMOID';

/** A window from the file (or a preset): modality values in, display grey out. */
export interface VoiWindowInfo {
  center: number;
  width: number;
  function: VoiFunctionName;
  /** Window Center & Width Explanation, or a name we give it ('Default', 'Lung', ...). */
  explanation: string;
}

/** A VOI LUT Sequence item: modality value firstMapped + i -> values[i] (0 .. 2^bits - 1). */
export interface VoiLutInfo {
  firstMapped: number;
  values: number[];
  bits: number;
  explanation: string;
}

/** Everything between a stored value and a grey level on screen (PS3.3 C.11): modality LUT, VOI, presentation. */
export interface DisplayInfo {
  pixelType: PixelType;
  /** Samples per pixel on the wire: 1, or 3 for 'rgb8'. */
  components: 1 | 3;
  /** The file's Photometric Interpretation (colour is converted to RGB in main). */
  photometric: string;
  modalityLut: ModalityLutInfo;
  /** The file's windows, in file order (empty when it has none). */
  windows: VoiWindowInfo[];
  voiLuts: VoiLutInfo[];
  /** MONOCHROME1, or Presentation LUT Shape INVERSE: low values show white. */
  inverted: boolean;
  /** The window shown at open: the file's first, else computed from the image (robust percentiles). */
  defaultWindow: VoiWindowInfo;
  /** Range of modality values in the series, for window/level drag sensitivity. */
  valueRange: [number, number];
}

/**
 * What one image pixel measures (PS3.3 section 10.7). Cross-sectional images: Pixel Spacing in patient mm.
 * Projection images: 'mm (detector)' when only Imager Pixel Spacing is known (never patient mm),
 * 'mm (ERMF)' when corrected by the Estimated Radiographic Magnification Factor, 'mm' when calibrated
 * (Pixel Spacing with a calibration type, or Pixel Spacing of a cross-sectional image); ultrasound regions
 * in their own physical units; 'px' when nothing is known.
 */
export interface Calibration {
  unit: 'mm' | 'mm (detector)' | 'mm (ERMF)' | 'px';
  /** [row spacing (between rows), column spacing (between columns)] in the unit; [1, 1] for 'px'. */
  spacing: [number, number];
  /** Sequence of Ultrasound Regions: measurements inside a region use its physical units. */
  regions: UltrasoundRegion[];
}

export interface UltrasoundRegion {
  /** Pixel bounds, inclusive: x0, y0, x1, y1 (columns, rows). */
  bounds: [number, number, number, number];
  /** Physical units of x and y (PS3.3 C.8.5.5.1.15), e.g. 'cm', 's', 'cm/s'. */
  unitsX: string;
  unitsY: string;
  /** Physical delta per pixel in those units. */
  deltaX: number;
  deltaY: number;
}

/** One slice of a series as the viewer shows it. */
export interface FrameView {
  /** The store's id of the instance (for the tag browser and annotations). */
  instanceId: string;
  sopInstanceUid: string;
  /** Frame within the instance (0 for single-frame instances). */
  frameIndex: number;
  instanceNumber: number | null;
  /** Projection images: Patient Orientation (0020,0020), row then column direction, e.g. ['A', 'F']; else null. */
  patientOrientation: [string, string] | null;
}

/** What the renderer needs to show a series: geometry, display and where to fetch each slice's pixels. */
export interface SeriesView {
  seriesId: string;
  studyId: string;
  modality: string;
  seriesDescription: string;
  frameOfReferenceUid: string;
  /**
   * 'volume': slices of one regular grid in patient space (CT, MR, PT stacks): positions, MPR, sync by position.
   * 'images': 2D images (CR, DX, MG, IO, XA, RF, US, SC, single images, cine loops): no slice-position arithmetic.
   */
  kind: 'volume' | 'images';
  /** [columns, rows, slices] */
  dimensions: [number, number, number];
  /** [column spacing, row spacing, slice spacing] mm ('images': the calibration's, slice spacing 1) */
  spacing: [number, number, number];
  origin: [number, number, number];
  direction: [number, number, number, number, number, number, number, number, number];
  /** One per slice, in display order. */
  frames: FrameView[];
  units: string;
  display: DisplayInfo;
  calibration: Calibration;
  /** Multi-frame loops: time between frames (Frame Time, Cine Rate, or the Frame Time Vector's mean); null otherwise. */
  cine: { frameTimeMs: number } | null;
  warnings: VolumeWarning[];
  /**
   * Relative URL. Slice k is at `${pixelPath}/${k}`, slices a..b (inclusive, at most 64) at `${pixelPath}/${a}-${b}`,
   * each as `display.pixelType` little-endian values, slices concatenated.
   */
  pixelPath: string;
}

/** One attribute as the tag browser shows it. */
export interface TagNode {
  /** "GGGG,EEEE", upper-case hex. */
  tag: string;
  /** Public dictionary name; private data elements: their creator's dictionary entry, else 'Private tag'; 'Private Creator'. */
  name: string;
  /** From the file, or the dictionary for implicit VR; '' when unknown. */
  vr: string;
  /** Value length in bytes. */
  length: number;
  /**
   * Text decoded per the Specific Character Set, numbers joined with a backslash, binary values as their size
   * (and first bytes), Pixel Data as its size only, sequences as their item count. Ends with '…' when cut.
   */
  value: string;
  /** The value was cut: longer than the limit per value, or the response's budget ran out. */
  valueTruncated?: true;
  /** Private data elements: the creator string of their block. */
  creator?: string;
  /** Sequence items, each a list of nodes. */
  items?: TagNode[][];
}

/** Every attribute of one stored instance (file meta included), capped so that no file makes a giant response. */
export interface InstanceTags {
  sopInstanceUid: string;
  transferSyntaxUid: string;
  /** (0008,0005) as written; '' when absent (default repertoire). */
  specificCharacterSet: string;
  elements: TagNode[];
  /** True when elements or items were left out, or values emptied, to keep the response bounded. */
  truncated: boolean;
  /** Number of Frames (1 for single-frame instances). */
  frameCount: number;
  /** Enhanced multi-frame: the Per-frame Functional Groups Sequence item of the requested frame; null otherwise. */
  frameGroups: { tag: '5200,9230'; itemIndex: number } | null;
}

export interface ImportProgress {
  jobId: string;
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  bytesTotal: number;
  bytesPerSecond: number;
  etaSeconds: number | null;
  done: boolean;
}


/** Account, session and emergency-access state as the renderer sees it (issue 11). */
export interface AuthUser {
  userId: string;
  username: string;
  displayName: string;
  role: Role;
  mfaEnrolled: boolean;
}

export interface AuthStatus {
  /**
   * setup: no administrator yet (first run, or a cache made before accounts): show first-run setup.
   * login: nobody logged in. locked: a session exists but is locked (idle or by hand): its user must unlock it.
   * active: logged in and unlocked. unavailable: the cache cannot be opened here (see store:status).
   */
  state: 'setup' | 'login' | 'locked' | 'active' | 'unavailable';
  user: AuthUser | null;
  /** What main will allow now (role + break-glass); empty unless active. */
  permissions: Permission[];
  /** Emergency access in force: ends at `until` (ms since epoch). */
  breakGlass: { until: number; startedAt: number } | null;
  /** Roles that must give a TOTP code at login (policy). */
  mfaRequired: boolean;
  idleLockMinutes: number;
  /** Absolute end of this login (ms since epoch); null when nobody is logged in. */
  sessionEndsAt: number | null;
  /** Why the last session ended or locked, for the lock screen: 'idle' | 'lifetime' | 'manual' | 'logout'. */
  reason?: 'idle' | 'lifetime' | 'manual' | 'logout';
}

export interface UserSummary {
  userId: string;
  username: string;
  displayName: string;
  role: Role;
  mfaEnrolled: boolean;
  disabled: boolean;
  /** Locked after failed logins until this time (ms since epoch), or until an administrator unlocks (Infinity → null + lockedByFailures). */
  lockedUntil: number | null;
  failedLogins: number;
  createdAt: number;
}

export interface MfaEnrolment {
  /** Base32 secret, shown for manual entry. */
  secret: string;
  otpauthUri: string;
  /** The QR code as an SVG document drawn locally (no network). */
  qrSvg: string;
}

export interface StudyRestriction {
  studyId: string;
  users: string[];
  roles: Role[];
}

/** One audit entry as the review screen shows it; identifiers are real (the auditor needs them). */
export interface AuditEntryView {
  seq: number;
  time: number;
  eventId: string;
  eventName: string;
  eventType: string | null;
  action: string;
  outcome: number;
  userId: string;
  userName: string;
  objects: { type: string; id: string; name?: string; patientId?: string; uid?: string }[];
  detail: Record<string, string | number | boolean>;
}

export interface AuditQueryResult {
  entries: AuditEntryView[];
  total: number;
}

export interface AdminAlert {
  seq: number;
  time: number;
  kind: 'lockout' | 'breakGlass' | 'restrictedAttempt' | 'bulkExport' | 'auditBroken';
  userId: string;
  summary: string;
}

const finite = z.number().finite();

/**
 * One measurement or annotation, as the reading room keeps it. Points are patient coordinates (mm, LPS) in the
 * Frame of Reference `frameOfReferenceUid`; on projection images (no patient space) they are image-relative
 * (column, row, 0) on `sopInstanceUid`/`frameIndex`. The renderer owns the meaning; main stores and returns it.
 */
export const annotationSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  // 'redaction': a rectangle to blank before export; its points are image pixel edges (column, row, 0) of
  // `sopInstanceUid`, and it applies to every image of the series with that image's size (redaction.ts).
  kind: z.enum(['length', 'angle', 'cobb', 'ellipse', 'rectangle', 'probe', 'arrow', 'text', 'redaction']),
  seriesId: id,
  frameOfReferenceUid: z.string().max(64),
  sopInstanceUid: z.string().max(64),
  frameIndex: z.number().int().min(0).max(100000),
  points: z.array(z.tuple([finite, finite, finite])).min(1).max(8),
  text: z.string().max(1000).optional(),
}).strict();
export type AnnotationRecord = z.infer<typeof annotationSchema>;
// Free text typed by a user: bounded, no control characters (they can match nothing in a DICOM string anyway).
const searchText = z
  .string()
  .max(128)
  .refine((s) => ![...s].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f), 'control characters are not allowed');
// DICOM DA, a real month and day; compared as text, so 'YYYYMMDD' order is date order.
const dicomDate = z.string().regex(/^\d{4}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])$/);

/**
 * The study browser's query. Every field given must match (AND). Text matching is case-insensitive:
 * - text: patient name prefix (DICOM '^', '=' and ',' read as spaces, so 'smith john' and 'Smith, J' find SMITH^JOHN),
 *   or Patient ID prefix, or accession number prefix, or a substring of the study description;
 * - patientName, patientId, accession: prefixes; description: substring; modality: one of the study's modalities;
 * - dateFrom/dateTo: inclusive; a study without a date matches no range.
 */
export const studySearchSchema = z
  .object({
    text: searchText.optional(),
    patientName: searchText.optional(),
    patientId: searchText.optional(),
    accession: searchText.optional(),
    description: searchText.optional(),
    // Code String: upper-case letters, digits, space and underscore, 16 at most.
    modality: z.string().regex(/^[A-Z0-9_ ]{1,16}$/).optional(),
    dateFrom: dicomDate.optional(),
    dateTo: dicomDate.optional(),
    sort: z.object({ by: z.enum(['date', 'name', 'patientId']), direction: z.enum(['asc', 'desc']) }).strict().optional(),
    limit: z.number().int().min(1).max(STUDY_SEARCH_MAX_LIMIT),
    offset: z.number().int().min(0).max(100_000_000),
  })
  .strict()
  .refine((q) => q.dateFrom === undefined || q.dateTo === undefined || q.dateFrom <= q.dateTo, { message: 'dateFrom is after dateTo', path: ['dateFrom'] });

export type StudySearch = z.infer<typeof studySearchSchema>;


const username = z.string().regex(/^[A-Za-z0-9._@-]{1,64}$/, 'a user name is 1 to 64 letters, digits, dots, dashes, underscores or @');
// ASVS 2.1: at least 12 characters, at most 128, never truncated; any characters (spaces and emoji too).
const password = z.string().min(12, 'at least 12 characters').max(128, 'at most 128 characters');
const totpCode = z.string().regex(/^\d{6}$/);
const recoveryCode = z.string().regex(/^[A-Za-z0-9-]{8,32}$/);
const displayName = searchText.pipe(z.string().max(128));
const roleSchema = z.enum(ROLES);
const auditQuerySchema = z
  .object({
    user: searchText.optional(),
    patient: searchText.optional(),
    study: searchText.optional(),
    event: z.string().regex(/^\d{6}$/).optional(),
    outcome: z.union([z.literal(0), z.literal(4), z.literal(8), z.literal(12)]).optional(),
    from: z.number().int().min(0).optional(),
    to: z.number().int().min(0).optional(),
    limit: z.number().int().min(1).max(500),
    offset: z.number().int().min(0).max(100_000_000),
  })
  .strict();
export type AuditQuery = z.infer<typeof auditQuerySchema>;

export const requestSchemas = {
  'app:info': empty,
  'store:status': empty,
  'store:init': empty,
  'store:unlock': z.object({ recoveryKey: z.string().min(16).max(200) }).strict(),
  'quickview:chooseFolder': empty,
  // Paths of files and folders dropped on the window. Preload-only: the page cannot name paths, it hands
  // the preload File objects from a real drop and the preload resolves them with webUtils.getPathForFile.
  'import:paths': z.object({ paths: z.array(z.string().min(1).max(4096)).min(1).max(10_000) }).strict(),
  'quickview:close': empty,
  'studies:list': empty,
  'studies:search': studySearchSchema,
  'import:chooseFolder': empty,
  'import:cancel': z.object({ jobId: id }).strict(),
  'studies:purge': z.object({ studyId: id }).strict(),
  // The literal word guards against a stray click or a confused caller wiping the cache.
  'studies:purgeAll': z.object({ confirm: z.literal('DELETE ALL') }).strict(),
  'series:list': z.object({ studyId: id }).strict(),
  'series:open': z.object({ seriesId: id }).strict(),
  'annotations:list': z.object({ seriesId: id }).strict(),
  // Replaces the series' whole set: the renderer holds the state and saves all of it after each change.
  'annotations:save': z.object({ seriesId: id, annotations: z.array(annotationSchema).max(2000) }).strict(),
  // Instance ids come from SeriesView.frames[k].instanceId.
  'instance:tags': z.object({ instanceId: id, frameIndex: z.number().int().min(0).max(1_000_000).optional() }).strict(),
  'settings:status': empty,
  ...exportRequestSchemas,
  'auth:status': empty,
  // First run: creates the cache (if none) and its first administrator; the recovery key is returned once.
  'auth:setup': z.object({ username, displayName, password }).strict(),
  'auth:login': z.object({ username, password, totp: totpCode.optional(), recoveryCode: recoveryCode.optional() }).strict(),
  'auth:logout': empty,
  'auth:lock': empty,
  'auth:unlock': z.object({ password, totp: totpCode.optional(), recoveryCode: recoveryCode.optional() }).strict(),
  // The renderer reports user input (throttled); main alone decides when the session locks.
  'auth:activity': empty,
  'auth:changePassword': z.object({ currentPassword: password, newPassword: password }).strict(),
  'mfa:begin': empty,
  'mfa:confirm': z.object({ code: totpCode }).strict(),
  'users:list': empty,
  'users:create': z.object({ username, displayName, role: roleSchema, password }).strict(),
  'users:update': z.object({ userId: id, displayName: displayName.optional(), role: roleSchema.optional(), disabled: z.boolean().optional() }).strict(),
  'users:remove': z.object({ userId: id }).strict(),
  'users:unlock': z.object({ userId: id }).strict(),
  'users:resetPassword': z.object({ userId: id, password }).strict(),
  'users:resetMfa': z.object({ userId: id }).strict(),
  'breakglass:start': z.object({ reason: z.string().min(10).max(500).refine((s) => ![...s].some((c) => c.charCodeAt(0) < 0x20 && c !== '\n'), 'control characters are not allowed') }).strict(),
  'breakglass:stop': empty,
  'studies:restriction': z.object({ studyId: id }).strict(),
  // users and roles both empty = no restriction.
  'studies:restrict': z.object({ studyId: id, users: z.array(id).max(200), roles: z.array(roleSchema).max(ROLES.length) }).strict(),
  'audit:query': auditQuerySchema,
  'audit:verify': empty,
  'audit:alerts': z.object({ limit: z.number().int().min(1).max(500) }).strict(),
  // PACS query/retrieve (only answers when policy lists nodes): the node by its policy name, never an address.
  'pacs:status': empty,
  'pacs:find': z.object({ node: z.string().min(1).max(64), query: pacsQuerySchema, protocol: z.enum(['dicomweb', 'dimse']).optional() }).strict(),
  'pacs:series': z.object({ node: z.string().min(1).max(64), studyUid: dicomUid, protocol: z.enum(['dicomweb', 'dimse']).optional() }).strict(),
  'pacs:retrieve': z
    .object({
      node: z.string().min(1).max(64),
      studyUid: dicomUid,
      seriesUid: dicomUid.optional(),
      protocol: z.enum(['dicomweb', 'dimse']).optional(),
      /** DIMSE only: C-GET (default) or C-MOVE, which main allows only for a node whose policy has a moveListener. */
      method: z.enum(['get', 'move']).optional(),
    })
    .strict(),
  'pacs:cancel': z.object({ jobId: id }).strict(),
} as const;

/** The PACS side as the query panel sees it: absent (enabled false, no nodes) unless policy lists nodes. */
export interface PacsStatus {
  enabled: boolean;
  /** `move`: policy gives the node a C-MOVE listener, so a DIMSE retrieve may use C-MOVE instead of C-GET. */
  nodes: { name: string; dicomweb: boolean; dimse: boolean; move: boolean }[];
}

export interface PacsRetrieveResult {
  jobId: string;
  series: number;
  seriesSkipped: number;
  added: number;
  duplicates: number;
  conflicts: number;
  skipped: number;
  bytes: number;
  cancelled: boolean;
  seconds: number;
}

export interface PacsProgress {
  jobId: string;
  seriesDone: number;
  seriesTotal: number;
  /** Instances stored in the current series so far. */
  filesDone: number;
  bytesDone: number;
  done: boolean;
}

export interface Responses extends ExportResponses {
  'app:info': AppInfo;
  'store:status': StoreStatus;
  /** The recovery key is returned exactly once, at creation; Enclave keeps no copy. */
  'store:init': { recoveryKey: string; keychain: boolean };
  'store:unlock': StoreStatus;
  'quickview:chooseFolder': ImportSummary | null;
  'import:paths': ImportSummary;
  'quickview:close': { closed: boolean };
  'studies:list': StudyListItem[];
  'studies:search': StudySearchResult;
  /** null when the user cancelled the dialog. */
  'import:chooseFolder': ImportSummary | null;
  'import:cancel': { cancelled: boolean };
  'studies:purge': { purged: true };
  'studies:purgeAll': { studies: number };
  'series:list': SeriesListItem[];
  'series:open': SeriesView;
  'annotations:list': AnnotationRecord[];
  'annotations:save': { saved: number };
  'instance:tags': InstanceTags;
  /** The machine policy (what IT locked) and the network state, for the settings screen. */
  'settings:status': SettingsStatus;
  'auth:status': AuthStatus;
  /** recoveryKey only when this call created the cache; a cache that already existed keeps its key. */
  'auth:setup': { status: AuthStatus; recoveryKey: string | null; keychain: boolean };
  'auth:login': AuthStatus;
  'auth:logout': AuthStatus;
  'auth:lock': AuthStatus;
  'auth:unlock': AuthStatus;
  'auth:activity': { idleLockAt: number | null };
  'auth:changePassword': { changed: true };
  'mfa:begin': MfaEnrolment;
  /** Single-use recovery codes, shown once; Enclave keeps only their hashes. */
  'mfa:confirm': { recoveryCodes: string[] };
  'users:list': UserSummary[];
  'users:create': UserSummary;
  'users:update': UserSummary;
  'users:remove': { removed: true };
  'users:unlock': UserSummary;
  'users:resetPassword': UserSummary;
  'users:resetMfa': UserSummary;
  'breakglass:start': AuthStatus;
  'breakglass:stop': AuthStatus;
  'studies:restriction': StudyRestriction | null;
  'studies:restrict': StudyRestriction | null;
  'audit:query': AuditQueryResult;
  'audit:verify': { ok: boolean; entries: number; firstBad: { seq: number; code: string } | null };
  'audit:alerts': AdminAlert[];
  'pacs:status': PacsStatus;
  /** Studies on the node; `cached` says whether the local cache already holds the study (some of it, at least). */
  'pacs:find': (PacsStudy & { cached: boolean })[];
  'pacs:series': PacsSeries[];
  'pacs:retrieve': PacsRetrieveResult;
  'pacs:cancel': { cancelled: boolean };
}

export interface Events extends ExportEvents {
  'import:progress': ImportProgress;
  'studies:changed': Record<string, never>;
  /** The session changed on main's side (idle lock, lifetime end, break-glass expiry, logout). */
  'auth:changed': AuthStatus;
  'pacs:progress': PacsProgress;
}

export type Channel = keyof typeof requestSchemas;
export type EventName = keyof Events;
export type RequestOf<C extends Channel> = z.infer<(typeof requestSchemas)[C]>;
export type Envelope<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };

/** Channels the page may not invoke by name; only the preload's own functions call them. */
export const PRELOAD_ONLY_CHANNELS: readonly Channel[] = ['import:paths'];
export const EVENT_NAMES: EventName[] = ['import:progress', 'studies:changed', 'export:progress', 'auth:changed', 'pacs:progress'];

export function isPageChannel(name: unknown): name is Channel {
  return isChannel(name) && !PRELOAD_ONLY_CHANNELS.includes(name);
}

export function isChannel(name: unknown): name is Channel {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(requestSchemas, name);
}

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && (EVENT_NAMES as string[]).includes(name);
}

/** What the preload puts on window.enclave; the renderer's only door to main. */
export interface EnclaveBridge {
  invoke<C extends Channel>(channel: C, request: RequestOf<C>): Promise<Envelope<Responses[C]>>;
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void;
  /** Imports files and folders the user dropped on the window (File objects from the drop event). */
  importDropped(files: readonly unknown[]): Promise<Envelope<ImportSummary>>;
}

/** The single Electron IPC channel names the preload and platform agree on. */
export const IPC_INVOKE = 'enclave:invoke';
export const IPC_EVENT_PREFIX = 'enclave:event:';

// What every export needs from the rest of the app: a permission check (bound to roles by the accounts
// work) and an audit sink (the audit service). Both are plain callbacks so services stay testable.
import type { AuditEventInput } from '../../../src-shared/audit/auditEvents';
import type { Rect, SafePrivateAttribute } from '../../../src-shared/deid';
import type { RedactionRegions } from '../../../src-shared/deid/redactionRegions';
import type { CodecRegistry } from '../../../src-shared/dicom/codecs/codecTypes';
import type { DeidOptions } from '../../../src-shared/deid/profileTypes';

export type ExportPermission =
  | 'export.deidentifiedFolder'
  | 'export.dicomMedia'
  | 'export.image'
  | 'export.encryptedZip'
  /** Exporting files flagged for burned-in text without redacting them. */
  | 'export.burnedInOverride';

/** Throws AppError('PERMISSION_DENIED') when the user may not; may be async. */
export type PermissionCheck = (permission: ExportPermission, user: string) => void | Promise<void>;

/** Receives one event per export attempt, success or failure (shape of the audit service's input). */
export type AuditSink = (event: AuditEventInput) => void | Promise<void>;

export interface ExportDeps {
  checkPermission: PermissionCheck;
  audit: AuditSink;
  /** The user performing the export ('local' until accounts exist). */
  user: string;
  /** Per-installation de-identification secret (UID remapping and date offsets derive from it). */
  secret: Uint8Array;
  now?: () => Date;
  /** Pixel decoders for redaction (default: the WebAssembly codecs loaded once per process). */
  codecs?: () => Promise<CodecRegistry>;
}

/** An instance held elsewhere (the encrypted store): an opaque id and a way to read its bytes. */
export interface InstanceSource {
  id: string;
  read(): Uint8Array | Promise<Uint8Array>;
}

/** A file path, or an instance read through a callback. */
export type ExportInput = string | InstanceSource;

export function inputId(input: ExportInput): string {
  return typeof input === 'string' ? input : input.id;
}

export interface BurnedInPolicy {
  /** Rectangles to blank, per input (file path or InstanceSource id), in pixel coordinates. */
  redactions?: ReadonlyMap<string, readonly Rect[]>;
  /** Saved regions (per image size and device, or per SOP Instance UID), used for inputs without their own `redactions`. */
  regions?: RedactionRegions;
  /** Export flagged files unredacted: needs the 'export.burnedInOverride' permission and is audited. */
  override?: boolean;
}

export interface DeidExportOptions {
  options?: DeidOptions;
  safePrivate?: readonly SafePrivateAttribute[];
  burnedIn?: BurnedInPolicy;
}

export interface ExportedFile {
  /** The input's file path or InstanceSource id. */
  source: string;
  output: string;
  sopInstanceUid: string;
  burnedInFlagged: boolean;
  redacted: boolean;
  /** What redaction did to the pixel data, including a re-encoding of compressed (and lossy) originals. */
  redactionNote?: string;
  counts: Record<string, number>;
}

export interface ExportResult {
  files: ExportedFile[];
  outputPath: string;
}

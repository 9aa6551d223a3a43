// The one contract between the untrusted renderer and main (DESIGN.md section 2).
// Requests are validated with zod in main; responses are typed only (main is trusted).
import { z } from 'zod';
import type { ErrorInfo } from '../errors';
import type { VolumeWarning } from '../dicom/types';

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
  patientName: string;
  patientId: string;
  patientBirthDate: string;
  studyDate: string;
  studyDescription: string;
  modalities: string[];
  seriesCount: number;
  instanceCount: number;
}

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

/** What the renderer needs to show a series: geometry plus where to fetch each slice's pixels. */
export interface SeriesView {
  seriesId: string;
  modality: string;
  seriesDescription: string;
  /** [columns, rows, slices] */
  dimensions: [number, number, number];
  /** [column spacing, row spacing, slice spacing] mm */
  spacing: [number, number, number];
  origin: [number, number, number];
  direction: [number, number, number, number, number, number, number, number, number];
  /** InstanceNumber of each slice in display order (null where absent). */
  instanceNumbers: (number | null)[];
  units: string;
  defaultWindow: { center: number; width: number };
  /** Range of modality values in the series, for window/level drag sensitivity. */
  valueRange: [number, number];
  warnings: VolumeWarning[];
  /** Relative URL; slice k is at `${pixelPath}/${k}` as little-endian Float32 modality values. */
  pixelPath: string;
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
  'import:chooseFolder': empty,
  'import:cancel': z.object({ jobId: id }).strict(),
  'studies:purge': z.object({ studyId: id }).strict(),
  // The literal word guards against a stray click or a confused caller wiping the cache.
  'studies:purgeAll': z.object({ confirm: z.literal('DELETE ALL') }).strict(),
  'series:list': z.object({ studyId: id }).strict(),
  'series:open': z.object({ seriesId: id }).strict(),
} as const;

export interface Responses {
  'app:info': AppInfo;
  'store:status': StoreStatus;
  /** The recovery key is returned exactly once, at creation; Enclave keeps no copy. */
  'store:init': { recoveryKey: string; keychain: boolean };
  'store:unlock': StoreStatus;
  'quickview:chooseFolder': ImportSummary | null;
  'import:paths': ImportSummary;
  'quickview:close': { closed: boolean };
  'studies:list': StudyListItem[];
  /** null when the user cancelled the dialog. */
  'import:chooseFolder': ImportSummary | null;
  'import:cancel': { cancelled: boolean };
  'studies:purge': { purged: true };
  'studies:purgeAll': { studies: number };
  'series:list': SeriesListItem[];
  'series:open': SeriesView;
}

export interface Events {
  'import:progress': ImportProgress;
  'studies:changed': Record<string, never>;
}

export type Channel = keyof typeof requestSchemas;
export type EventName = keyof Events;
export type RequestOf<C extends Channel> = z.infer<(typeof requestSchemas)[C]>;
export type Envelope<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };

/** Channels the page may not invoke by name; only the preload's own functions call them. */
export const PRELOAD_ONLY_CHANNELS: readonly Channel[] = ['import:paths'];
export const EVENT_NAMES: EventName[] = ['import:progress', 'studies:changed'];

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

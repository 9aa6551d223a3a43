// Shapes shared by the import engine, its sinks, the worker protocol, the CLI and quick view.
import type { InstanceMeta } from '../../../src-shared/dicom/types';
import type { ImportProgress, ImportSummary } from '../../../src-shared/ipc/contract';
import type { AddResult } from '../store/studyStore';

export interface ImportOptions {
  signal?: AbortSignal;
  onProgress?: (p: ImportProgress) => void;
  now?: () => number;
  /** Instances per store transaction (default 32). */
  batchFiles?: number;
  /** Bytes per store transaction (default 32 MiB). */
  batchBytes?: number;
  /** Batches committing at the same time (default 3). */
  batchesInFlight?: number;
  /** Minimum milliseconds between progress events (default 100). */
  progressIntervalMs?: number;
}

export interface InstanceToStore {
  meta: InstanceMeta;
  bytes: Uint8Array;
  sha256: string;
}

/** Where parsed instances go: the encrypted store, a StudyStore in memory, or the parent of a worker. */
export interface ImportSink {
  /** The job id progress events carry (the store's import job when there is one). */
  begin(source: ImportSourceDescription): Promise<string>;
  add(batch: InstanceToStore[]): Promise<AddResult[]>;
  /** Called after each batch with the running totals (the store records them for resume and audit). */
  progress?(report: ImportReport): Promise<void>;
  finish(report: ImportReport, outcome: 'done' | 'cancelled' | 'failed'): Promise<void>;
}

export interface ImportSourceDescription {
  paths: string[];
}

export interface DicomdirReport {
  /** The DICOMDIR's path, as found. */
  path: string;
  records: number;
  recordsByType: Record<string, number>;
  referencedFiles: number;
  missingFiles: number;
  nestedDirectories: number;
  /** Files found only by tolerating a naming fault (e.g. the DICOMDIR omits the '.dcm' the files have). */
  resolvedLeniently: number;
  /** Why the DICOMDIR could not be used (its folder was scanned instead), or null. */
  broken: string | null;
  fallbackScan: boolean;
}

/** The full result: the contract's ImportSummary plus the details the CLI and the import report show. */
export interface ImportReport extends ImportSummary {
  filesTotal: number;
  bytesTotal: number;
  bytesDone: number;
  seconds: number;
  /** Files a DICOMDIR lists that are not on the media (path as the DICOMDIR names it). */
  missing: { dicomdir: string; fileId: string }[];
  dicomdirs: DicomdirReport[];
  /** Files whose SOP Instance UID is already stored with other bytes: kept aside, not shown. */
  conflictFiles: string[];
  /** Per-file reasons (first 1000); `skipped` has the counts per reason. */
  skippedFiles: { path: string; reason: string }[];
  /** Paths given that do not exist or cannot be read. */
  notFound: string[];
}

export const MAX_SKIPPED_LISTED = 1000;

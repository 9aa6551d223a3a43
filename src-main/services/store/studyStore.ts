// The study cache as the rest of main sees it. The foundation fills it in memory;
// the encrypted-cache work (SQLCipher + AES-GCM files) implements the same interface.
import type { InstanceMeta } from '../../../src-shared/dicom/types';
import type { AnnotationRecord, StudyListItem, StudySearch } from '../../../src-shared/ipc/contract';
import type { StudySearchRow } from './studySearch';
import type { StudyRestrictions, StudyViewer } from './studyRestrictions';

/** What the study list shows; the contract's StudyListItem adds where it came from. */
export type StudySummary = Omit<StudyListItem, 'source'>;

export interface SeriesSummary {
  seriesId: string;
  studyId: string;
  seriesNumber: number | null;
  seriesDescription: string;
  modality: string;
  instanceCount: number;
}

export interface StoredInstance {
  instanceId: string;
  seriesId: string;
  meta: InstanceMeta;
  sha256: string;
  size: number;
}

export interface Thumbnail {
  width: number;
  height: number;
  mime: string;
  data: Uint8Array;
}

export type AddResult = 'added' | 'duplicate' | 'conflict';

export interface StudyStore {
  /** Stores the original bytes and their metadata. Same UID + same hash -> 'duplicate'; same UID, other bytes -> 'conflict' (kept aside). */
  addInstance(meta: InstanceMeta, bytes: Uint8Array, sha256: string): Promise<AddResult>;
  /** With a viewer, studies restricted to others are left out and restricted ones are marked (studyRestrictions.ts). */
  listStudies(viewer?: StudyViewer): Promise<StudySummary[]>;
  /** The study browser's search: one page in the requested order and the number of matches (studySearch.ts is the specification). */
  searchStudies(q: StudySearch, viewer?: StudyViewer): Promise<{ studies: StudySearchRow[]; total: number }>;
  listSeries(studyId: string): Promise<SeriesSummary[]>;
  listInstances(seriesId: string): Promise<StoredInstance[]>;
  /** The study a series belongs to; null when there is no such series. */
  studyOfSeries(seriesId: string): Promise<string | null>;
  /** The original bytes, integrity-checked against the SHA-256 recorded at import. */
  readInstanceBytes(instanceId: string): Promise<Uint8Array>;
  /** Records that a user opened the study (audit: DICOM Instances Accessed) and resets its retention clock. */
  markAccessed?(studyId: string): void;
  /** Records that a user opened the series (audit: DICOM Instances Accessed, naming series and study). */
  markSeriesAccessed?(seriesId: string): void;
  /** The series' preview made at import (seriesThumbnail.ts), or null when there is none. */
  getThumbnail?(seriesId: string): Thumbnail | null;
  putThumbnail?(seriesId: string, t: Thumbnail): void;
  /** The opaque id of a stored series, from its UID (the import knows UIDs; everything else speaks ids). */
  seriesIdOf?(seriesInstanceUid: string): string | null;
  /** The opaque id of a stored study, from its UID (a PACS search marks the studies the cache already holds). */
  studyIdOf?(studyInstanceUid: string): string | null;
  /** Removes the study's rows and encrypted files for good (audit: Study Deleted). */
  purgeStudy(studyId: string): Promise<void>;
  purgeAll(): Promise<{ studies: number }>;
  /** The series' measurements and annotations, in the order saved. NOT_FOUND when this store has no such series. */
  listAnnotations(seriesId: string): Promise<AnnotationRecord[]>;
  /** Replaces the series' whole set (an empty list clears it); they go when the series' study is purged. */
  saveAnnotations(seriesId: string, annotations: readonly AnnotationRecord[]): Promise<{ saved: number }>;
  /** Restricted studies; only the encrypted cache has them (quick view holds what the user just opened). */
  readonly restrictions?: StudyRestrictions;
  close(): Promise<void>;
}

// The StudyStore kept in memory only: the foundation's store and, later, quick view of a CD
// (nothing touches disk; closing it drops everything).
import { randomBytes } from 'node:crypto';
import type { InstanceMeta } from '../../../src-shared/dicom/types';
import { AppError } from '../../../src-shared/errors';
import type { AnnotationRecord, StudySearch } from '../../../src-shared/ipc/contract';
import { sha256Hex } from '../hashing';
import { checkAnnotationSet, seriesNotFound } from './annotationSet';
import { searchStudyRows, type StudySearchRow } from './studySearch';
import { modalityList } from './studySearchSql';
import type { AddResult, SeriesSummary, StoredInstance, StudyStore, StudySummary, Thumbnail } from './studyStore';

interface Entry extends StoredInstance { bytes: Uint8Array; studyId: string; patientKey: string }

const newId = (prefix: string) => prefix + randomBytes(12).toString('base64url');

export class MemoryStudyStore implements StudyStore {
  private readonly byUid = new Map<string, Entry>();
  private readonly studyIds = new Map<string, string>();
  private readonly seriesIds = new Map<string, string>();
  private readonly patientKeys = new Map<string, string>();
  private readonly thumbnails = new Map<string, Thumbnail>();
  readonly conflicts: { sopInstanceUid: string; sha256: string }[] = [];
  /** By series id; in this process's memory only, like everything else here. */
  private readonly annotations = new Map<string, AnnotationRecord[]>();

  /** `idPrefix` lets a router tell this store's ids from another's (quick view uses 'qv-'). */
  constructor(private readonly idPrefix = '') {}

  async addInstance(meta: InstanceMeta, bytes: Uint8Array, sha256: string): Promise<AddResult> {
    const existing = this.byUid.get(meta.sopInstanceUid);
    if (existing) {
      if (existing.sha256 === sha256) return 'duplicate';
      this.conflicts.push({ sopInstanceUid: meta.sopInstanceUid, sha256 });
      return 'conflict';
    }
    const studyId = this.idFor(this.studyIds, meta.studyInstanceUid);
    const seriesId = this.idFor(this.seriesIds, meta.seriesInstanceUid);
    // The same patient as the encrypted store's patients table: Patient ID, name and birth date.
    const patientKey = this.idFor(this.patientKeys, `${meta.patientId}\0${meta.patientName}\0${meta.patientBirthDate}`);
    this.byUid.set(meta.sopInstanceUid, { instanceId: newId(this.idPrefix), seriesId, studyId, patientKey, meta, sha256, size: bytes.byteLength, bytes });
    return 'added';
  }

  async listStudies(): Promise<StudySummary[]> {
    return this.studyRows().map(({ patientKey: _k, accessionNumber: _a, studyTime: _t, ...summary }) => summary);
  }

  async searchStudies(q: StudySearch): Promise<{ studies: StudySearchRow[]; total: number }> {
    return searchStudyRows(this.studyRows(), q);
  }

  getThumbnail(seriesId: string): Thumbnail | null {
    return this.thumbnails.get(seriesId) ?? null;
  }

  putThumbnail(seriesId: string, t: Thumbnail): void {
    this.thumbnails.set(seriesId, t);
  }

  seriesIdOf(seriesInstanceUid: string): string | null {
    return this.seriesIds.get(seriesInstanceUid) ?? null;
  }

  studyIdOf(studyInstanceUid: string): string | null {
    return this.studyIds.get(studyInstanceUid) ?? null;
  }

  /** Study-level fields from the study's first instance, like the encrypted store's study row. */
  private studyRows(): StudySearchRow[] {
    const studies = new Map<string, Entry[]>();
    for (const e of this.byUid.values()) {
      const list = studies.get(e.studyId) ?? [];
      list.push(e);
      studies.set(e.studyId, list);
    }
    return [...studies.entries()].map(([studyId, entries]) => {
      const first = entries[0]!;
      const m = first.meta;
      return {
        studyId,
        patientKey: first.patientKey,
        patientName: m.patientName,
        patientId: m.patientId,
        patientBirthDate: m.patientBirthDate,
        studyDate: m.studyDate,
        studyTime: m.studyTime,
        studyDescription: m.studyDescription,
        accessionNumber: m.accessionNumber,
        modalities: modalityList(entries.map((e) => e.meta.modality)),
        seriesCount: new Set(entries.map((e) => e.seriesId)).size,
        instanceCount: entries.length,
      };
    });
  }

  async listSeries(studyId: string): Promise<SeriesSummary[]> {
    const series = new Map<string, Entry[]>();
    for (const e of this.byUid.values()) {
      if (e.studyId !== studyId) continue;
      const list = series.get(e.seriesId) ?? [];
      list.push(e);
      series.set(e.seriesId, list);
    }
    return [...series.entries()].map(([seriesId, entries]) => {
      const m = entries[0]!.meta;
      return { seriesId, studyId, seriesNumber: m.seriesNumber, seriesDescription: m.seriesDescription, modality: m.modality, instanceCount: entries.length };
    }).sort((a, b) => (a.seriesNumber ?? 0) - (b.seriesNumber ?? 0));
  }

  async listInstances(seriesId: string): Promise<StoredInstance[]> {
    return [...this.byUid.values()]
      .filter((e) => e.seriesId === seriesId)
      .map(({ instanceId, seriesId: s, meta, sha256, size }) => ({ instanceId, seriesId: s, meta, sha256, size }));
  }

  async studyOfSeries(seriesId: string): Promise<string | null> {
    for (const e of this.byUid.values()) if (e.seriesId === seriesId) return e.studyId;
    return null;
  }

  async readInstanceBytes(instanceId: string): Promise<Uint8Array> {
    for (const e of this.byUid.values()) {
      if (e.instanceId !== instanceId) continue;
      if (sha256Hex(e.bytes) !== e.sha256) throw new AppError('INTEGRITY_TAMPERED', 'This image changed since it was imported and is not shown.');
      return e.bytes;
    }
    throw new AppError('NOT_FOUND', 'Instance not found.');
  }

  async purgeStudy(studyId: string): Promise<void> {
    const doomed = [...this.byUid.entries()].filter(([, e]) => e.studyId === studyId);
    if (doomed.length === 0) throw new AppError('NOT_FOUND', 'No such study.');
    for (const [uid, e] of doomed) {
      this.byUid.delete(uid);
      this.annotations.delete(e.seriesId);
      this.thumbnails.delete(e.seriesId);
    }
  }

  async purgeAll(): Promise<{ studies: number }> {
    const studies = new Set([...this.byUid.values()].map((e) => e.studyId)).size;
    this.byUid.clear();
    this.annotations.clear();
    this.thumbnails.clear();
    return { studies };
  }

  async listAnnotations(seriesId: string): Promise<AnnotationRecord[]> {
    this.assertSeries(seriesId);
    return structuredClone(this.annotations.get(seriesId) ?? []);
  }

  async saveAnnotations(seriesId: string, annotations: readonly AnnotationRecord[]): Promise<{ saved: number }> {
    const set = checkAnnotationSet(seriesId, annotations);
    this.assertSeries(seriesId);
    this.annotations.set(seriesId, set);
    return { saved: set.length };
  }

  async close(): Promise<void> {
    this.byUid.clear();
    this.annotations.clear();
    this.thumbnails.clear();
  }

  private assertSeries(seriesId: string): void {
    for (const e of this.byUid.values()) if (e.seriesId === seriesId) return;
    throw seriesNotFound();
  }

  private idFor(map: Map<string, string>, uid: string): string {
    let id = map.get(uid);
    if (!id) {
      id = newId(this.idPrefix);
      map.set(uid, id);
    }
    return id;
  }
}

// The study cache on disk: metadata in the encrypted SQLite file, original bytes in AES-256-GCM blob
// files. Every read is checked (GCM tag, then SHA-256 of the original); a mismatch marks the instance
// tampered, raises a Security Alert in the audit trail and refuses the bytes.
// Crash safety: blobs are written and fsynced before the rows that name them commit, and one batch is
// one transaction, so a killed import leaves whole instances or nothing (plus orphan blobs swept at open).
import { promises as fsp } from 'node:fs';
import type { AuditObject } from '../../../src-shared/audit/auditEvents';
import type { InstanceMeta } from '../../../src-shared/dicom/types';
import type { StudySearch } from '../../../src-shared/ipc/contract';
import { AppError } from '../../../src-shared/errors';
import type { AnnotationRecord } from '../../../src-shared/ipc/contract';
import { AuditService, systemClock, type Clock } from '../audit/auditService';
import { sha256Hex } from '../hashing';
import type { Db } from '../db/database';
import type { Statement as SqlStatement } from '../db/sqliteModule';
import { StatementCache } from '../db/statementCache';
import { listAnnotationRows, replaceAnnotationRows } from './annotationRows';
import { BlobVault, type BlobReadFailure, type BlobRef } from './blobVault';
import { BlobWriterThread } from './blobWriterThread';
import { OpaqueIds } from './opaqueIds';
import { SettingsRows } from './settingsRows';
import { normaliseStudy, type StudySearchRow } from './studySearch';
import { decodeModalities, encodeModalities, searchStudiesSql, toSearchRow, viewerSql, type StudyRowSql } from './studySearchSql';
import { StudyRestrictions, type StudyViewer } from './studyRestrictions';
import type { AddResult, SeriesSummary, StoredInstance, StudyStore, StudySummary, Thumbnail } from './studyStore';

export type { Thumbnail } from './studyStore';

export interface InstanceToAdd {
  meta: InstanceMeta;
  bytes: Uint8Array;
  /** Lowercase hex SHA-256 of `bytes`, computed by the importer while reading. */
  sha256: string;
}

export type ImportJobState = 'running' | 'done' | 'cancelled' | 'failed';

export interface ImportJobCounts {
  filesTotal: number;
  filesDone: number;
  bytesDone: number;
  added: number;
  duplicates: number;
  conflicts: number;
  skipped: number;
  errors: number;
}

export interface ImportJob extends ImportJobCounts {
  jobId: string;
  state: ImportJobState;
  source: unknown;
  report: unknown;
  createdAt: number;
  updatedAt: number;
}

export interface VerifyResult {
  checked: number;
  /** Instance ids that failed (now or before). */
  tampered: string[];
}

export interface EncryptedStudyStoreParts {
  db: Db;
  vault: BlobVault;
  ids: OpaqueIds;
  clock?: Clock;
  user?: string;
  /**
   * The blob writer thread's script for batches handed over (addInstances with handOver): default the bundled
   * one beside the running code; null writes in the calling thread.
   */
  blobWriterScript?: string | null;
}

type Statement = SqlStatement;

type Plan =
  | { kind: 'duplicate' }
  | { kind: 'add'; blob: BlobRef }
  | { kind: 'repair'; blob: BlobRef; instanceId: string; oldBlob: string }
  | { kind: 'conflict'; blob: BlobRef | null; instanceId: string };

interface InstanceRow {
  instance_id: string;
  series_id: string;
  meta_json: string;
  sha256: string;
  size: number;
  blob_name: string;
  blob_salt: Buffer;
  tampered: number;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;
const PLANNED: BlobRef = { name: '', salt: Buffer.alloc(0) };
const DAY_MS = 86_400_000;

export class EncryptedStudyStore implements StudyStore {
  readonly audit: AuditService;
  /** Small values kept between runs (the policy digest last audited). */
  readonly settings: SettingsRows;
  /** Studies an administrator restricted to named users or roles (migration 0065). */
  readonly restrictions: StudyRestrictions;
  private readonly db: Db;
  private readonly vault: BlobVault;
  private readonly ids: OpaqueIds;
  private readonly clock: Clock;
  private closed = false;
  private readonly closeHooks: (() => Promise<void>)[] = [];
  private readonly beforeCloseHooks: (() => Promise<void>)[] = [];
  private readonly statements: StatementCache;
  private readonly blobWriterScript: string | null | undefined;
  /** Started at the first batch handed over; undefined until then. */
  private blobWriter: BlobWriterThread | null | undefined;

  constructor(parts: EncryptedStudyStoreParts) {
    this.db = parts.db;
    this.blobWriterScript = parts.blobWriterScript;
    this.statements = new StatementCache(parts.db);
    this.vault = parts.vault;
    this.ids = parts.ids;
    this.clock = parts.clock ?? systemClock;
    // 64 MiB of decrypted pages (SQLite's default is 2 MiB): the study browser's indexes of a 100,000-study
    // cache stay in memory, so a search costs no decryption. A bound, not an allocation; memory stays flat.
    this.db.pragma('cache_size = -65536');
    this.audit = new AuditService(this.db, this.clock, parts.user ?? 'local');
    this.settings = new SettingsRows(this.db, this.clock);
    this.restrictions = new StudyRestrictions(this.db, () => this.clock.now());
  }

  // ---------------------------------------------------------------- writing

  async addInstance(meta: InstanceMeta, bytes: Uint8Array, sha256: string): Promise<AddResult> {
    return (await this.addInstances([{ meta, bytes, sha256 }]))[0]!;
  }

  /**
   * A batch in ONE transaction: after a crash either every row of the batch is there (with its blob) or none.
   * With `handOver` the caller gives up the bytes (an import that is done with them): they move to the blob
   * writer thread, which encrypts and writes them while this thread goes on.
   */
  async addInstances(batch: InstanceToAdd[], options: { handOver?: boolean } = {}): Promise<AddResult[]> {
    this.assertOpen();
    for (const it of batch) validateItem(it);
    // Sizes are taken now: bytes handed over are gone from this thread once the write starts.
    const sizes = batch.map((it) => it.bytes.byteLength);
    const pre = this.plan(batch, null);
    const toWrite: { ref: BlobRef; bytes: Uint8Array }[] = [];
    const shard = this.vault.newShard();
    const blobs = pre.map((p, i) => {
      if (p.kind === 'duplicate' || (p.kind === 'conflict' && p.blob === null)) return null;
      const ref = this.vault.newRef(shard);
      toWrite.push({ ref, bytes: batch[i]!.bytes });
      return ref;
    });
    try {
      await (options.handOver ? this.writerThread() : this.vault).writeMany(toWrite);
    } catch (e) {
      await this.vault.remove(toWrite.map((w) => w.ref.name)).catch(() => undefined);
      throw new AppError('IMPORT_FAILED', 'Writing the encrypted files failed (is the disk full?). Nothing of this batch was stored.', { cause: e });
    }
    const used = new Set<string>();
    const oldBlobs: string[] = [];
    let results: AddResult[];
    try {
      results = this.db.transaction(() => {
        // Planned again inside the transaction: another connection may have committed meanwhile.
        const plans = this.plan(batch, blobs);
        const added = new Map<string, number>();
        const results = plans.map((p, i): AddResult => {
          const it = batch[i]!;
          if (p.kind === 'duplicate') return 'duplicate';
          if (p.kind === 'conflict') {
            if (p.blob) {
              this.insertConflict(it, sizes[i]!, p.instanceId, p.blob);
              used.add(p.blob.name);
            }
            return 'conflict';
          }
          if (p.kind === 'repair') {
            this.stmt('UPDATE instances SET blob_name = ?, blob_salt = ?, tampered = 0 WHERE instance_id = ?').run(p.blob.name, p.blob.salt, p.instanceId);
            used.add(p.blob.name);
            oldBlobs.push(p.oldBlob);
            return 'added';
          }
          const seriesId = this.insertInstance(it, sizes[i]!, p.blob);
          added.set(seriesId, (added.get(seriesId) ?? 0) + 1);
          used.add(p.blob.name);
          return 'added';
        });
        // Once per series of the batch, not per instance: the count lives on the study row (migration 0020).
        for (const [seriesId, n] of added) {
          this.stmt('UPDATE studies SET instance_count = instance_count + ? WHERE study_id = (SELECT study_id FROM series WHERE series_id = ?)').run(n, seriesId);
        }
        return results;
      })();
    } catch (e) {
      await this.vault.remove(toWrite.map((w) => w.ref.name)).catch(() => undefined);
      throw e instanceof AppError ? e : new AppError('IMPORT_FAILED', 'Storing the instances failed.', { cause: e });
    }
    await this.vault.remove([...toWrite.map((w) => w.ref.name).filter((n) => !used.has(n)), ...oldBlobs]);
    return results;
  }

  /** Classifies each item; `blobs` (inside the transaction) are the names written for items that need one. */
  private plan(batch: InstanceToAdd[], blobs: (BlobRef | null)[] | null): Plan[] {
    const byUid = this.stmt('SELECT instance_id, sha256, blob_name, tampered FROM instances WHERE sop_instance_uid = ?');
    const conflictExists = this.stmt('SELECT 1 FROM instance_conflicts WHERE sop_instance_uid = ? AND sha256 = ?');
    const inBatch = new Map<string, { sha256: string; instanceId: string }>();
    const conflictsInBatch = new Set<string>();
    return batch.map((it, i) => {
      const uid = it.meta.sopInstanceUid;
      const need = (): BlobRef => {
        if (!blobs) return PLANNED;
        const b = blobs[i];
        if (!b) throw new AppError('IMPORT_FAILED', 'The store changed during the import; run it again.');
        return b;
      };
      const row = byUid.get(uid) as Pick<InstanceRow, 'instance_id' | 'sha256' | 'blob_name' | 'tampered'> | undefined;
      const prior = row ? { sha256: row.sha256, instanceId: row.instance_id } : inBatch.get(uid);
      if (!prior) {
        inBatch.set(uid, { sha256: it.sha256, instanceId: this.ids.of('in', uid) });
        return { kind: 'add', blob: need() };
      }
      if (prior.sha256 === it.sha256) {
        // The same bytes again heal a tampered instance: the user re-imports the original.
        if (row && row.tampered === 1 && !inBatch.has(uid)) {
          inBatch.set(uid, prior);
          return { kind: 'repair', blob: need(), instanceId: row.instance_id, oldBlob: row.blob_name };
        }
        return { kind: 'duplicate' };
      }
      const key = `${uid}\0${it.sha256}`;
      if (conflictsInBatch.has(key) || conflictExists.get(uid, it.sha256)) return { kind: 'conflict', blob: null, instanceId: prior.instanceId };
      conflictsInBatch.add(key);
      return { kind: 'conflict', blob: need(), instanceId: prior.instanceId };
    });
  }

  /** Returns the instance's series id. */
  private insertInstance(it: InstanceToAdd, size: number, blob: BlobRef): string {
    const m = it.meta;
    const now = this.clock.now();
    const patientId = this.ids.of('pt', m.patientId, m.patientName, m.patientBirthDate);
    const studyId = this.ids.of('st', m.studyInstanceUid);
    const seriesId = this.ids.of('se', m.seriesInstanceUid);
    this.stmt('INSERT OR IGNORE INTO patients (patient_id, patient_name, dicom_patient_id, birth_date, sex, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(patientId, m.patientName, m.patientId, m.patientBirthDate, m.patientSex, now);
    const n = normaliseStudy(m);
    const newStudy = this.stmt(
        `INSERT OR IGNORE INTO studies (study_id, study_uid, patient_id, study_date, study_time, description, accession_number, created_at, last_access,
           patient_name_norm, patient_id_norm, accession_norm, description_norm)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?)`,
      )
      .run(studyId, m.studyInstanceUid, patientId, m.studyDate, m.studyTime, m.studyDescription, m.accessionNumber, now, n.name, n.patientId, n.accession, n.description).changes;
    if (newStudy === 1) this.stmt('INSERT OR IGNORE INTO study_descriptions (description_norm) VALUES (?)').run(n.description);
    const newSeries = this.stmt(
        `INSERT OR IGNORE INTO series (series_id, series_uid, study_id, series_number, description, modality, frame_of_reference_uid, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(seriesId, m.seriesInstanceUid, studyId, m.seriesNumber, m.seriesDescription, m.modality, m.frameOfReferenceUid, now).changes;
    if (newSeries === 1) {
      const current = this.stmt('SELECT modalities FROM studies WHERE study_id = ?').get(studyId) as { modalities: string };
      this.stmt('UPDATE studies SET series_count = series_count + 1, modalities = ? WHERE study_id = ?')
        .run(encodeModalities([...decodeModalities(current.modalities), m.modality]), studyId);
    }
    this.stmt(
        `INSERT INTO instances (instance_id, sop_instance_uid, series_id, sop_class_uid, transfer_syntax_uid, instance_number,
           meta_json, size, sha256, blob_name, blob_salt, tampered, created_at, last_access)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, NULL)`,
      )
      .run(
        this.ids.of('in', m.sopInstanceUid),
        m.sopInstanceUid,
        seriesId,
        m.sopClassUid,
        m.transferSyntaxUid,
        m.instanceNumber,
        JSON.stringify(m),
        size,
        it.sha256,
        blob.name,
        blob.salt,
        now,
      );
    return seriesId;
  }

  private insertConflict(it: InstanceToAdd, size: number, instanceId: string, blob: BlobRef): void {
    this.stmt(
        `INSERT INTO instance_conflicts (conflict_id, sop_instance_uid, instance_id, meta_json, size, sha256, blob_name, blob_salt, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(OpaqueIds.random('cf'), it.meta.sopInstanceUid, instanceId, JSON.stringify(it.meta), size, it.sha256, blob.name, blob.salt, this.clock.now());
  }

  // ---------------------------------------------------------------- reading

  async listStudies(viewer?: StudyViewer): Promise<StudySummary[]> {
    this.assertOpen();
    const v = viewerSql(viewer);
    // The counts and modalities are the study row's own (migration 0020): no instance is counted here.
    const rows = this.stmt(
        `SELECT s.study_id, s.patient_id AS patient_key, p.patient_name, p.dicom_patient_id, p.birth_date, s.study_date, s.study_time,
           s.description, s.accession_number, s.modalities, s.series_count, s.instance_count${v.column}
         FROM studies s JOIN patients p ON p.patient_id = s.patient_id
         ${v.where ? `WHERE ${v.where}` : ''}
         ORDER BY s.study_date DESC, s.created_at DESC, s.study_id`,
      )
      .all(...v.args) as StudyRowSql[];
    return rows.map((r) => {
      const { patientKey: _k, accessionNumber: _a, studyTime: _t, ...summary } = toSearchRow(r);
      return summary;
    });
  }

  /** The study browser's search (see studySearch.ts for what matches and in which order). */
  async searchStudies(q: StudySearch, viewer?: StudyViewer): Promise<{ studies: StudySearchRow[]; total: number }> {
    this.assertOpen();
    return searchStudiesSql((sql) => this.stmt(sql), q, viewer);
  }

  async listSeries(studyId: string): Promise<SeriesSummary[]> {
    this.assertOpen();
    const rows = this.stmt(
        `SELECT se.series_id, se.study_id, se.series_number, se.description, se.modality,
           (SELECT count(*) FROM instances i WHERE i.series_id = se.series_id) AS instance_count
         FROM series se WHERE se.study_id = ?
         ORDER BY se.series_number IS NULL, se.series_number, se.description, se.series_id`,
      )
      .all(studyId) as { series_id: string; study_id: string; series_number: number | null; description: string; modality: string; instance_count: number }[];
    return rows.map((r) => ({
      seriesId: r.series_id,
      studyId: r.study_id,
      seriesNumber: r.series_number,
      seriesDescription: r.description,
      modality: r.modality,
      instanceCount: r.instance_count,
    }));
  }

  async listInstances(seriesId: string): Promise<StoredInstance[]> {
    this.assertOpen();
    const rows = this.stmt(
        `SELECT instance_id, series_id, meta_json, sha256, size FROM instances WHERE series_id = ?
         ORDER BY instance_number IS NULL, instance_number, instance_id`,
      )
      .all(seriesId) as InstanceRow[];
    return rows.map(toStored);
  }

  async studyOfSeries(seriesId: string): Promise<string | null> {
    this.assertOpen();
    const r = this.stmt('SELECT study_id FROM series WHERE series_id = ?').get(seriesId) as { study_id: string } | undefined;
    return r?.study_id ?? null;
  }

  async getInstance(instanceId: string): Promise<StoredInstance | null> {
    this.assertOpen();
    const r = this.stmt('SELECT instance_id, series_id, meta_json, sha256, size FROM instances WHERE instance_id = ?').get(instanceId) as
      | InstanceRow
      | undefined;
    return r ? toStored(r) : null;
  }

  /** Opaque ids of instances already found tampered. */
  listTampered(): string[] {
    this.assertOpen();
    return (this.stmt('SELECT instance_id FROM instances WHERE tampered = 1 ORDER BY instance_id').all() as { instance_id: string }[]).map((r) => r.instance_id);
  }

  async readInstanceBytes(instanceId: string): Promise<Uint8Array> {
    this.assertOpen();
    const row = this.stmt('SELECT instance_id, series_id, sha256, size, blob_name, blob_salt, tampered FROM instances WHERE instance_id = ?').get(instanceId) as
      | InstanceRow
      | undefined;
    if (!row) throw new AppError('NOT_FOUND', 'No such instance.');
    if (row.tampered === 1) throw tamperedError();
    const failure = await this.check(row);
    if (failure.reason) {
      // A purge may have removed the row and its file while we were reading: that is not tampering.
      const still = this.stmt('SELECT blob_name FROM instances WHERE instance_id = ?').get(instanceId) as { blob_name: string } | undefined;
      if (!still || still.blob_name !== row.blob_name) throw new AppError('NOT_FOUND', 'The instance was removed or replaced while it was being read.');
      this.markTampered(row, failure.reason);
      throw tamperedError();
    }
    return failure.bytes!;
  }

  private async check(row: Pick<InstanceRow, 'blob_name' | 'blob_salt' | 'sha256' | 'size'>): Promise<{ reason?: BlobReadFailure | 'size' | 'hash'; bytes?: Buffer }> {
    const r = await this.vault.read({ name: row.blob_name, salt: row.blob_salt });
    if (!r.ok) return { reason: r.reason };
    if (r.bytes.length !== row.size) return { reason: 'size' };
    if (sha256Hex(r.bytes) !== row.sha256) return { reason: 'hash' };
    return { bytes: r.bytes };
  }

  private markTampered(row: Pick<InstanceRow, 'instance_id' | 'series_id'>, reason: string): void {
    this.db.transaction(() => {
      const changed = this.stmt('UPDATE instances SET tampered = 1 WHERE instance_id = ? AND tampered = 0').run(row.instance_id).changes;
      if (changed === 0) return;
      const study = this.stmt('SELECT study_id FROM series WHERE series_id = ?').get(row.series_id) as { study_id: string } | undefined;
      const objects: AuditObject[] = [
        { type: 'instance', id: row.instance_id },
        { type: 'series', id: row.series_id },
      ];
      if (study) objects.push({ type: 'study', id: study.study_id });
      this.audit.record({ kind: 'securityAlert', action: 'E', outcome: 'seriousFailure', objects, detail: { code: 'INTEGRITY_TAMPERED', reason } });
    })();
  }

  /** Re-reads and re-hashes every instance; newly failing ones are marked and alerted like on a read. */
  async verifyAll(): Promise<VerifyResult> {
    this.assertOpen();
    const rows = this.stmt('SELECT instance_id, series_id, sha256, size, blob_name, blob_salt, tampered FROM instances ORDER BY instance_id').all() as InstanceRow[];
    const tampered: string[] = [];
    for (const row of rows) {
      const f = await this.check(row);
      if (f.reason) {
        this.markTampered(row, f.reason);
        tampered.push(row.instance_id);
      } else if (row.tampered === 1) {
        tampered.push(row.instance_id);
      }
    }
    return { checked: rows.length, tampered };
  }

  // ---------------------------------------------------------------- access, retention, purge

  /** The user opened a study: it counts for retention, and the access is audited. */
  markAccessed(studyId: string, now: number = this.clock.now()): void {
    this.assertOpen();
    const changed = this.stmt('UPDATE studies SET last_access = ? WHERE study_id = ?').run(now, studyId).changes;
    if (changed === 0) throw new AppError('NOT_FOUND', 'No such study.');
    this.audit.record({ kind: 'instancesAccessed', action: 'R', outcome: 'success', objects: [{ type: 'study', id: studyId }] });
  }

  /** The user opened a series: its study counts for retention, and the access is audited with both ids. */
  markSeriesAccessed(seriesId: string, now: number = this.clock.now()): void {
    this.assertOpen();
    const r = this.stmt('SELECT study_id FROM series WHERE series_id = ?').get(seriesId) as { study_id: string } | undefined;
    if (!r) throw new AppError('NOT_FOUND', 'No such series.');
    this.stmt('UPDATE studies SET last_access = ? WHERE study_id = ?').run(now, r.study_id);
    this.audit.record({ kind: 'instancesAccessed', action: 'R', outcome: 'success', objects: [{ type: 'series', id: seriesId }, { type: 'study', id: r.study_id }] });
  }

  async purgeStudy(studyId: string): Promise<void> {
    this.assertOpen();
    if (!this.stmt('SELECT 1 FROM studies WHERE study_id = ?').get(studyId)) throw new AppError('NOT_FOUND', 'No such study.');
    const blobs = this.deleteStudyRows(studyId, 'user');
    await this.vault.remove(blobs);
    this.compact();
  }

  async purgeAll(): Promise<{ studies: number }> {
    this.assertOpen();
    const studyIds = (this.stmt('SELECT study_id FROM studies ORDER BY study_id').all() as { study_id: string }[]).map((r) => r.study_id);
    const blobs: string[] = [];
    this.db.transaction(() => {
      for (const s of studyIds) blobs.push(...this.deleteStudyRows(s, 'purgeAll'));
      // Paths of import sources can name a patient: they go with the data.
      this.stmt('DELETE FROM import_jobs').run();
    })();
    await this.vault.remove(blobs);
    // Blobs no row knows (if any) go too: "everything" means everything.
    await this.vault.sweep(() => false);
    this.compact();
    return { studies: studyIds.length };
  }

  /** Purges studies not accessed (or, never accessed, not imported) for `days` days. Run at start-up. */
  async applyRetention(days: number, now: number = this.clock.now()): Promise<{ purged: string[] }> {
    this.assertOpen();
    if (!Number.isFinite(days) || days <= 0) throw new AppError('INVALID_REQUEST', 'Retention must be a positive number of days.');
    const cutoff = now - days * DAY_MS;
    const due = (
      this.stmt('SELECT study_id FROM studies WHERE coalesce(last_access, created_at) < ? ORDER BY study_id').all(cutoff) as { study_id: string }[]
    ).map((r) => r.study_id);
    if (due.length === 0) return { purged: [] };
    const blobs: string[] = [];
    this.db.transaction(() => {
      for (const s of due) blobs.push(...this.deleteStudyRows(s, 'retention'));
    })();
    await this.vault.remove(blobs);
    this.compact();
    return { purged: due };
  }

  /** Deletes one study's rows (and its patient when it was the last study) and audits it; returns its blob names. */
  private deleteStudyRows(studyId: string, reason: 'user' | 'purgeAll' | 'retention'): string[] {
    return this.db.transaction(() => {
      const blobs = (
        this.stmt(
            `SELECT c.blob_name FROM instance_conflicts c JOIN instances i ON i.instance_id = c.instance_id JOIN series se ON se.series_id = i.series_id WHERE se.study_id = ?
             UNION ALL
             SELECT i.blob_name FROM instances i JOIN series se ON se.series_id = i.series_id WHERE se.study_id = ?`,
          )
          .all(studyId, studyId) as { blob_name: string }[]
      ).map((r) => r.blob_name);
      const patient = this.stmt('SELECT patient_id FROM studies WHERE study_id = ?').get(studyId) as { patient_id: string } | undefined;
      const inStudy = 'SELECT series_id FROM series WHERE study_id = ?';
      // Recorded before the rows go (same transaction): the event names the study's UID and patient.
      const { n: instances } = this.stmt(`SELECT count(*) AS n FROM instances WHERE series_id IN (${inStudy})`).get(studyId) as { n: number };
      this.audit.record({ kind: 'studyDeleted', action: 'D', outcome: 'success', objects: [{ type: 'study', id: studyId }], detail: { reason, instances } });
      this.stmt(`DELETE FROM instance_conflicts WHERE instance_id IN (SELECT instance_id FROM instances WHERE series_id IN (${inStudy}))`).run(studyId);
      this.stmt(`DELETE FROM thumbnails WHERE series_id IN (${inStudy})`).run(studyId);
      this.stmt(`DELETE FROM instances WHERE series_id IN (${inStudy})`).run(studyId);
      this.stmt('DELETE FROM series WHERE study_id = ?').run(studyId);
      const description = this.stmt('SELECT description_norm FROM studies WHERE study_id = ?').get(studyId) as { description_norm: string } | undefined;
      this.stmt('DELETE FROM studies WHERE study_id = ?').run(studyId);
      // A purged study's description goes too, unless another study still has it.
      if (description) {
        this.stmt('DELETE FROM study_descriptions WHERE description_norm = ? AND NOT EXISTS (SELECT 1 FROM studies WHERE description_norm = ?)')
          .run(description.description_norm, description.description_norm);
      }
      if (patient) this.stmt('DELETE FROM patients WHERE patient_id = ? AND NOT EXISTS (SELECT 1 FROM studies WHERE patient_id = ?)').run(patient.patient_id, patient.patient_id);
      return blobs;
    })();
  }

  /** Rewrites the file so freed pages are gone, and empties the WAL. */
  compact(): void {
    this.db.exec('VACUUM');
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  // ---------------------------------------------------------------- thumbnails and import jobs

  putThumbnail(seriesId: string, t: Thumbnail): void {
    this.assertOpen();
    this.stmt('INSERT OR REPLACE INTO thumbnails (series_id, width, height, mime, data, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(seriesId, t.width, t.height, t.mime, Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength), this.clock.now());
  }

  getThumbnail(seriesId: string): Thumbnail | null {
    this.assertOpen();
    const r = this.stmt('SELECT width, height, mime, data FROM thumbnails WHERE series_id = ?').get(seriesId) as Thumbnail | undefined;
    return r ?? null;
  }

  seriesIdOf(seriesInstanceUid: string): string | null {
    this.assertOpen();
    const r = this.stmt('SELECT series_id FROM series WHERE series_uid = ?').get(seriesInstanceUid) as { series_id: string } | undefined;
    return r?.series_id ?? null;
  }

  studyIdOf(studyInstanceUid: string): string | null {
    this.assertOpen();
    const r = this.stmt('SELECT study_id FROM studies WHERE study_uid = ?').get(studyInstanceUid) as { study_id: string } | undefined;
    return r?.study_id ?? null;
  }

    createImportJob(source: unknown): string {
    this.assertOpen();
    const id = OpaqueIds.random('job');
    const now = this.clock.now();
    this.stmt(`INSERT INTO import_jobs (job_id, state, source_json, created_at, updated_at) VALUES (?, 'running', ?, ?, ?)`).run(id, JSON.stringify(source ?? null), now, now);
    return id;
  }

  updateImportJob(jobId: string, patch: Partial<ImportJobCounts> & { state?: ImportJobState; report?: unknown }): void {
    this.assertOpen();
    const cols: Record<keyof ImportJobCounts, string> = {
      filesTotal: 'files_total',
      filesDone: 'files_done',
      bytesDone: 'bytes_done',
      added: 'added',
      duplicates: 'duplicates',
      conflicts: 'conflicts',
      skipped: 'skipped',
      errors: 'errors',
    };
    const sets: string[] = ['updated_at = ?'];
    const args: (string | number)[] = [this.clock.now()];
    for (const [k, col] of Object.entries(cols) as [keyof ImportJobCounts, string][]) {
      const v = patch[k];
      if (v !== undefined) {
        sets.push(`${col} = ?`);
        args.push(v);
      }
    }
    if (patch.state) {
      sets.push('state = ?');
      args.push(patch.state);
    }
    if (patch.report !== undefined) {
      sets.push('report_json = ?');
      args.push(JSON.stringify(patch.report));
    }
    const changed = this.stmt(`UPDATE import_jobs SET ${sets.join(', ')} WHERE job_id = ?`).run(...args, jobId).changes;
    if (changed === 0) throw new AppError('NOT_FOUND', 'No such import job.');
  }

  listImportJobs(state?: ImportJobState): ImportJob[] {
    this.assertOpen();
    const rows = (
      state
        ? this.stmt('SELECT * FROM import_jobs WHERE state = ? ORDER BY created_at').all(state)
        : this.stmt('SELECT * FROM import_jobs ORDER BY created_at').all()
    ) as Record<string, string | number>[];
    return rows.map((r) => ({
      jobId: String(r.job_id),
      state: r.state as ImportJobState,
      source: JSON.parse(String(r.source_json)) as unknown,
      report: JSON.parse(String(r.report_json)) as unknown,
      filesTotal: Number(r.files_total),
      filesDone: Number(r.files_done),
      bytesDone: Number(r.bytes_done),
      added: Number(r.added),
      duplicates: Number(r.duplicates),
      conflicts: Number(r.conflicts),
      skipped: Number(r.skipped),
      errors: Number(r.errors),
      createdAt: Number(r.created_at),
      updatedAt: Number(r.updated_at),
    }));
  }

  // ---------------------------------------------------------------- annotations (annotationRows.ts)

  async listAnnotations(seriesId: string): Promise<AnnotationRecord[]> {
    this.assertOpen();
    return listAnnotationRows(this.db, seriesId);
  }

  async saveAnnotations(seriesId: string, annotations: readonly AnnotationRecord[]): Promise<{ saved: number }> {
    this.assertOpen();
    return { saved: replaceAnnotationRows(this.db, seriesId, annotations, this.clock.now()) };
  }

  // ---------------------------------------------------------------- lifecycle

  /** Removes blobs no row names and all temp files (what a killed process leaves). Only safe with no other writer. */
  async sweepOrphans(): Promise<number> {
    this.assertOpen();
    // One indexed lookup per file found (blob_name is UNIQUE in both tables), not every name in a set first:
    // a cache of 10 million instances would hold 10 million strings in main at every start.
    const inInstances = this.stmt('SELECT 1 FROM instances WHERE blob_name = ?');
    const inConflicts = this.stmt('SELECT 1 FROM instance_conflicts WHERE blob_name = ?');
    return this.vault.sweep((n) => inInstances.get(n) !== undefined || inConflicts.get(n) !== undefined);
  }

  /** The SQLite handle, for the schema tests, the integrity check and the audit outbox (network/syslog/auditOutbox.ts). */
  get database(): Db {
    return this.db;
  }

  /** Runs after the database is closed (e.g. to unregister this process from the data directory). */
  onClose(f: () => Promise<void>): void {
    this.closeHooks.push(f);
  }

  /** Runs at close while the database is still open, after the stop event and the last checkpoint (audit forwarding sends them). */
  onBeforeClose(f: () => Promise<void>): void {
    this.beforeCloseHooks.push(f);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    try {
      this.audit.record({ kind: 'applicationActivity', eventType: 'applicationStop', action: 'E', outcome: 'success' });
      this.audit.checkpoint();
      await this.audit.flush();
      for (const f of this.beforeCloseHooks.splice(0)) await f().catch(() => undefined);
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      this.closed = true;
      await this.blobWriter?.close().catch(() => undefined);
      this.db.close();
      for (const f of this.closeHooks.splice(0)) await f().catch(() => undefined);
    }
  }

  private writerThread(): BlobWriterThread | BlobVault {
    if (this.blobWriter === undefined) this.blobWriter = BlobWriterThread.start(this.vault, this.blobWriterScript);
    return this.blobWriter ?? this.vault;
  }

  private stmt(sql: string): Statement {
    return this.statements.get(sql);
  }

  private assertOpen(): void {
    if (this.closed) throw new AppError('STORE_LOCKED', 'The store is closed.');
  }
}

function tamperedError(): AppError {
  return new AppError(
    'INTEGRITY_TAMPERED',
    'This image was changed on disk after it was imported and will not be shown. Re-import the original or purge the study.',
  );
}

function toStored(r: InstanceRow): StoredInstance {
  return { instanceId: r.instance_id, seriesId: r.series_id, meta: JSON.parse(r.meta_json) as InstanceMeta, sha256: r.sha256, size: r.size };
}

function validateItem(it: InstanceToAdd): void {
  if (!SHA256_HEX.test(it.sha256)) throw new AppError('INVALID_REQUEST', 'sha256 must be 64 lowercase hex digits.');
  const m = it.meta;
  if (!m.sopInstanceUid || !m.seriesInstanceUid || !m.studyInstanceUid) {
    throw new AppError('INVALID_REQUEST', 'An instance needs SOP Instance, Series and Study Instance UIDs.');
  }
}

export async function dirExists(p: string): Promise<boolean> {
  return fsp.stat(p).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

// Where the import engine puts instances. The encrypted store gets whole batches in one transaction
// each (a killed import leaves whole instances or nothing), an import job row that tracks progress (so
// an interrupted import can be found and resumed) and an Import audit event (DICOM 110107) at the end.
import { AppError } from '../../../src-shared/errors';
import type { AuditObject } from '../../../src-shared/audit/auditEvents';
import type { EncryptedStudyStore } from '../store/encryptedStudyStore';
import { makeSeriesThumbnails } from '../store/seriesThumbnail';
import type { AddResult, StudyStore } from '../store/studyStore';
import { randomJobId } from './importEngine';
import type { ImportReport, ImportSink, ImportSourceDescription, InstanceToStore } from './importTypes';

/** Series UIDs that received instances in this import: their previews are (re)made when it ends. */
class AddedSeries {
  private readonly uids = new Set<string>();

  note(batch: InstanceToStore[], results: AddResult[]): void {
    results.forEach((r, i) => {
      if (r === 'added') this.uids.add(batch[i]!.meta.seriesInstanceUid);
    });
  }

  /** Made after the last batch, also for a cancelled or failed import: what was stored is browsable. */
  async makeThumbnails(store: StudyStore): Promise<void> {
    const seriesIdOf = store.seriesIdOf?.bind(store);
    if (!seriesIdOf) return;
    try {
      const ids = [...this.uids].map(seriesIdOf).filter((id): id is string => id !== null);
      this.uids.clear();
      await makeSeriesThumbnails(store, ids);
    } catch {
      // A preview is a convenience: a store that closed meanwhile must not turn the import into a failure.
    }
  }
}

export class EncryptedStoreSink implements ImportSink {
  private jobId = '';
  private source: ImportSourceDescription | null = null;
  private readonly studyUids = new Set<string>();
  private readonly addedSeries = new AddedSeries();

  constructor(private readonly store: EncryptedStudyStore) {}

  async begin(source: ImportSourceDescription): Promise<string> {
    this.source = source;
    this.jobId = this.store.createImportJob(source);
    return this.jobId;
  }

  async add(batch: InstanceToStore[]): Promise<AddResult[]> {
    for (const b of batch) this.studyUids.add(b.meta.studyInstanceUid);
    // The engine is done with the bytes once a batch is handed to the sink: they move to the blob writer thread.
    const results = await this.store.addInstances(batch, { handOver: true });
    this.addedSeries.note(batch, results);
    return results;
  }

  private lastProgress = 0;

  /** Running totals on the job row, at most once a second: each update is a synchronous, fsynced commit. */
  async progress(r: ImportReport): Promise<void> {
    const now = Date.now();
    if (now - this.lastProgress < 1000) return;
    this.lastProgress = now;
    this.store.updateImportJob(this.jobId, counts(r));
  }

  async finish(r: ImportReport, outcome: 'done' | 'cancelled' | 'failed'): Promise<void> {
    await this.addedSeries.makeThumbnails(this.store);
    this.store.updateImportJob(this.jobId, { ...counts(r), state: outcome, report: r });
    if (outcome === 'done') this.closeInterruptedDuplicates();
    const objects: AuditObject[] = [{ type: 'importJob', id: this.jobId }, ...this.studyIds().map((id) => ({ type: 'study' as const, id }))];
    this.store.audit.record({
      kind: 'import',
      action: 'C',
      outcome: outcome === 'done' ? 'success' : outcome === 'cancelled' ? 'minorFailure' : 'seriousFailure',
      objects,
      detail: {
        state: outcome,
        added: r.added,
        duplicates: r.duplicates,
        conflicts: r.conflicts,
        skipped: r.skipped.reduce((s, x) => s + x.count, 0),
        missing: r.missing.length,
      },
    });
  }

  /** The opaque ids of the studies this import touched (UIDs never leave the encrypted file). */
  private studyIds(): string[] {
    if (this.studyUids.size === 0) return [];
    const q = this.store.database.prepare('SELECT study_id FROM studies WHERE study_uid = ?');
    const ids: string[] = [];
    for (const uid of this.studyUids) {
      const row = q.get(uid) as { study_id: string } | undefined;
      if (row) ids.push(row.study_id);
    }
    return ids.sort();
  }

  /** A killed import whose sources this run covered (same paths, or --resume of several) left a 'running' job: close it. */
  private closeInterruptedDuplicates(): void {
    const covered = new Set(this.source?.paths ?? []);
    for (const job of this.store.listImportJobs('running')) {
      if (job.jobId === this.jobId) continue;
      const paths = (job.source as { paths?: unknown } | null)?.paths;
      if (Array.isArray(paths) && paths.length > 0 && paths.every((p) => typeof p === 'string' && covered.has(p))) {
        this.store.updateImportJob(job.jobId, { state: 'failed', report: { interrupted: true, completedBy: this.jobId } });
      }
    }
  }
}

function counts(r: ImportReport) {
  return {
    filesTotal: r.filesTotal,
    filesDone: r.filesSeen,
    bytesDone: r.bytesDone,
    added: r.added,
    duplicates: r.duplicates,
    conflicts: r.conflicts,
    skipped: r.skipped.reduce((s, x) => s + x.count, 0),
    errors: 0,
  };
}

/** Any StudyStore (the in-memory one for quick view and the foundation), one instance at a time. */
export class StudyStoreSink implements ImportSink {
  private readonly addedSeries = new AddedSeries();

  constructor(private readonly store: StudyStore) {}

  async begin(): Promise<string> {
    return randomJobId();
  }

  async add(batch: InstanceToStore[]): Promise<AddResult[]> {
    const out: AddResult[] = [];
    for (const b of batch) out.push(await this.store.addInstance(b.meta, b.bytes, b.sha256));
    this.addedSeries.note(batch, out);
    return out;
  }

  async finish(): Promise<void> {
    await this.addedSeries.makeThumbnails(this.store);
  }
}

function isEncryptedStore(store: StudyStore): store is EncryptedStudyStore {
  const s = store as Partial<EncryptedStudyStore>;
  return typeof s.addInstances === 'function' && typeof s.createImportJob === 'function' && typeof s.updateImportJob === 'function';
}

/** The right sink for a store: batched transactions and a job record when it is the encrypted store. */
export function sinkFor(store: StudyStore): ImportSink {
  if (isEncryptedStore(store)) return new EncryptedStoreSink(store);
  if (typeof store.addInstance !== 'function') throw new AppError('INTERNAL', 'Not a study store.');
  return new StudyStoreSink(store);
}
